"""Publication mode: small counts hidden, with secondary suppression.

A count below the threshold (but not zero) is hidden. So that a hidden cell cannot be worked
out from a published total, every line of a table (a row or a column of a crossed table, or
the whole of a one-dimensional table) that hides exactly one cell hides one more: the smallest
remaining one, preferring a non-zero count. Lines are revisited until nothing changes.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext


def threshold() -> int:
    return int(getattr(settings, "REPORT_SUPPRESSION_THRESHOLD", 5))


def _lines(table: dict) -> list[list[int]]:
    rows = table["rows"]
    if "dimensions" not in table:
        return [list(range(len(rows)))]
    by_first: dict = {}
    by_second: dict = {}
    for i, row in enumerate(rows):
        by_first.setdefault(row["code"][0], []).append(i)
        by_second.setdefault(row["code"][1], []).append(i)
    return [*by_first.values(), *by_second.values(), list(range(len(rows)))]


def suppressed_cells(counts: list[int], lines: list[list[int]], limit: int) -> set[int]:
    """Indexes of the cells to hide: primary (0 < n < limit) plus secondary."""
    hidden = {i for i, n in enumerate(counts) if 0 < n < limit}
    changed = bool(hidden)
    while changed:
        changed = False
        for line in lines:
            inside = [i for i in line if i in hidden]
            if len(inside) != 1:
                continue
            candidates = [i for i in line if i not in hidden]
            if not candidates:
                continue
            pick = min(candidates, key=lambda i: (counts[i] == 0, counts[i]))
            hidden.add(pick)
            changed = True
    return hidden


def suppress_table(table: dict, limit: int | None = None) -> dict:
    """Hide small counts of one table in place; returns the table."""
    limit = threshold() if limit is None else limit
    rows = table["rows"]
    counts = [row["count"] for row in rows]
    hidden = suppressed_cells(counts, _lines(table), limit)
    for i in hidden:
        rows[i]["count"] = None
        rows[i]["suppressed"] = True
        for key in ("share", "share_of_persons"):
            if key in rows[i]:
                rows[i][key] = None
    table["suppression"] = {
        "threshold": limit,
        "cells": len(hidden),
        "note": gettext(
            "Publicatiemodus: aantallen kleiner dan %(limit)s zijn verborgen, net als de cellen die nodig zijn "
            "om ze niet uit de totalen te kunnen afleiden."
        )
        % {"limit": limit},
    }
    return table


def suppress_report(report: dict, limit: int | None = None) -> dict:
    """Publication mode over a report: crossed tables, the team table, and every table of a
    report for chosen teams."""
    per_team = report.get("team") is not None
    for name, table in report["tables"].items():
        if name == "totals" or table.get("unit") == "mixed":
            continue
        if per_team or "dimensions" in table or name == "team":
            suppress_table(table, limit)
    report["published"] = True
    return report
