"""The one door the Flemish overview's per-team figures pass through.

The publication rules for the Flemish coordinator (issue 12: cell-key perturbation of per-team
tables, closed months only) are built in reports/. Until they land, this function lets only
closed periods through and returns their exact counts; routing it through the perturbation
is then a change here alone. Every per-team figure of dashboard.selectors.flemish_overview,
totals included (a total is a cell of its own), comes from here, and changes and shares are
computed from what it returns.

What the perturbation will need that this signature already carries: the period (to refuse
open months) and one cell per (figure, team). It will also need each cell's key (the sum of
its records' keys mod 256), which the grouped queries do not compute yet: they will have to
add it beside each count.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from .periods import Period, is_closed

# A cell: (figure, team code or ALL_TEAMS).
Cell = tuple[str, str]
ALL_TEAMS = "all"


class OpenPeriod(ValueError):
    """A period that has not ended before this month: the Flemish coordinator does not see it."""


def publishable_counts(cells: Mapping[Cell, int], *, period: Period, today: date) -> dict[Cell, int]:
    """Return the per-team counts of a closed period as the Flemish coordinator may see them."""
    if not is_closed(period, today):
        raise OpenPeriod(f"{period.key} {period.start}–{period.end} is not closed on {today}")
    return dict(cells)
