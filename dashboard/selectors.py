"""The figures of the team coordinator's dashboard and of the Flemish per-team overview.

Each table is one grouped query (conditional counts per period), so both pages cost the same
number of queries whatever the number of contacts. Every figure of the team dashboard carries
the URL of the list it counts (the contact list or the follow-up queue, with filters).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from django.db.models import Count, F, Q, Sum
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.http import urlencode
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

from .periods import Period, a_year_earlier, closed_periods, current_periods
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


def contact_list_url(team: Team, period: Period | None = None, **filters) -> str:
    params = {"team": team.code}
    if period is not None:
        params.update(date_from=period.start.isoformat(), date_to=period.end.isoformat())
    params.update({k: v for k, v in filters.items() if v not in (None, "")})
    return f"{_list_path('registration:contact-list')}?{urlencode(params)}"


def queue_url(team: Team, **filters) -> str:
    params = {"team": team.code, **{k: v for k, v in filters.items() if v}}
    return f"{_list_path('followup:queue')}?{urlencode(params)}"


def change(now: int, before: int) -> float | None:
    """The change against the earlier count, in percent (None when there was nothing to compare)."""
    return None if not before else round((now - before) * 100 / before, 1)


def _spans(*periods: Period) -> Q:
    q = Q(pk__in=[])
    for period in periods:
        q |= Q(started_on__gte=period.start, started_on__lte=period.end)
    return q


def _period_counts(periods: dict[str, Period]) -> dict:
    return {key: Count("id", filter=Q(started_on__gte=p.start, started_on__lte=p.end)) for key, p in periods.items()}


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

    # 1. Contacts per day and channel, over this year, this week and their counterparts.
    per_day: dict[date, dict[str | None, int]] = {}
    rows = (
        contacts.filter(_spans(*periods.values(), *earlier.values()))
        .values_list("started_on", "channel")
        .annotate(n=Count("id"))
        .order_by()
    )
    for day, channel, n in rows:
        per_day.setdefault(day, {})[channel] = n
    found = {channel for counts in per_day.values() for channel in counts}
    channels = _ordered([c.code for c in book.codes["channel"]], found) or [c.code for c in book.codes["channel"]]

    def total(period: Period, channel="*") -> int:
        days = (per_day.get(day, {}) for day in period.days())
        return sum(sum(counts.values()) if channel == "*" else counts.get(channel, 0) for counts in days)

    def cells(period: Period) -> list[Figure]:
        return [Figure(total(period, c), contact_list_url(team, period, channel=c) if c else None) for c in channels]

    comparison = []
    for key in PERIOD_KEYS:
        now_count, before = total(periods[key]), total(earlier[key])
        comparison.append(
            Row(
                label=str(PERIOD_LABELS[key]),
                cells=cells(periods[key]),
                total=Figure(now_count, contact_list_url(team, periods[key])),
                extra={
                    "period": periods[key],
                    "earlier": earlier[key],
                    "earlier_total": Figure(before, contact_list_url(team, earlier[key])),
                    "change": change(now_count, before),
                },
            )
        )

    def day_rows(period: Period) -> list[Row]:
        return [
            Row(
                label=day.isoformat(),
                cells=cells(Period("day", day, day)),
                total=Figure(total(Period("day", day, day)), contact_list_url(team, Period("day", day, day))),
                extra={"day": day},
            )
            for day in period.days()
        ]

    year_months = []
    for month in periods["year"].months():
        span = Period("month", month, min(_month_end(month), today))
        year_months.append(
            Row(
                label=month.isoformat(),
                cells=cells(span),
                total=Figure(total(span), contact_list_url(team, span)),
                extra={"month": month},
            )
        )

    # 2. Per counsellor and 3. per caller region: this week, month and year.
    this_year = Period("span", min(periods["week"].start, periods["year"].start), today)
    in_span = contacts.filter(_spans(this_year))
    by_user = list(
        in_span.values("created_by")
        .annotate(**_period_counts(periods))
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
                Figure(
                    r[k], contact_list_url(team, periods[k], counsellor=r["created_by"]) if r["created_by"] else None
                )
                for k in PERIOD_KEYS
            ],
        )
        for r in by_user
    ]

    by_region = {
        r["caller_region"]: r
        for r in in_span.values("caller_region")
        .annotate(
            **_period_counts(periods),
            incomplete=Count("id", filter=Q(started_on__gte=periods["year"].start, status=Contact.Status.INCOMPLETE)),
        )
        .order_by()
    }
    home = HOME_REGION.get(team.code)
    regions, subtotals = [], {"own": [0, 0, 0], "overflow": [0, 0, 0], "empty": [0, 0, 0]}
    for code in _ordered([c.code for c in book.codes["caller_region"]], set(by_region)):
        r = by_region.get(code, {})
        group = "own" if code == home else "empty" if code is None else "overflow"
        counts = [r.get(k, 0) for k in PERIOD_KEYS]
        subtotals[group] = [a + b for a, b in zip(subtotals[group], counts, strict=True)]
        regions.append(
            Row(
                label=book.label("caller_region", code) if code else _("Leeg"),
                cells=[
                    Figure(n, contact_list_url(team, periods[k], caller_region=code) if code else None)
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
                Figure(counts.get(kind, {}).get("open", 0), queue_url(team, kind=kind)),
                Figure(counts.get(kind, {}).get("overdue", 0), queue_url(team, kind=kind, overdue="on")),
                Figure(counts.get(kind, {}).get("unassigned", 0), queue_url(team, kind=kind, unassigned="on")),
            ],
        )
        for kind, label in Kind.choices
    ]
    follow_up_total = Row(
        label=_("Alle opvolgpunten"),
        cells=[
            Figure(sum(c.get("open", 0) for c in counts.values()), queue_url(team)),
            Figure(sum(c.get("overdue", 0) for c in counts.values()), queue_url(team, overdue="on")),
            Figure(sum(c.get("unassigned", 0) for c in counts.values()), queue_url(team, unassigned="on")),
        ],
    )
    # This year's: legacy records imported incomplete are no one's to-do.
    incomplete = Figure(
        sum(r["incomplete"] for r in by_region.values()), contact_list_url(team, periods["year"], incomplete="on")
    )
    drafts_left = Figure(counts.get(Kind.DRAFT_LEFT, {}).get("open", 0), queue_url(team, kind=Kind.DRAFT_LEFT))

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


def _month_end(month: date) -> date:
    following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


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


def _period_tallies(periods: dict[str, Period], **extra: Q) -> dict:
    """Per period (and per extra condition within the year): the count and the sum of record keys."""
    tallies = {}
    conditions = {key: Q(started_on__gte=p.start, started_on__lte=p.end) for key, p in periods.items()}
    conditions.update(extra)
    for key, condition in conditions.items():
        tallies[key] = Count("id", filter=condition)
        tallies[f"{key}_k"] = Sum("record_key", filter=condition)
    return tallies


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

    contacts = Contact.objects.filter(team__isnull=False, created_at__lt=publication.registered_before)
    spans = {"month": closed["month"], "year": closed["year"], "month_ly": earlier["month"], "year_ly": earlier["year"]}
    # 1. Contacts per team, channel and caller region in each closed period and a year earlier, and
    # the incomplete ones: one scan for every contact figure, each count beside its key sum.
    incomplete = Q(
        started_on__gte=closed["year"].start, started_on__lte=closed["year"].end, status=Contact.Status.INCOMPLETE
    )
    channel_rows = list(
        contacts.filter(_spans(closed["year"], earlier["year"]))
        .values("team_id", "channel", "caller_region")
        .annotate(**_period_tallies(spans, incomplete=incomplete))
        .order_by()
    )
    # 2. Follow-ups that arrived in the closed month: how many, and how many were (or are) late.
    month = closed["month"]
    late = Q(due_on__isnull=False) & (Q(closed_at__isnull=True, due_on__lt=today) | Q(closed_at__date__gt=F("due_on")))
    follow_rows = list(
        FollowUpItem.objects.filter(received_at__date__gte=month.start, received_at__date__lte=month.end)
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

    channels = _ordered([c.code for c in book.codes["channel"]], {r["channel"] for r in channel_rows})
    regions = _ordered([c.code for c in book.codes["caller_region"]], {r["caller_region"] for r in channel_rows})
    # Every figure a row shows, so that a figure without any record still passes the door (as 0).
    for figure in ("contacts", *[f"channel:{c}" for c in channels], "follow_ups_arrived", "follow_ups_late"):
        add(month_cells, figure, None, {"n": 0, "n_k": 0}, "n")
    for figure in ("contacts", *[f"channel:{c}" for c in channels], "incomplete"):
        add(year_cells, figure, None, {"n": 0, "n_k": 0}, "n")
    for figure in (*[f"region:{c}" for c in regions], *[f"region_group:{g}" for g in GROUP_LABELS]):
        add(year_cells, figure, None, {"n": 0, "n_k": 0}, "n")
    add(earlier_month, "contacts", None, {"n": 0, "n_k": 0}, "n")
    add(earlier_year, "contacts", None, {"n": 0, "n_k": 0}, "n")

    for r in channel_rows:
        team_code, code = code_of[r["team_id"]], r["caller_region"]
        add(month_cells, "contacts", team_code, r, "month")
        add(month_cells, f"channel:{r['channel']}", team_code, r, "month")
        add(year_cells, "contacts", team_code, r, "year")
        add(year_cells, f"channel:{r['channel']}", team_code, r, "year")
        add(year_cells, "incomplete", team_code, r, "incomplete")
        add(earlier_month, "contacts", team_code, r, "month_ly")
        add(earlier_year, "contacts", team_code, r, "year_ly")
        group = "own" if code == HOME_REGION.get(team_code) else "empty" if code is None else "overflow"
        add(year_cells, f"region:{code}", team_code, r, "year")
        add(year_cells, f"region_group:{group}", team_code, r, "year")
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
