"""The weights each coded field of one demo year is drawn from, built from `figures.py`.

A year with its own published table uses it as it stands; a year without one blends the
nearest published years (`blend`), as each function says.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from .allocation import Weights, blend
from .figures import (
    ANONYMOUS_2024,
    ANONYMOUS_LEGACY,
    CALLER_AGE_2020_UNKNOWN,
    CALLER_AGE_2024,
    CALLER_AGE_EARLY,
    CALLER_AGE_LEGACY,
    CALLER_GENDER_2024,
    CALLER_ROLE_LEGACY,
    CHANNEL_BY_YEAR,
    CHANNEL_LEEG,
    CONTEXT_2020,
    CONTEXT_2024_LEEG,
    CONTEXT_ROLLUP_2024,
    LEEG,
    MONTH_X_CALLER_GENDER_2020,
    PERSON_GENDER_2024,
    PROBLEM_2021,
    PROBLEM_2024,
    PROBLEM_2024_LEEG,
    PROBLEM_LEGACY,
    PROBLEM_LEGACY_CODES,
    RELATION_2020,
    RELATION_GROUPS_2024,
    YEAR_TOTALS,
)

# The relation group (or context roll-up) of a code: Code.rollup, read by Lookups.
Rollup = Callable[[str | None], str]


def _relation_from_roles(perpetrator: int, victim: int, bystander: int, unknown: int) -> Weights:
    """Relation weights with exact role counts; bystanders spread like 2020's relation table."""
    bystanders = {c: w for c, w in RELATION_2020.items() if c not in ("1100", "2100", "9999", LEEG)}
    by_sum = sum(bystanders.values())
    leeg = round(unknown * 0.1)
    weights: Weights = {"1100": victim, "2100": perpetrator, "9999": unknown - leeg, LEEG: leeg}
    weights.update({c: w * bystander / by_sum for c, w in bystanders.items()})
    return weights


def _relation_2024(relation_group: Rollup) -> Weights:
    """2024's relation groups (001), each spread over its codes like 2020's relation table."""
    group_sums: Counter = Counter()
    for code, weight in RELATION_2020.items():
        group_sums[relation_group(code)] += weight
    return {
        code: RELATION_GROUPS_2024[relation_group(code)] * weight / group_sums[relation_group(code)]
        for code, weight in RELATION_2020.items()
    }


def relation_weights(year: int, contacts: int, relation_group: Rollup) -> Weights:
    if year == 2020:
        return dict(RELATION_2020)
    if year in CALLER_ROLE_LEGACY:
        perpetrator, victim, bystander = CALLER_ROLE_LEGACY[year]
        return _relation_from_roles(perpetrator, victim, bystander, contacts - perpetrator - victim - bystander)
    if year < 2016:
        perpetrator, victim, bystander = CALLER_ROLE_LEGACY[2016]
        return _relation_from_roles(perpetrator, victim, bystander, 4596 - perpetrator - victim - bystander)
    start = relation_weights(2021, YEAR_TOTALS[2021][0], relation_group)
    return blend(start, _relation_2024(relation_group), (year - 2021) / 3)


def caller_age_weights(year: int, contacts: int) -> Weights:
    if year == 2024:
        return dict(CALLER_AGE_2024)
    if year in CALLER_AGE_LEGACY:
        under_12, minors, adults = CALLER_AGE_LEGACY[year]
        rest = contacts - under_12 - minors - adults
        unknown, leeg = CALLER_AGE_2020_UNKNOWN if year == 2020 else (rest - rest // 5, rest // 5)
        weights: Weights = {"under_12": under_12, "12_17": minors, "unknown": unknown, LEEG: leeg}
        if year < 2021:
            weights["adult_unknown"] = adults
        else:  # the new registration (mid-2021) records the adult age band: split like 2024
            adult_2024 = {k: CALLER_AGE_2024[k] for k in ("18_64", "65_plus", "adult_unknown")}
            adult_sum = sum(adult_2024.values())
            weights.update({k: w * adults / adult_sum for k, w in adult_2024.items()})
        return weights
    if year < 2016:
        return dict(CALLER_AGE_EARLY)
    return blend(caller_age_weights(2021, YEAR_TOTALS[2021][0]), CALLER_AGE_2024, (year - 2021) / 3)


def caller_gender_weights(year: int) -> Weights:
    if year == 2024:
        return dict(CALLER_GENDER_2024)
    male, female, unknown = (sum(month[i] for month in MONTH_X_CALLER_GENDER_2020.values()) for i in range(3))
    legacy = {"female": female, "male": male, "unknown": unknown, LEEG: 8059 - male - female - unknown}
    if year <= 2020:  # the old registration had no non-binary option (003's table: M / V / onbekend)
        return legacy
    return blend(legacy, CALLER_GENDER_2024, (year - 2020) / 4)


def anonymous_weights(year: int) -> Weights:
    if year <= 2021:
        return dict(ANONYMOUS_LEGACY)
    return blend(ANONYMOUS_LEGACY, ANONYMOUS_2024, (year - 2021) / 3)


def channel_weights(year: int) -> Weights:
    weights = dict(CHANNEL_BY_YEAR[year])
    weights[LEEG] = CHANNEL_LEEG
    return weights


def problem_weights(year: int) -> Weights:
    if year in PROBLEM_LEGACY:
        return dict(zip(PROBLEM_LEGACY_CODES, PROBLEM_LEGACY[year], strict=True))
    if year < 2016:  # 2016 and 2017 together (assumed)
        return {
            code: a + b
            for code, a, b in zip(PROBLEM_LEGACY_CODES, PROBLEM_LEGACY[2016], PROBLEM_LEGACY[2017], strict=True)
        }
    if year == 2021:
        return dict(PROBLEM_2021)
    return {**PROBLEM_2024, LEEG: PROBLEM_2024_LEEG}


def context_weights(year: int, context_group: Rollup) -> Weights:
    """2020's context table up to 2021; towards 2024's roll-up (001) after, spread like 2020."""
    legacy = dict(CONTEXT_2020)
    within: Counter = Counter()
    for code, weight in legacy.items():
        if code is not None:
            within[context_group(code)] += weight
    current: Weights = {
        code: CONTEXT_ROLLUP_2024[context_group(code)] * weight / within[context_group(code)]
        for code, weight in legacy.items()
        if code is not None
    }
    current["unknown"] -= CONTEXT_2024_LEEG
    current[LEEG] = CONTEXT_2024_LEEG
    if year <= 2021:
        return legacy
    return blend(legacy, current, min(1.0, (year - 2021) / 3))


def person_gender_weights(year: int) -> Weights:
    weights = dict(PERSON_GENDER_2024)
    if year <= 2020:
        weights["unknown"] += weights.pop("nonbinary_other")
    return weights
