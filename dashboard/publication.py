"""The one door the Flemish overview's per-team figures pass through: the publication rules of
issue 12 (reports.selectors.publication, reports.disclosure).

- Closed periods only: a period that has not ended before this month is refused (OpenPeriod).
- Every per-team cell is published with cell-key perturbation: its exact count and the sum of
  its records' keys go in, `reports.disclosure.published` comes out ({"count": value} or
  {"count": None, "below_threshold": True}, shown as "< 10"). A total is a cell of its own; a
  team without records in a cell is a cell of 0, shown as "< 10" like every small count.
- The all-teams column of a one-way figure (contacts, per channel, per caller region: tables
  the annual report publishes exactly) stays exact; every other all-teams cell is perturbed.
  Because the other teams' cells are perturbed, the exact all-teams value minus the other
  teams' published values does not give a team's exact count.

Changes are computed by the caller from what this function returns, never from exact counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from reports import disclosure

from .periods import Period, is_closed

# A cell: (figure, team code or ALL_TEAMS).
Cell = tuple[str, str]
# What a cell counts exactly: (count, sum of its records' keys).
Tally = tuple[int, int]
ALL_TEAMS = "all"
# Figures whose all-teams value is a one-way table the annual report publishes exactly
# (a figure name, or the prefix before its code).
EXACT_FOR_ALL_TEAMS = frozenset({"contacts", "channel", "region"})


class OpenPeriod(ValueError):
    """A period that has not ended before this month: the Flemish coordinator does not see it."""


def exact_for_all_teams(figure: str) -> bool:
    return figure.split(":", 1)[0] in EXACT_FOR_ALL_TEAMS


def publishable_counts(
    cells: Mapping[Cell, Tally], *, period: Period, today: date, columns: Iterable[str] = ()
) -> dict[Cell, dict]:
    """Return each cell of a closed period as published: every figure in `cells` for every column
    (those in `cells` and `columns`), a missing cell counting 0."""
    if not is_closed(period, today):
        raise OpenPeriod(f"{period.key} {period.start}–{period.end} is not closed on {today}")
    figures = {figure for figure, _column in cells}
    all_columns = {column for _figure, column in cells} | set(columns)
    published: dict[Cell, dict] = {}
    for figure in figures:
        for column in all_columns:
            count, key_sum = cells.get((figure, column), (0, 0))
            if column == ALL_TEAMS and exact_for_all_teams(figure):
                published[(figure, column)] = {"count": count}
            else:
                published[(figure, column)] = disclosure.published(count, key_sum)
    return published
