"""The Flemish coordinator's overview: the team dashboard's counts per team side by side, for
closed periods only, no names and no case content, as published (issue 12: dashboard.publication).

Whole months come from the reports' pre-aggregation less what was registered after the month's
publication cut (dashboard.monthly); follow-ups are read as they stood at the cut.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from followup.models import FollowUpItem
from registration.codebook import CodeBook
from registration.models import Contact, Team
from reports import disclosure
from reports.disclosure import cell_display
from reports.selectors.publication import Publication, closed_months_notice

from . import monthly
from .figures import GROUP_LABELS, HOME_REGION, Figure, Row, change, ordered, started_within
from .monthly import CHANNEL, REGION
from .periods import Period, a_year_earlier, closed_periods, month_end
from .publication import ALL_TEAMS, Cell, Tally, publishable_counts


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
            counted[key] = Count("id", filter=registered & started_within(*parts))
            counted[f"{key}_k"] = Sum("record_key", filter=registered & started_within(*parts))
        if whole:
            in_months = since_cut & started_within(*(Period("month", m, month_end(m)) for m in whole))
            counted[f"{key}_late"] = Count("id", filter=in_months)
            counted[f"{key}_late_k"] = Sum("record_key", filter=in_months)
    rest_rows = list(
        contacts.filter(
            (registered & started_within(*(p for _w, parts in split.values() for p in parts)))
            | (since_cut & started_within(*(Period("month", m, month_end(m)) for m in months)))
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
            started_within(closed["year"]),
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

    channels = ordered([c.code for c in book.codes["channel"]], seen(CHANNEL))
    regions = ordered([c.code for c in book.codes["caller_region"]], seen(REGION))
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
