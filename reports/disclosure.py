"""Publication-safe figures: cell-key perturbation, as the ONS (Census 2021) and the ABS
TableBuilder protect tables that anyone can cut any way they like.

Every contact and every reported person carries a random record key 0–255, fixed when the row
is created (registration.models.new_record_key) and never exported. A cell of a table (a row, a
crossed cell, a row or column total, a table's total) has a cell key: the sum of the record keys
of the records it counts, mod 256, summed in the same grouped query as its count. Its published
value is its count plus the perturbation the p-table holds for that count and cell key. The same
records make the same cell, so a cell has the same value in every table, page, download and run;
a total is a cell of its own, so it may differ from the sum of its published rows by a few.

The p-table is the ONS's `ptable_10_5_rule.csv` (package cell-key-perturbation 3.1.0, MIT; see
reports/data/ptable_10_5_rule.LICENSE.txt), kept as data: every count 1–9 becomes 0 and is shown
as "< 10", every larger count is rounded to the nearest multiple of 5. That p-table's perturbation
depends on the count alone, not on the cell key (tests/reports/test_disclosure.py checks it);
the keys are summed anyway, so a p-table whose noise depends on the key is a change of data.
A cell without records stays 0 under the perturbation (no count is ever made up), and is shown
like every value below the threshold, "< 10", as the ONS function does (see ZEROS_SHOWN).

This module is the method alone; reports.selectors.publication decides who sees which table
perturbed.
"""

from __future__ import annotations

import csv
import gzip
import io
from functools import cache
from pathlib import Path

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .templatetags.report_format import count as format_count

PTABLE_FILE = Path(__file__).resolve().parent / "data" / "ptable_10_5_rule.csv.gz"
PTABLE_NAME = "ptable_10_5_rule"
PTABLE_SOURCE = "ONS cell-key-perturbation 3.1.0 (MIT)"
METHOD = "cell_key_perturbation"
# The threshold the p-table was built for: it turns every count below 10 into 0.
THRESHOLD = 10
KEY_RANGE = 256
# The ONS method: a count above the p-table's last row (750) takes the row of the same count
# modulo 250 among rows 501–750 ((count - 1) % 250 + 501).
PCV_MAX = 750
PCV_CYCLE = 250
PCV_CYCLE_FROM = 501
# Whether a cell without records is published as 0 rather than "< 10". The ONS function shows it
# as below the threshold, and so do we: a 0 beside "< 10" tells the reader that the "< 10" holds at
# least one person, and with rounded totals that is enough to work some of them out exactly (on
# the demo's 2024 Antwerpen, a crossed table's row total minus its other cells gives one caller
# exactly; against the exact tables of all teams, thirteen cells). tests/reports/test_differencing.py
# replays those attacks; with True they recover cells again.
ZEROS_SHOWN = False

NOTE = _(
    "Cijfers afgerond volgens de methode van de cell-key perturbatie: aantallen van 1 tot 9 staan er als "
    "'< 10'. Een totaal is apart afgerond en kan enkele eenheden verschillen van de som van de rijen."
)


@cache
def ptable() -> tuple[tuple[int, ...], ...]:
    """The p-table as pvalue[pcv][cell key] (row 0, a cell without records, perturbs nothing)."""
    with gzip.open(PTABLE_FILE, "rt", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(io.StringIO(handle.read())))
    table = [[0] * KEY_RANGE for _ in range(PCV_MAX + 1)]
    for row in rows:
        table[int(row["pcv"])][int(row["ckey"])] = int(row["pvalue"])
    return tuple(tuple(values) for values in table)


def pcv(count: int) -> int:
    """The p-table row of a count."""
    return count if count <= PCV_MAX else (count - 1) % PCV_CYCLE + PCV_CYCLE_FROM


def perturb(count: int, key_sum: int) -> int:
    """The perturbed value of a cell of `count` records whose record keys sum to `key_sum`."""
    if count <= 0:
        return count
    return count + ptable()[pcv(count)][key_sum % KEY_RANGE]


def published(count: int, key_sum: int) -> dict:
    """A cell as published: {"count": value} or, below the threshold, {"count": None, "below_threshold": True}.

    A zero stays zero under the perturbation and, like every value below the threshold, shows as
    "< 10" (see ZEROS_SHOWN).
    """
    value = perturb(count, key_sum)
    if value >= THRESHOLD or (count == 0 and ZEROS_SHOWN):
        return {"count": value}
    return {"count": None, "below_threshold": True}


def describe() -> dict:
    """The report's `disclosure` object without its tables: method, p-table and threshold."""
    return {"method": METHOD, "ptable": PTABLE_NAME, "ptable_source": PTABLE_SOURCE, "threshold": THRESHOLD}


def cell_display(row: dict, key: str = "count") -> str:
    """A published count as text in the active language: "< 10" below the threshold, else the number."""
    if row.get("below_threshold" if key == "count" else f"{key}_below_threshold"):
        return f"< {format_count(THRESHOLD)}"
    return format_count(row.get(key))


def table_note(table: dict) -> str:
    """What a perturbed table says under it, in the active language ("" for an exact table)."""
    return gettext(NOTE) if table.get("perturbed") else ""


def margins(table: dict) -> dict:
    """A crossed table's row and column totals by code, as rows {code, count[, below_threshold]}.

    A perturbed table carries them (each a cell of its own); an exact one sums its cells.
    """
    if "margins" in table:
        return {side: {m["code"]: m for m in table["margins"][side]} for side in ("rows", "columns")}
    sums: dict = {"rows": {}, "columns": {}}
    for row in table["rows"]:
        for side, code in zip(("rows", "columns"), row["code"], strict=True):
            entry = sums[side].setdefault(code, {"code": code, "count": 0})
            entry["count"] += row["count"] or 0
    return sums
