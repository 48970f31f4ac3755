"""The team coordinator's dashboard: contacts this week, month and year by day and channel and
against last year, per counsellor and per caller region (the overflow included), follow-ups,
incomplete registrations and drafts left.

Whole months come from the reports' pre-aggregation (dashboard.monthly), the rest of a period from
the contacts themselves; what the pre-aggregation does not keep (per counsellor, incomplete
registrations) is counted from an index alone (registration migration 0010). Each table is one
grouped query, so the page costs the same number of queries whatever the number of contacts.
Every figure carries the URL of the list it counts (the contact list or the follow-up queue).
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from urllib.parse import quote_plus

from django.db.models import Count, F, Q
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from followup.models import Kind
from followup.selectors import follow_up_counts
from registration.codebook import CodeBook
from registration.models import Contact, Team

from . import monthly
from .figures import GROUP_LABELS, HOME_REGION, Figure, Row, change, ordered, started_within
from .monthly import CHANNEL, REGION
from .periods import Period, a_year_earlier, current_periods, month_end

PERIOD_KEYS = ("week", "month", "year")


@lru_cache(maxsize=32)
def _path(name: str, urlconf: str | None, prefix: str) -> str:
    return reverse(name, urlconf=urlconf)


def _list_path(name: str) -> str:
    """reverse(name), once per URL configuration: the dashboard links some 400 figures."""
    return _path(name, get_urlconf(), get_script_prefix())


def _query(**params) -> str:
    """A query string, as django.utils.http.urlencode writes it (values quoted with quote_plus)."""
    return "&".join(f"{quote_plus(key)}={quote_plus(str(value))}" for key, value in params.items())


class Links:
    """The lists a team's figures link to (the contact list or the follow-up queue, with filters).

    The dashboard links some 400 figures: the paths are reversed once a page and a period's dates
    written once, so a link costs a few string joins."""

    def __init__(self, team: Team):
        team_query = _query(team=team.code)
        self._contacts = f"{_list_path('registration:contact-list')}?{team_query}"
        self._queue = f"{_list_path('followup:queue')}?{team_query}"
        self._periods: dict[Period, str] = {}

    def contacts(self, period: Period | None = None, **filters) -> str:
        url = self._contacts
        if period is not None:
            dates = self._periods.get(period)
            if dates is None:
                dates = self._periods[period] = _query(
                    date_from=period.start.isoformat(), date_to=period.end.isoformat()
                )
            url = f"{url}&{dates}"
        extra = _query(**{k: v for k, v in filters.items() if v not in (None, "")})
        return f"{url}&{extra}" if extra else url

    def queue(self, **filters) -> str:
        extra = _query(**{k: v for k, v in filters.items() if v})
        return f"{self._queue}&{extra}" if extra else self._queue


def _period_counts(periods: dict[str, Period]) -> dict:
    # Counting started_on (never empty), not the id: the counts come from an index alone (index-only scan).
    return {
        key: Count("started_on", filter=Q(started_on__gte=p.start, started_on__lte=p.end)) for key, p in periods.items()
    }


def team_dashboard(team: Team, today: date) -> dict:
    """Return the dashboard of one team on a day: contacts, counsellors, regions, follow-ups."""
    book = CodeBook(lists=["channel", "caller_region"])
    periods = current_periods(today)
    earlier = {key: a_year_earlier(p) for key, p in periods.items()}
    contacts = Contact.objects.filter(team=team)
    links = Links(team)

    # 1. Contacts per channel and per caller region: the whole months of this year and of the same
    # period last year from the pre-aggregation (monthly), the days of this week and month, their
    # counterparts and whatever else is left of the two years counted live, per day.
    use_cube = monthly.preaggregated()
    months: list[date] = []
    live: list[Period] = [periods["week"], periods["month"], earlier["week"], earlier["month"]]
    for year in (periods["year"], earlier["year"]):
        whole, parts = monthly.split(year, use_cube)
        months += whole
        live += parts
    cube_cells = monthly.month_cells([team.pk], months) if use_cube else {}
    per_month: dict[str, dict[date, dict[str | None, int]]] = {CHANNEL: {}, REGION: {}}
    for (dimension, _team, month, code), (n, _k) in cube_cells.items():
        per_month[dimension].setdefault(month, {})[code] = n
    per_day: dict[str, dict[date, dict[str | None, int]]] = {CHANNEL: {}, REGION: {}}
    rows = (
        contacts.filter(started_within(*live))
        .values_list("started_on", "channel", "caller_region")
        .annotate(n=Count("id"))
        .order_by()
    )
    for day, channel, region, n in rows:
        for dimension, code in ((CHANNEL, channel), (REGION, region)):
            counts = per_day[dimension].setdefault(day, {})
            counts[code] = counts.get(code, 0) + n

    def tally(dimension: str, period: Period) -> dict[str | None, int]:
        """The period's contacts per code: its whole months from the cube, its other days live."""
        whole, parts = monthly.split(period, use_cube)
        # Every period shown lies within the two years: its whole months are theirs, read above.
        assert set(whole) <= set(months), (period, whole)
        sources = [per_month[dimension].get(m) for m in whole]
        sources += [per_day[dimension].get(day) for part in parts for day in part.days()]
        result: dict[str | None, int] = {}
        for counts in sources:
            for code, n in (counts or {}).items():
                result[code] = result.get(code, 0) + n
        return result

    found = {c for by in (per_month[CHANNEL], per_day[CHANNEL]) for counts in by.values() for c in counts}
    channels = ordered([c.code for c in book.codes["channel"]], found) or [c.code for c in book.codes["channel"]]

    def figures(period: Period) -> tuple[list[Figure], Figure]:
        """The period's figure per channel and its total, each with the link to its list."""
        counts = tally(CHANNEL, period)
        cells = [Figure(counts.get(c, 0), links.contacts(period, channel=c) if c else None) for c in channels]
        return cells, Figure(sum(counts.values()), links.contacts(period))

    comparison = []
    for key in PERIOD_KEYS:
        cells, now = figures(periods[key])
        before = sum(tally(CHANNEL, earlier[key]).values())
        comparison.append(
            Row(
                label=str(PERIOD_LABELS[key]),
                cells=cells,
                total=now,
                extra={
                    "period": periods[key],
                    "earlier": earlier[key],
                    "earlier_total": Figure(before, links.contacts(earlier[key])),
                    "change": change(now.count, before),
                },
            )
        )

    def day_rows(period: Period) -> list[Row]:
        rows = []
        for day in period.days():
            cells, total = figures(Period("day", day, day))
            rows.append(Row(label=day.isoformat(), cells=cells, total=total, extra={"day": day}))
        return rows

    year_months = []
    for month in periods["year"].months():
        cells, total = figures(Period("month", month, min(month_end(month), today)))
        year_months.append(Row(label=month.isoformat(), cells=cells, total=total, extra={"month": month}))

    # 2. Per counsellor (and the incomplete registrations): this week, month and year, live.
    this_year = Period("span", min(periods["week"].start, periods["year"].start), today)
    by_user = list(
        contacts.filter(started_within(this_year))
        .values("created_by")
        .annotate(
            **_period_counts(periods),
            incomplete=Count(
                "started_on", filter=Q(started_on__gte=periods["year"].start, status=Contact.Status.INCOMPLETE)
            ),
        )
        .order_by("-year", F("created_by").asc(nulls_last=True))
    )
    names = {
        u.pk: u.get_full_name() or u.get_username()
        for u in User.objects.filter(pk__in=[r["created_by"] for r in by_user if r["created_by"]]).only(
            "pk", "username", "first_name", "last_name"
        )
    }
    counsellors = [
        Row(
            label=names.get(r["created_by"], "") if r["created_by"] else _("Zonder gebruiker (ingevoerd door import)"),
            cells=[
                Figure(r[k], links.contacts(periods[k], counsellor=r["created_by"]) if r["created_by"] else None)
                for k in PERIOD_KEYS
            ],
        )
        for r in by_user
    ]

    # 3. Per caller region: this week, month and year. A region shows when a contact of this year
    # (or this week) has it, as the contacts' own regions.
    by_region = {key: tally(REGION, periods[key]) for key in PERIOD_KEYS}
    seen = {c for m in periods["year"].months() for c in per_month[REGION].get(m, {})}
    seen |= {c for day, counts in per_day[REGION].items() if day in this_year for c in counts}
    home = HOME_REGION.get(team.code)
    regions, subtotals = [], {"own": [0, 0, 0], "overflow": [0, 0, 0], "empty": [0, 0, 0]}
    for code in ordered([c.code for c in book.codes["caller_region"]], seen):
        group = "own" if code == home else "empty" if code is None else "overflow"
        counts = [by_region[k].get(code, 0) for k in PERIOD_KEYS]
        subtotals[group] = [a + b for a, b in zip(subtotals[group], counts, strict=True)]
        regions.append(
            Row(
                label=book.label("caller_region", code) if code else _("Leeg"),
                cells=[
                    Figure(n, links.contacts(periods[k], caller_region=code) if code else None)
                    for n, k in zip(counts, PERIOD_KEYS, strict=True)
                ],
                extra={"group": group},
            )
        )

    # 4. Follow-ups, incomplete registrations, drafts left.
    counts = follow_up_counts([team.pk], today)[team.pk]
    follow_ups = [
        Row(
            label=str(label),
            cells=[
                Figure(counts.get(kind, {}).get("open", 0), links.queue(kind=kind)),
                Figure(counts.get(kind, {}).get("overdue", 0), links.queue(kind=kind, overdue="on")),
                Figure(counts.get(kind, {}).get("unassigned", 0), links.queue(kind=kind, unassigned="on")),
            ],
        )
        for kind, label in Kind.choices
    ]
    follow_up_total = Row(
        label=_("Alle opvolgpunten"),
        cells=[
            Figure(sum(c.get("open", 0) for c in counts.values()), links.queue()),
            Figure(sum(c.get("overdue", 0) for c in counts.values()), links.queue(overdue="on")),
            Figure(sum(c.get("unassigned", 0) for c in counts.values()), links.queue(unassigned="on")),
        ],
    )
    # This year's: legacy records imported incomplete are no one's to-do.
    incomplete = Figure(sum(r["incomplete"] for r in by_user), links.contacts(periods["year"], incomplete="on"))
    drafts_left = Figure(counts.get(Kind.DRAFT_LEFT, {}).get("open", 0), links.queue(kind=Kind.DRAFT_LEFT))

    return {
        "team": team,
        "today": today,
        "periods": periods,
        "channels": [(c, book.label("channel", c) if c else _("Leeg")) for c in channels],
        "comparison": comparison,
        "week_days": day_rows(periods["week"]),
        "month_days": day_rows(periods["month"]),
        "year_months": year_months,
        "counsellors": counsellors,
        "regions": regions,
        "region_subtotals": [
            Row(label=str(GROUP_LABELS[g]), cells=[Figure(n) for n in subtotals[g]]) for g in GROUP_LABELS
        ],
        "home_region": book.label("caller_region", home) if home else None,
        "follow_ups": follow_ups,
        "follow_up_total": follow_up_total,
        "incomplete": incomplete,
        "drafts_left": drafts_left,
    }


PERIOD_LABELS = {
    "week": gettext_lazy("Deze week"),
    "month": gettext_lazy("Deze maand"),
    "year": gettext_lazy("Dit jaar"),
}
