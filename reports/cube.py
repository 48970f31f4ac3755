"""Pre-aggregated counts per bucket (ten days of a month) and team (PostgreSQL only), refreshed
before every read.

The report's groupings (reports.selectors, `standard_groupings`) are counted per bucket and
team into CubeCount. Triggers (migration 0002) mark a bucket and team dirty in the same
transaction as any change to a contact, reported person, form of violence or referral; before
reading, `refresh` recounts the dirty buckets (and months never aggregated) from the live
tables. A report is then one small sum over CubeCount, and still sees every change at once.
"""

from __future__ import annotations

import calendar
import json
from datetime import date
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, Count, F, IntegerField, Q, Sum, Value, When
from django.db.models.functions import TruncMonth

from .models import CubeCount, CubeMonth

if TYPE_CHECKING:
    from .selectors.counting import Grouping

# Serialises refreshes: two reports never recount the same bucket at the same time.
LOCK_ID = 1712_0006
BATCH = 5000


def enabled(report_filter) -> bool:
    """Whether a report can be read from the pre-aggregated counts."""
    if connection.vendor != "postgresql" or not getattr(settings, "REPORT_PREAGGREGATE", True):
        return False
    start, end = report_filter.start, report_filter.end
    last_day = calendar.monthrange(end.year, end.month)[1]
    return start.day == 1 and end.day == last_day and start <= end


def months_of(start: date, end: date) -> list[date]:
    months, current = [], date(start.year, start.month, 1)
    while current <= end:
        months.append(current)
        current = date(current.year + (current.month == 12), current.month % 12 + 1, 1)
    return months


def month_end(month: date) -> date:
    return date(month.year, month.month, calendar.monthrange(month.year, month.month)[1])


def bucket_of(day: date) -> date:
    """The bucket of a day: the 1st, 11th or 21st of its month (migration 0002 computes the same)."""
    return date(day.year, day.month, 1 if day.day <= 10 else 11 if day.day <= 20 else 21)


def bucket_end(bucket: date) -> date:
    return date(bucket.year, bucket.month, bucket.day + 9) if bucket.day in (1, 11) else month_end(bucket)


def grouping_name(key: tuple) -> str:
    """How a Grouping.key is stored in CubeCount.grouping (counts already stored must keep matching)."""
    base, without_person, names = key
    return json.dumps([base, without_person, list(names)])


def refresh(report_filter, groupings: list[Grouping]) -> None:
    """Recount the months never aggregated and the dirty buckets of the report's period."""
    months = months_of(report_filter.start, report_filter.end)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_ID])
            cursor.execute(
                "DELETE FROM reports_dirtybucket WHERE bucket >= %s AND bucket <= %s RETURNING bucket, team_key",
                [months[0], month_end(months[-1])],
            )
            dirty = set(cursor.fetchall())
        built = set(CubeMonth.objects.filter(month__in=months).values_list("month", flat=True))
        missing = [m for m in months if m not in built]
        dirty = {(b, k) for b, k in dirty if date(b.year, b.month, 1) in built}
        if not missing and not dirty:
            return
        if not missing:
            # A few small buckets: index lookups beat the scans the planner would cost for a year.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL random_page_cost = 1.1")

        # Consecutive missing months are counted as one range of dates.
        ranges: list[list[date]] = []
        for month in missing:
            if ranges and months.index(month) == months.index(ranges[-1][-1]) + 1:
                ranges[-1].append(month)
            else:
                ranges.append([month])

        def recounted(prefix: str) -> Q:
            q = Q(pk__in=[])
            for run in ranges:
                q |= Q(**{f"{prefix}started_on__gte": run[0], f"{prefix}started_on__lte": month_end(run[-1])})
            for bucket, team_key in dirty:
                team = Q(**{f"{prefix}team_id": team_key}) if team_key else Q(**{f"{prefix}team__isnull": True})
                q |= team & Q(**{f"{prefix}started_on__gte": bucket, f"{prefix}started_on__lte": bucket_end(bucket)})
            return q

        stale = Q(pk__in=[])
        for run in ranges:
            stale |= Q(bucket__gte=run[0], bucket__lte=month_end(run[-1]))
        for bucket, team_key in dirty:
            stale |= Q(bucket=bucket, team_key=team_key)
        CubeCount.objects.filter(stale).delete()

        rows: list[CubeCount] = []
        for grouping in {g.key: g for g in groupings}.values():
            rows += bucket_counts(grouping, recounted)
        CubeCount.objects.bulk_create(rows, batch_size=BATCH)
        CubeMonth.objects.bulk_create([CubeMonth(month=m) for m in missing], ignore_conflicts=True)


def bucket_counts(grouping: Grouping, where) -> list[CubeCount]:
    """One grouping's counts per bucket and team, for the contacts `where` selects (one query)."""
    prefix = grouping.contact_prefix
    aliases = grouping.aliases()
    values = list(aliases)
    aliases["bucket_month"] = TruncMonth(f"{prefix}started_on")
    aliases["bucket_part"] = Case(
        When(**{f"{prefix}started_on__day__lte": 10}, then=Value(1)),
        When(**{f"{prefix}started_on__day__lte": 20}, then=Value(11)),
        default=Value(21),
        output_field=IntegerField(),
    )
    aliases["bucket_team"] = F(f"{prefix}team_id")
    name = grouping_name(grouping.key)
    rows = []
    for row in grouping.queryset(where).values(**aliases).annotate(n=Count("pk")):
        month = row["bucket_month"]
        rows.append(
            CubeCount(
                bucket=date(month.year, month.month, row["bucket_part"]),
                team_key=row["bucket_team"] or 0,
                grouping=name,
                values=[row[v] for v in values],
                count=row["n"],
            )
        )
    return rows


def counts(report_filter, team_ids: list[int] | None, groupings: list[Grouping]) -> dict[tuple, dict[tuple, int]]:
    """The grouped counts of a report's period and teams by Grouping.key, summed from the pre-aggregated
    counts (one query after a refresh)."""
    refresh(report_filter, groupings)
    wanted = {grouping_name(g.key) for g in groupings}
    qs = CubeCount.objects.filter(bucket__gte=report_filter.start, bucket__lte=report_filter.end)
    if team_ids is not None:
        qs = qs.filter(team_key__in=team_ids)
    grouped: dict[tuple, dict[tuple, int]] = {g.key: {} for g in groupings}
    for row in qs.values("grouping", "values").annotate(n=Sum("count")).order_by():
        if row["grouping"] not in wanted:
            continue
        base, without_person, names = json.loads(row["grouping"])
        grouped[(base, without_person, tuple(names))][tuple(row["values"])] = row["n"]
    return grouped
