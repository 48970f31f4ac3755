"""Deadlines in working days.

A working day is Monday to Friday, except the days kept as `registration.models.Closure`
(the Belgian public holidays are loaded; a closure an administrator adds counts at once).

An item is due at the end of its last day, `due_on`, in Brussels time; it is overdue from the
next day on. The last day is counted from the local day the item arrived (the arrival day
itself never counts, whatever the hour):

- an e-mail: the second working day after the arrival day. Friday 19:00 before Easter Monday
  → Tuesday is the first working day after it, Wednesday the second: due at the end of Wednesday;
- a voicemail: the same day if it arrived on a working day, else the next working day;
- the kinds the rules open, with the deadlines of `WORKING_DAYS` below.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.utils import timezone

from registration.models import Closure

from .models import Kind

# Working days after the arrival day; 0 = the arrival day itself when it is a working day
# (else the next one); None = no deadline.
WORKING_DAYS: dict[str, int | None] = {
    Kind.VOICEMAIL: 0,
    Kind.EMAIL: 2,
    # Very concerning: the team talks it through on the next working day at the latest.
    Kind.TEAM_CONSULTATION: 1,
    # As long as an e-mail answer: the counsellor still remembers the call.
    Kind.INCOMPLETE: 2,
    # It already lay a day before it became an item: the same (or next) working day.
    Kind.DRAFT_LEFT: 0,
    # The caller decides when to call again.
    Kind.NEW_CONTACT_EXPECTED: None,
}
# No run of closed days is this long: the window of closures one computation reads.
LOOKAHEAD_DAYS = 60


def is_working_day(day: date, closed: set[date]) -> bool:
    return day.weekday() < 5 and day not in closed


def working_day_on_or_after(day: date, closed: set[date]) -> date:
    while not is_working_day(day, closed):
        day += timedelta(days=1)
    return day


def nth_working_day_after(day: date, n: int, closed: set[date]) -> date:
    """The n-th working day after `day` (n ≥ 1); `day` itself never counts."""
    found = 0
    while found < n:
        day += timedelta(days=1)
        if is_working_day(day, closed):
            found += 1
    return day


def last_day(arrived_on: date, working_days: int, closed: set[date]) -> date:
    """The last day to act on something that arrived on `arrived_on`."""
    if working_days == 0:
        return working_day_on_or_after(arrived_on, closed)
    return nth_working_day_after(arrived_on, working_days, closed)


def closures_between(start: date, end: date) -> set[date]:
    """Return the closure days from start to end (one query)."""
    return set(Closure.objects.filter(date__gte=start, date__lte=end).values_list("date", flat=True))


def due_on_for(kind: str, received_at: datetime, *, closed: set[date] | None = None) -> date | None:
    """Return the last day for an item of this kind that arrived at this instant (None: no deadline)."""
    working_days = WORKING_DAYS[kind]
    if working_days is None:
        return None
    arrived_on = timezone.localtime(received_at).date()
    if closed is None:
        closed = closures_between(arrived_on, arrived_on + timedelta(days=LOOKAHEAD_DAYS))
    return last_day(arrived_on, working_days, closed)


def due_dates_for(items: Iterable) -> dict[int, date | None]:
    """Return the last day of each item (kind, received_at) by pk, with one query for the closures."""
    items = list(items)
    days = [timezone.localtime(item.received_at).date() for item in items]
    if not days:
        return {}
    closed = closures_between(min(days), max(days) + timedelta(days=LOOKAHEAD_DAYS))
    return {item.pk: due_on_for(item.kind, item.received_at, closed=closed) for item in items}
