"""Pure allocation arithmetic: integer counts that follow given weights exactly.

Nothing here reads the database or knows a code list: each helper takes weights and a random
generator and returns (or fills in) counts, so the demo's figures hold to the unit and the same
seed always gives the same draws.
"""

from __future__ import annotations

import heapq
import random
from collections import defaultdict
from collections.abc import Callable, Hashable

# Relative weight per code; None is an empty (Leeg) coded field.
Weights = dict[str | None, float]


def largest_remainder(weights: Weights, total: int) -> dict:
    """Return integer counts per key, proportional to weights and summing exactly to total."""
    items = [(key, weight) for key, weight in weights.items() if weight > 0]
    counts = {key: 0 for key in weights}
    if total <= 0 or not items:
        if total > 0:
            raise ValueError("cannot allocate a positive total over zero weights")
        return counts
    weight_sum = sum(weight for _, weight in items)
    quotas = [(key, weight * total / weight_sum) for key, weight in items]
    for key, quota in quotas:
        counts[key] = int(quota)
    rest = total - sum(counts.values())
    # Ties go to the key listed first, so the result never depends on the dict's hashing.
    order = sorted(range(len(quotas)), key=lambda i: (-(quotas[i][1] - int(quotas[i][1])), i))
    for i in order[:rest]:
        counts[quotas[i][0]] += 1
    return counts


def fit_table(
    rows: dict[Hashable, int], target: Weights, affinity: Callable[[Hashable, str | None], float]
) -> dict[Hashable, dict]:
    """Iterative proportional fitting: expected counts per (row, code) matching both margins."""
    total = sum(rows.values())
    target_sum = sum(target.values())
    columns = {code: weight * total / target_sum for code, weight in target.items() if weight > 0}
    table = {row: {code: affinity(row, code) * col for code, col in columns.items()} for row in rows}
    for _ in range(60):
        for code, col in columns.items():
            current = sum(table[row][code] for row in table)
            if current:
                for row in table:
                    table[row][code] *= col / current
        for row, size in rows.items():
            current = sum(table[row].values())
            if current:
                factor = size / current
                for code in table[row]:
                    table[row][code] *= factor
    return table


def assign(
    rng: random.Random,
    records: list[dict],
    name: str,
    target: Weights | None = None,
    *,
    given: tuple[str, ...] = (),
    affinity: Callable[[Hashable, str | None], float] | None = None,
    exact: dict[Hashable, Weights] | None = None,
) -> None:
    """Set records[i][name]: exact counts per code (per group of `given` fields), shuffled.

    Without `given`, the counts follow `target` over all records. With `given` and `affinity`,
    the groups get counts fitted to both `target` and their sizes; with `exact`, each group
    gets the weights listed for it.
    """
    groups: dict[Hashable, list[int]] = defaultdict(list)
    for index, record in enumerate(records):
        groups[tuple(record[g] for g in given)].append(index)
    sizes = {key: len(indexes) for key, indexes in groups.items()}
    if exact is not None:
        per_group = {key: largest_remainder(exact[key], size) for key, size in sizes.items()}
    elif given and affinity is not None:
        fitted = fit_table(sizes, target, affinity)
        per_group = {key: largest_remainder(fitted[key], size) for key, size in sizes.items()}
    else:
        counts = largest_remainder(target, len(records))
        per_group = {(): counts}
        groups = {(): list(range(len(records)))}
    for key, indexes in groups.items():
        deal(rng, records, indexes, name, per_group[key])


def deal(rng: random.Random, records: list[dict], indexes: list[int], name: str, counts: dict) -> None:
    """Set records[i][name] for i in indexes: each code exactly counts[code] times, shuffled."""
    codes: list = []
    for code, count in counts.items():
        codes.extend([code] * count)
    rng.shuffle(codes)
    for index, code in zip(indexes, codes, strict=True):
        records[index][name] = code


def assign_multi(
    rng: random.Random,
    records: list[dict],
    name: str,
    target: Weights,
    per_record: dict[int, float],
    affinity: Callable[[dict, str], float],
) -> None:
    """Set records[i][name] to a list of distinct codes: exact counts per number and per code.

    Each record first gets how many codes it has; the mentions are then allocated per code and
    handed out code by code to the records with the most room left (so every record can always
    be filled with distinct codes), ties broken at random, weighted by affinity.
    """
    room_counts = largest_remainder(per_record, len(records))
    room: list[int] = []
    for size, count in room_counts.items():
        room.extend([size] * count)
    rng.shuffle(room)
    mentions = largest_remainder(target, sum(room))
    chosen: list[list[str]] = [[] for _ in records]
    for code, count in sorted(mentions.items(), key=lambda item: -item[1]):
        candidates = [i for i, left in enumerate(room) if left > 0]
        if count > len(candidates):
            raise ValueError(f"{name}: {count} mentions of {code} for {len(candidates)} persons")
        keys = {i: (room[i], rng.random() ** (1.0 / affinity(records[i], code))) for i in candidates}
        for i in heapq.nlargest(count, candidates, key=keys.__getitem__):
            chosen[i].append(code)
            room[i] -= 1
    for record, codes in zip(records, chosen, strict=True):
        record[name] = codes


def blend(a: Weights, b: Weights, t: float) -> Weights:
    """Weights between a (t=0) and b (t=1), each taken as shares."""
    sum_a, sum_b = sum(a.values()), sum(b.values())
    keys = list(dict.fromkeys([*a, *b]))
    return {k: (1 - t) * a.get(k, 0) / sum_a + t * b.get(k, 0) / sum_b for k in keys}
