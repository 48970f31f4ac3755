"""Whole months of contacts per team from the reports' pre-aggregation (reports.cube).

On PostgreSQL the cube keeps, per month and team, the count and the sum of record keys of the
contacts per channel and per caller region (two of the reports' standard groupings), current at
every commit. The dashboard reads a period's whole months from it and counts only the rest of the
period (a few days: this week, this month so far) from the contacts themselves. The cube counts
every contact that is not deleted, so a whole month read from it equals a live count of it;
the Flemish overview, which counts only what was registered before the month's publication cut,
subtracts the few contacts registered since (reports.cube.enabled falls back to live counting
instead; subtracting gives the same count and key sum).

SQLite (the demo) and REPORT_PREAGGREGATE = False have no cube: every period is counted live.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.db import connection
from django.db.models.fields.json import KT

from reports import cube
from reports.models import CubeCount
from reports.selectors.counting import Grouping

from .periods import Period

CHANNEL = "channel"
REGION = "caller_region"
# The cube's name of each grouping the dashboard reads (reports.selectors.tables.standard_groupings).
GROUPINGS = {cube.grouping_name(Grouping.of((dimension,)).key): dimension for dimension in (CHANNEL, REGION)}
# A bucket no contact is in: an empty list of months still runs the one query (a constant count).
NO_MONTH = date(1, 1, 1)

# (dimension, team id, month, value) → (count, sum of record keys)
MonthCells = dict[tuple[str, int, date, str | None], tuple[int, int]]


def preaggregated() -> bool:
    """Whether whole months are read from the cube (as reports.cube.enabled decides for a report)."""
    return connection.vendor == "postgresql" and getattr(settings, "REPORT_PREAGGREGATE", True)


def split(period: Period, whole_months: bool) -> tuple[list[date], list[Period]]:
    """The period's whole months the cube serves and the parts counted live."""
    return period.split_months() if whole_months else ([], [period])


def month_cells(team_ids: Iterable[int], months: Iterable[date]) -> MonthCells:
    """The cube's cells of the teams and months, per channel and per caller region (two queries:
    this transaction's own staged changes applied, then the cells read; the code as text, no JSON
    decoded per cell)."""
    cube.refresh()
    rows = CubeCount.objects.filter(
        bucket__in=sorted(set(months)) or [NO_MONTH], team_key__in=list(team_ids), grouping__in=list(GROUPINGS)
    ).values_list("grouping", "team_key", "bucket", KT("values__0"), "count", "key_sum")
    cells: MonthCells = {}
    for grouping, team_id, month, code, count, key_sum in rows:
        # A cell whose contacts all went keeps a zero until the cube is rebuilt: nothing to count.
        if count:
            cells[(GROUPINGS[grouping], team_id, month, code)] = (count, key_sum)
    return cells
