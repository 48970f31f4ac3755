"""Who sees which figures exactly, and which perturbed (issue 12).

- A team coordinator sees the exact figures of their own team: they may read its contacts anyway.
- The Flemish coordinator sees statistics only, under the publication rule, always:
  exact one-way tables of all teams (as the annual report publishes them) and perturbed crossed
  tables, per-team tables and one-team reports (reports.disclosure); and only closed months: a
  period ends at the latest on the last day of the previous month. A new registration falls in
  the current month, so it does not show; one dated back into a closed month (or imported) after
  the month's cut does not show before next month either: the first report under the rule in a
  month cuts the month's figures (reports.models.PublicationCut) and counts only what was
  registered before. So two reads within a month give the same figures, and a registration cannot
  be told apart by reading before and after it. (An edit of an older registration does show: the
  figures are perturbed, see reports.disclosure.)
- The command line (run on the server) is exact unless `--publish` asks for the publication rule.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import cached_property

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from accounts.models import Role

from .. import disclosure
from ..models import PublicationCut
from .scope import ReportFilter
from .tables import share

# Dimensions that do not make a one-way table a crossed one: a year × X table is the one-way
# table of X of each year, which that year's report publishes exactly anyway.
NOT_CROSSING = {"year", "totals"}


class OpenPeriod(ValueError):
    """A period with no closed month in it: the Flemish coordinator sees nothing of it yet."""

    def __init__(self, publication: Publication):
        super().__init__(f"no closed month before {publication.closed_until}")
        self.publication = publication


def current_date() -> date:
    """Today in Brussels (a function, so tests can move the calendar)."""
    return timezone.localdate()


@dataclass(frozen=True)
class Publication:
    """The publication rule on a given day: closed months, and which tables are perturbed."""

    today: date

    @property
    def closed_until(self) -> date:
        """The last day of the last closed month."""
        return date(self.today.year, self.today.month, 1) - timedelta(days=1)

    @cached_property
    def registered_before(self) -> datetime:
        """This month's cut: registrations made later count from next month (taken at the first
        report under the rule this month)."""
        cut, _created = PublicationCut.objects.get_or_create(
            month=date(self.today.year, self.today.month, 1), defaults={"taken_at": timezone.now()}
        )
        return cut.taken_at

    def clamp(self, report_filter: ReportFilter) -> ReportFilter:
        """The filter cut to the closed months; OpenPeriod when none of its months is closed."""
        if report_filter.start > self.closed_until:
            raise OpenPeriod(self)
        return replace(
            report_filter,
            end=min(report_filter.end, self.closed_until),
            registered_before=self.registered_before,
        )

    def perturbs_teams(self, team_codes: tuple[str, ...] | None) -> bool:
        """Whether figures for these teams are perturbed whatever the table: those of chosen teams."""
        return team_codes is not None

    def perturbs(self, name: str, table: dict, report_filter: ReportFilter) -> bool:
        """Whether a table is perturbed: every table of a report for chosen teams, else the crossed
        tables and those by team."""
        if self.perturbs_teams(report_filter.team_codes):
            return True
        dims = [d for d in table.get("dimensions") or [name] if d not in NOT_CROSSING]
        return len(dims) > 1 or "team" in dims

    @staticmethod
    def published(count: int, key_sum: int) -> dict:
        """One cell as published (reports.disclosure.published)."""
        return disclosure.published(count, key_sum)

    def apply(self, report: dict, report_filter: ReportFilter, row_keys: dict[str, dict]) -> dict:
        """Perturb the report's tables the rule names, in place; return the report's `disclosure` object."""
        tables = report["tables"]
        names = [name for name, table in tables.items() if self.perturbs(name, table, report_filter)]
        # The totals first: a multi-valued table's share of persons divides by the published persons.
        names.sort(key=lambda name: name != "totals")
        persons = None
        for name in names:
            perturb_table(tables[name], row_keys[name], persons)
            if name == "totals":
                persons = next(r["count"] for r in tables[name]["rows"] if r["code"] == "persons")
        return {
            **disclosure.describe(),
            "tables": [name for name in tables if name in names],
            "closed_until": self.closed_until.isoformat(),
            "registered_before": self.registered_before.isoformat(),
        }


def closed_months_notice(publication: Publication) -> str:
    """What a reader under the rule is told when their period was cut to the closed months."""
    return gettext(
        "Alleen afgesloten maanden: de cijfers lopen tot en met %(day)s. Wat na %(cut)s geregistreerd werd, "
        "telt mee vanaf volgende maand."
    ) % {
        "day": date_format(publication.closed_until, "j F Y"),
        "cut": date_format(timezone.localtime(publication.registered_before), "j F Y H:i"),
    }


def open_period_message(publication: Publication) -> str:
    """Why a period without a closed month shows nothing under the rule."""
    return gettext("Deze periode heeft nog geen afgesloten maand; er zijn cijfers tot en met %(day)s.") % {
        "day": date_format(publication.closed_until, "j F Y")
    }


def publication_for(user=None, *, publish: bool = False) -> Publication | None:
    """The publication rule a report run follows, or None for exact figures.

    The Flemish coordinator always gets it; the command line (no user) when it asks with `publish`.
    """
    if user is None:
        return Publication(current_date()) if publish else None
    if getattr(user, "role", None) == Role.FLEMISH_COORDINATOR:
        return Publication(current_date())
    return None


def _row_code(row: dict):
    code = row["code"]
    return tuple(code) if isinstance(code, list) else code


def _set(row: dict, cell: dict) -> None:
    row["count"] = cell["count"]
    if cell.get("below_threshold"):
        row["below_threshold"] = True


def _share(count: int | None, total: int | None) -> float | None:
    return None if count is None or total is None else share(count, total)


def perturb_table(table: dict, keys: dict, persons: int | None = None) -> None:
    """Replace a table's counts by published cells, in place: its rows, its total, a crossed table's
    margins (each a cell of its own), and shares of the published counts.

    `keys` holds each row's sum of record keys by row code; `persons` the published number of
    reported persons (the denominator of `share_of_persons`).
    """
    exact = [(row, row["count"], keys.get(_row_code(row), 0)) for row in table["rows"]]
    crossed = "dimensions" in table and table.get("unit") != "mixed"
    if crossed:
        sums: dict[str, dict] = {"rows": {}, "columns": {}}
        for row, n, key in exact:
            for side, code in zip(("rows", "columns"), row["code"], strict=True):
                total = sums[side].setdefault(code, [0, 0])
                total[0] += n
                total[1] += key
        table["margins"] = {
            side: [{"code": code, **disclosure.published(n, key)} for code, (n, key) in sums[side].items()]
            for side in ("rows", "columns")
        }
    total = None
    if "total" in table:
        cell = disclosure.published(sum(n for _r, n, _k in exact), sum(k for _r, _n, k in exact))
        total = table["total"] = cell["count"]
        if cell.get("below_threshold"):
            table["total_below_threshold"] = True
    for row, n, key in exact:
        _set(row, disclosure.published(n, key))
        if "share" in row:
            row["share"] = _share(row["count"], total)
        if "share_of_persons" in row:
            row["share_of_persons"] = _share(row["count"], persons)
    table["perturbed"] = True
