"""The figures of the team coordinator's dashboard and of the Flemish per-team overview.

Contacts per channel and caller region come from the reports' pre-aggregation for whole months
(dashboard.monthly) and from the contacts themselves for the rest (days of this week and month,
a 29 February); what the pre-aggregation does not keep (per counsellor, incomplete registrations)
is counted from an index alone (registration migration 0010). Each table is one grouped query,
so both pages cost the same number of queries whatever the number of contacts. Every figure of
the team dashboard carries the URL of the list it counts (the contact list or the follow-up
queue, with filters).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from urllib.parse import quote_plus

from django.db.models import Count, F, Q, Sum
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from followup.models import FollowUpItem, Kind
from followup.selectors import follow_up_counts
from registration.codebook import CodeBook
from registration.models import Contact, Team
from reports import disclosure
from reports.disclosure import cell_display
from reports.selectors.publication import Publication, closed_months_notice

from . import monthly
from .monthly import CHANNEL, REGION
from .periods import Period, a_year_earlier, closed_periods, current_periods, month_end
from .publication import ALL_TEAMS, Cell, Tally, publishable_counts

# The province each team answers in the phone menu. Calls from another province or from option 0
# ("unknown / don't want to say") reach a team when it has a free line: the overflow.
HOME_REGION = {
    "noord-west-vlaanderen": "west-vlaanderen",
    "oost-vlaanderen": "oost-vlaanderen",
    "antwerpen": "antwerpen",
    "limburg": "limburg",
    "oost-brabant": "vlaams-brabant-brussel",
}
PERIOD_KEYS = ("week", "month", "year")


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


def change(now: int, before: int) -> float | None:
    """The change against the earlier count, in percent (None when there was nothing to compare)."""
    return None if not before else round((now - before) * 100 / before, 1)


def _spans(*periods: Period) -> Q:
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


def _period_counts(periods: dict[str, Period]) -> dict:
    # Counting started_on (never empty), not the id: the counts come from an index alone (index-only scan).
    return {
        key: Count("started_on", filter=Q(started_on__gte=p.start, started_on__lte=p.end)) for key, p in periods.items()
    }


def _ordered(codes_in_list: list[str], found: set) -> list:
    """The list's codes, then codes found in the data but not in the list, then Leeg (None)."""
    extra = sorted(c for c in found if c is not None and c not in codes_in_list)
    return [*codes_in_list, *extra, *([None] if None in found else [])]


# ---------------------------------------------------------------------------- team dashboard


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
        contacts.filter(_spans(*live))
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
    channels = _ordered([c.code for c in book.codes["channel"]], found) or [c.code for c in book.codes["channel"]]

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
        contacts.filter(_spans(this_year))
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
    for code in _ordered([c.code for c in book.codes["caller_region"]], seen):
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
GROUP_LABELS = {
    "own": gettext_lazy("Eigen regio"),
    "overflow": gettext_lazy("Andere regio's en optie 0 (overloop)"),
    "empty": gettext_lazy("Regio leeg"),
}


# ---------------------------------------------------------------------------- Flemish overview


def _published_figure(cell: dict) -> Figure:
    return Figure(cell["count"], display=cell_display(cell))


def _published_change(now: dict, before: dict) -> float | None:
    """The change between two published cells (None when either is below the threshold)."""
    if now["count"] is None or before["count"] is None:
        return None
    return change(now["count"], before["count"])


def flemish_overview(today: date) -> dict:
    """Return the per-team figures of the closed periods, side by side, as published (issue 12)."""
    book = CodeBook(lists=["channel", "caller_region"])
    closed = closed_periods(today)
    earlier = {key: a_year_earlier(p) for key, p in closed.items()}
    every_team = list(Team.objects.all())
    teams = [t for t in every_team if t.active]
    # Grouped by team id (no join on the large table); the code names the column.
    code_of = {t.pk: t.code for t in every_team}
    columns = [t.code for t in teams] + [ALL_TEAMS]
    # The month's cut (issue 12): a registration made after the first read under the rule this
    # month (one dated back into a closed month, an import) counts from next month, so two reads
    # within a month show the same figures.
    publication = Publication(today)

    cut = publication.registered_before
    contacts = Contact.objects.filter(team__isnull=False)
    spans = {"month": closed["month"], "year": closed["year"], "month_ly": earlier["month"], "year_ly": earlier["year"]}
    # 1. Contacts per team and channel and per team and caller region in each closed period and a
    # year earlier, each count beside its key sum: the whole months from the pre-aggregation less
    # what was registered there since the cut, the rest of a period (a 29 February) counted live.
    use_cube = monthly.preaggregated()
    split = {key: monthly.split(period, use_cube) for key, period in spans.items()}
    months = sorted({m for whole, _parts in split.values() for m in whole})
    cube_cells = monthly.month_cells(code_of, months) if use_cube else {}

    registered, since_cut = Q(created_at__lt=cut), Q(created_at__gte=cut)
    counted = {}
    for key, (whole, parts) in split.items():
        # Only the counts a period needs (usually: what was registered since the cut in its months).
        if parts:
            counted[key] = Count("id", filter=registered & _spans(*parts))
            counted[f"{key}_k"] = Sum("record_key", filter=registered & _spans(*parts))
        if whole:
            in_months = since_cut & _spans(*(Period("month", m, month_end(m)) for m in whole))
            counted[f"{key}_late"] = Count("id", filter=in_months)
            counted[f"{key}_late_k"] = Sum("record_key", filter=in_months)
    rest_rows = list(
        contacts.filter(
            (registered & _spans(*(p for _w, parts in split.values() for p in parts)))
            | (since_cut & _spans(*(Period("month", m, month_end(m)) for m in months)))
        )
        .values("team_id", "channel", "caller_region")
        .annotate(**counted)
        .order_by()
    )
    # (period key, dimension, team id, code) → (count, key sum)
    tallies: dict[tuple[str, str, int, str | None], list[int]] = {}
    for key, (whole, _parts) in split.items():
        for (dimension, team_id, month, code), (n, k) in cube_cells.items():
            if month in whole:
                tally = tallies.setdefault((key, dimension, team_id, code), [0, 0])
                tally[0], tally[1] = tally[0] + n, tally[1] + k
    for r in rest_rows:
        for key in spans:
            n = r.get(key, 0) - r.get(f"{key}_late", 0)
            k = (r.get(f"{key}_k") or 0) - (r.get(f"{key}_late_k") or 0)
            for dimension, code in ((CHANNEL, r["channel"]), (REGION, r["caller_region"])):
                tally = tallies.setdefault((key, dimension, r["team_id"], code), [0, 0])
                tally[0], tally[1] = tally[0] + n, tally[1] + k
    # The incomplete registrations of the closed year (the pre-aggregation does not keep a status).
    incomplete_rows = list(
        contacts.filter(
            registered,
            _spans(closed["year"]),
            status=Contact.Status.INCOMPLETE,
        )
        .values("team_id")
        .annotate(incomplete=Count("started_on"), incomplete_k=Sum("record_key"))
        .order_by()
    )
    # 2. Follow-ups that arrived in the closed month: how many, and how many were late, both as they
    # stood at the month's cut (an item entered later, or late only later, counts from next month):
    # closed late before the cut, or still open at the cut past its last day.
    month = closed["month"]
    cut_day = timezone.localdate(cut)
    late = Q(due_on__isnull=False) & (
        Q(closed_at__lt=cut, closed_at__date__gt=F("due_on"))
        | ((Q(closed_at__isnull=True) | Q(closed_at__gte=cut)) & Q(due_on__lt=cut_day))
    )
    follow_rows = list(
        FollowUpItem.objects.filter(
            received_at__date__gte=month.start, received_at__date__lte=month.end, created_at__lt=cut
        )
        .values("team_id")
        .annotate(
            arrived=Count("id"),
            arrived_k=Sum("record_key"),
            late=Count("id", filter=late),
            late_k=Sum("record_key", filter=late),
        )
        .order_by()
    )

    year_cells: dict[Cell, Tally] = {}
    month_cells: dict[Cell, Tally] = {}
    earlier_month: dict[Cell, Tally] = {}
    earlier_year: dict[Cell, Tally] = {}

    def add(cells: dict, figure: str, team_code: str | None, row: dict, key: str) -> None:
        n, k = row[key], row[f"{key}_k"] or 0
        for column in (team_code, ALL_TEAMS) if team_code else (ALL_TEAMS,):
            count, key_sum = cells.get((figure, column), (0, 0))
            cells[(figure, column)] = (count + n, key_sum + k)

    def seen(dimension: str) -> set:
        """The codes of the contacts of this year and last year's same period."""
        return {c for (key, d, _t, c), (n, _k) in tallies.items() if d == dimension and n and key.startswith("year")}

    channels = _ordered([c.code for c in book.codes["channel"]], seen(CHANNEL))
    regions = _ordered([c.code for c in book.codes["caller_region"]], seen(REGION))
    # Every figure a row shows, so that a figure without any record still passes the door (as 0).
    for figure in ("contacts", *[f"channel:{c}" for c in channels], "follow_ups_arrived", "follow_ups_late"):
        add(month_cells, figure, None, {"n": 0, "n_k": 0}, "n")
    for figure in ("contacts", *[f"channel:{c}" for c in channels], "incomplete"):
        add(year_cells, figure, None, {"n": 0, "n_k": 0}, "n")
    for figure in (*[f"region:{c}" for c in regions], *[f"region_group:{g}" for g in GROUP_LABELS]):
        add(year_cells, figure, None, {"n": 0, "n_k": 0}, "n")
    add(earlier_month, "contacts", None, {"n": 0, "n_k": 0}, "n")
    add(earlier_year, "contacts", None, {"n": 0, "n_k": 0}, "n")

    into = {"month": month_cells, "year": year_cells, "month_ly": earlier_month, "year_ly": earlier_year}
    for (key, dimension, team_id, code), (n, k) in tallies.items():
        team_code, r = code_of[team_id], {"n": n, "n_k": k}
        if dimension == CHANNEL:
            # Every contact has one channel (or none): the channels' cells add up to the contacts.
            add(into[key], "contacts", team_code, r, "n")
            if key in ("month", "year"):
                add(into[key], f"channel:{code}", team_code, r, "n")
        elif key == "year":
            group = "own" if code == HOME_REGION.get(team_code) else "empty" if code is None else "overflow"
            add(year_cells, f"region:{code}", team_code, r, "n")
            add(year_cells, f"region_group:{group}", team_code, r, "n")
    for r in incomplete_rows:
        add(year_cells, "incomplete", code_of[r["team_id"]], r, "incomplete")
    for r in follow_rows:
        add(month_cells, "follow_ups_arrived", code_of[r["team_id"]], r, "arrived")
        add(month_cells, "follow_ups_late", code_of[r["team_id"]], r, "late")

    month_shown = publishable_counts(month_cells, period=closed["month"], today=today, columns=columns)
    year_shown = publishable_counts(year_cells, period=closed["year"], today=today, columns=columns)
    earlier_month_shown = publishable_counts(earlier_month, period=earlier["month"], today=today, columns=columns)
    earlier_year_shown = publishable_counts(earlier_year, period=earlier["year"], today=today, columns=columns)

    def row(label, cells: dict, figure: str) -> Row:
        return Row(label=str(label), cells=[_published_figure(cells[(figure, c)]) for c in columns])

    def change_row(label, now: dict, before: dict) -> Row:
        values = [_published_change(now[("contacts", c)], before[("contacts", c)]) for c in columns]
        return Row(label=str(label), extra={"changes": values})

    sections = [
        {
            "title": _("Vorige maand"),
            "period": closed["month"],
            "rows": [
                row(_("Contacten"), month_shown, "contacts"),
                row(_("Zelfde maand vorig jaar"), earlier_month_shown, "contacts"),
                change_row(_("Verschil"), month_shown, earlier_month_shown),
                *[
                    row(book.label("channel", c) if c else _("Kanaal leeg"), month_shown, f"channel:{c}")
                    for c in channels
                ],
                row(_("Opvolgpunten binnengekomen"), month_shown, "follow_ups_arrived"),
                row(_("waarvan te laat afgehandeld of nog open"), month_shown, "follow_ups_late"),
            ],
        },
        {
            "title": _("Dit jaar tot en met vorige maand"),
            "period": closed["year"],
            "rows": [
                row(_("Contacten"), year_shown, "contacts"),
                row(_("Zelfde periode vorig jaar"), earlier_year_shown, "contacts"),
                change_row(_("Verschil"), year_shown, earlier_year_shown),
                *[
                    row(book.label("channel", c) if c else _("Kanaal leeg"), year_shown, f"channel:{c}")
                    for c in channels
                ],
                row(_("Regio: eigen regio"), year_shown, "region_group:own"),
                row(_("Regio: andere regio's en optie 0 (overloop)"), year_shown, "region_group:overflow"),
                row(_("Regio: leeg"), year_shown, "region_group:empty"),
                *[
                    row(_("Regio %(region)s") % {"region": book.label("caller_region", c)}, year_shown, f"region:{c}")
                    for c in regions
                    if c
                ],
                row(_("Onvolledige registraties"), year_shown, "incomplete"),
            ],
        },
    ]
    return {
        "teams": teams,
        "today": today,
        "sections": sections,
        "closed_months_notice": closed_months_notice(publication),
        "perturbation_note": str(disclosure.NOTE),
    }
