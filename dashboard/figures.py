"""What the team coordinator's dashboard (dashboard.team) and the Flemish per-team overview
(dashboard.overview) have in common: the figure and row they show, the home region of each team,
and the small counting helpers both use."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Q
from django.utils.translation import gettext_lazy

from .periods import Period

# The province each team answers in the phone menu. Calls from another province or from option 0
# ("unknown / don't want to say") reach a team when it has a free line: the overflow.
HOME_REGION = {
    "noord-west-vlaanderen": "west-vlaanderen",
    "oost-vlaanderen": "oost-vlaanderen",
    "antwerpen": "antwerpen",
    "limburg": "limburg",
    "oost-brabant": "vlaams-brabant-brussel",
}


@dataclass
class Figure:
    # None: a published figure below the threshold (its `display` says "< 10").
    count: int | None
    url: str | None = None
    display: str = ""


@dataclass
class Row:
    label: str
    cells: list[Figure] = field(default_factory=list)
    total: Figure | None = None
    extra: dict = field(default_factory=dict)


def change(now: int, before: int) -> float | None:
    """The change against the earlier count, in percent (None when there was nothing to compare)."""
    return None if not before else round((now - before) * 100 / before, 1)


def started_within(*periods: Period) -> Q:
    """The contacts of any of the periods (overlapping and adjacent ones merged: one range each)."""
    ranges: list[list[date]] = []
    for period in sorted(periods, key=lambda p: (p.start, p.end)):
        if ranges and period.start <= ranges[-1][1] + timedelta(days=1):
            ranges[-1][1] = max(ranges[-1][1], period.end)
        else:
            ranges.append([period.start, period.end])
    q = Q(pk__in=[])
    for start, end in ranges:
        q |= Q(started_on__gte=start, started_on__lte=end)
    return q


def ordered(codes_in_list: list[str], found: set) -> list:
    """The list's codes, then codes found in the data but not in the list, then Leeg (None)."""
    extra = sorted(c for c in found if c is not None and c not in codes_in_list)
    return [*codes_in_list, *extra, *([None] if None in found else [])]


GROUP_LABELS = {
    "own": gettext_lazy("Eigen regio"),
    "overflow": gettext_lazy("Andere regio's en optie 0 (overloop)"),
    "empty": gettext_lazy("Regio leeg"),
}
