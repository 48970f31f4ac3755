"""Who may report on which teams, and the period and teams of one report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from accounts.models import Role


@dataclass(frozen=True)
class ReportScope:
    """The teams a user may report on: every team (team_codes None) or the listed ones."""

    team_codes: tuple[str, ...] | None = None

    @property
    def all_teams(self) -> bool:
        return self.team_codes is None

    def allows(self, team: str) -> bool:
        return self.team_codes is None or team in self.team_codes


def report_scope_for(user) -> ReportScope | None:
    """Return the scope a user may report on; None when they may see no report at all.

    The one place for report scope: a Flemish coordinator sees every team; a team
    coordinator their own teams (none today: no reports); counsellors and administrators
    no reports at all.
    """
    if not getattr(user, "is_authenticated", False):
        return None
    if user.role == Role.FLEMISH_COORDINATOR:
        return ReportScope()
    if user.role == Role.TEAM_COORDINATOR:
        codes = tuple(user.teams_on().order_by("sort", "code").values_list("code", flat=True))
        if codes:
            return ReportScope(codes)
    return None


@dataclass(frozen=True)
class ReportFilter:
    """The period (by the contact's local date, inclusive) and optional teams of a report."""

    start: date
    end: date
    team_codes: tuple[str, ...] | None = None
    # Under the publication rule: only contacts registered before this instant count
    # (reports.selectors.publication), so the figures of a month do not move while it runs.
    registered_before: datetime | None = None

    @property
    def years(self) -> list[int]:
        return list(range(self.start.year, self.end.year + 1))

    @property
    def is_range(self) -> bool:
        return self.start.year != self.end.year


def parse_period(text: str) -> ReportFilter:
    """Parse "2024" or "2016-2021" into a ReportFilter; ValueError when it is not a period."""
    text = (text or "").strip()
    parts = text.split("-")
    if len(parts) == 1 and parts[0].isdigit() and len(parts[0]) == 4:
        year = int(parts[0])
        return ReportFilter(date(year, 1, 1), date(year, 12, 31))
    if len(parts) == 2 and all(p.isdigit() and len(p) == 4 for p in parts):
        first, last = int(parts[0]), int(parts[1])
        if first <= last:
            return ReportFilter(date(first, 1, 1), date(last, 12, 31))
    raise ValueError(text)
