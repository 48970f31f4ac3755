"""Paging of the contact list at any size: keyset paging with an opaque cursor and a bounded count.

`OFFSET` paging reads every row before the page (page 500 of a team: 25,000 index rows) and
`COUNT(*)` every matching row. Here a page starts from the last row of the one before it (its
date, start time and id: the list's order, ties broken by id), so any page costs about as much as
the first; the count stops at `COUNT_LIMIT` ("meer dan 10.000"). "?page=N" still works for the
first pages (`OFFSET_PAGES`), so links and bookmarks of a page number keep working.

A cursor holds a date, an instant, an id and a page number, nothing else: never typed text.
It is opaque (base64) only so nobody builds on its shape; tampering with it moves within the
user's own list, whose scope the query applies regardless.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.db.models import F, Q, QuerySet

# The count stops here: above it the list says "meer dan 10.000".
COUNT_LIMIT = 10_000
# "?page=N" (OFFSET) is served up to this page; further pages are reached by cursor.
OFFSET_PAGES = 20

# The list's order: newest day first, within a day the latest start first, ties broken by id.
# Contacts without a time (legacy records) come first within their day, as PostgreSQL sorts NULL
# in a descending order by default (and its index contact_list_order holds them); said explicitly
# so SQLite, whose default differs, agrees, which the cursor relies on.
ORDER = (F("started_on").desc(), F("started_at").desc(nulls_first=True), F("id").desc())
REVERSE = (F("started_on").asc(), F("started_at").asc(nulls_last=True), F("id").asc())


@dataclass(frozen=True)
class Cursor:
    """A position in the list: the row a page starts after (or, backward, ends before)."""

    started_on: date
    started_at: datetime | None
    id: int
    number: int
    backward: bool = False

    @classmethod
    def of(cls, contact, *, number: int, backward: bool = False) -> Cursor:
        return cls(contact.started_on, contact.started_at, contact.pk, number, backward)

    def encode(self) -> str:
        moment = "-" if self.started_at is None else str(_microseconds(self.started_at))
        raw = f"{'b' if self.backward else 'a'}.{self.started_on:%Y%m%d}.{moment}.{self.id}.{self.number}"
        return base64.urlsafe_b64encode(raw.encode("ascii")).decode("ascii").rstrip("=")

    @classmethod
    def decode(cls, text: str | None) -> Cursor | None:
        """The cursor in `text`, or None for anything that is not one (bad bytes, tampering, too long)."""
        if not text or len(text) > 96:
            return None
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode("ascii")
            direction, day, moment, pk, number = raw.split(".")
            if direction not in ("a", "b") or not (day.isdigit() and pk.isdigit() and number.isdigit()):
                return None
            started_on = date(int(day[:4]), int(day[4:6]), int(day[6:8]))
            started_at = None if moment == "-" else _from_microseconds(int(moment))
            return cls(started_on, started_at, int(pk), max(int(number), 1), direction == "b")
        except (ValueError, TypeError, OverflowError, UnicodeError, binascii.Error):
            return None


def _microseconds(moment: datetime) -> int:
    delta = moment - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _from_microseconds(value: int) -> datetime:
    if value < 0 or value > 10**17:
        raise ValueError("out of range")
    seconds, micro = divmod(value, 1_000_000)
    return datetime.fromtimestamp(seconds, tz=UTC).replace(microsecond=micro)


def after(cursor: Cursor) -> Q:
    """The rows that come after the cursor's row in the list's order."""
    day, moment, pk = cursor.started_on, cursor.started_at, cursor.id
    if moment is None:
        same_day = Q(started_on=day) & (Q(started_at__isnull=False) | Q(id__lt=pk))
    else:
        same_day = Q(started_on=day) & (Q(started_at__lt=moment) | Q(started_at=moment, id__lt=pk))
    # The plain bound first: it is where an index scan in the list's order starts.
    return Q(started_on__lte=day) & (Q(started_on__lt=day) | same_day)


def before(cursor: Cursor) -> Q:
    """The rows that come before the cursor's row in the list's order."""
    day, moment, pk = cursor.started_on, cursor.started_at, cursor.id
    if moment is None:
        same_day = Q(started_on=day, started_at__isnull=True, id__gt=pk)
    else:
        same_day = Q(started_on=day) & (
            Q(started_at__isnull=True) | Q(started_at__gt=moment) | Q(started_at=moment, id__gt=pk)
        )
    return Q(started_on__gte=day) & (Q(started_on__gt=day) | same_day)


class ContactPage:
    """One page of the list, with the few facts the screen and the audit trail need.

    Shaped like Django's Page where the templates and tests read it (object_list, number,
    iteration, paginator.count, paginator.num_pages), so the list's callers did not change.
    """

    def __init__(self, rows, *, number, count, has_previous, has_next, per_page):
        self.object_list = rows
        self.number = number
        # The count up to COUNT_LIMIT; `count_exact` False means "more than COUNT_LIMIT".
        self.count = count
        self.count_exact = count <= COUNT_LIMIT
        self.per_page = per_page
        self.has_previous = has_previous
        self.has_next = has_next
        self.paginator = self  # page.paginator.count / .num_pages, as Django's Page offers
        # The cursor the page was read from (re-encoded: never the raw parameter), None for "?page=N".
        self.cursor: str | None = None

    @property
    def num_pages(self) -> int | None:
        """The number of pages when the count is exact (None when there are more than COUNT_LIMIT)."""
        if not self.count_exact:
            return None
        return max(1, -(-self.count // self.per_page))

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    @property
    def next_cursor(self) -> str | None:
        if not self.has_next or not self.object_list:
            return None
        return Cursor.of(self.object_list[-1], number=self.number + 1).encode()

    @property
    def previous_cursor(self) -> str | None:
        if not self.has_previous or not self.object_list:
            return None
        return Cursor.of(self.object_list[0], number=self.number - 1, backward=True).encode()

    def position(self) -> dict:
        """Where the page is, for the audit trail: its number and the cursor it was read from."""
        return {"page": self.number, **({"cursor": self.cursor} if self.cursor else {})}


def bounded_count(contacts: QuerySet, limit: int | None = None) -> int:
    """The number of contacts, counting no further than limit + 1 (COUNT_LIMIT by default)."""
    limit = COUNT_LIMIT if limit is None else limit
    return contacts.order_by().values("pk")[: limit + 1].count()


def page_number(value) -> int:
    try:
        number = int(str(value)) if value is not None else 1
    except ValueError:
        return 1
    return min(max(number, 1), OFFSET_PAGES)


def contact_page(contacts: QuerySet, *, per_page: int, cursor: str | None = None, page=None) -> ContactPage:
    """A page of `contacts` (an unordered or list-ordered queryset), by cursor or by a small page number.

    Three queries whatever the page: the bounded count, the rows (one more than the page, to know
    whether another follows) and the caller's prefetches.
    """
    count = bounded_count(contacts)
    position = Cursor.decode(cursor)
    if position is None:
        number = page_number(page)
        if count <= COUNT_LIMIT:
            number = min(number, max(1, -(-count // per_page)))
        start = (number - 1) * per_page
        rows = _rows(contacts, Q(), ORDER, start, per_page + 1)
        return _page(rows, number=number, count=count, per_page=per_page, has_previous=number > 1)
    if not position.backward:
        rows = _rows(contacts, after(position), ORDER, 0, per_page + 1)
        page = _page(rows, number=max(position.number, 2), count=count, per_page=per_page, has_previous=True)
        page.cursor = position.encode()
        return page
    rows = _rows(contacts, before(position), REVERSE, 0, per_page + 1)
    if not rows:
        # Nothing before it any more (contacts were deleted, or a cursor was made up): the first page.
        return contact_page(contacts, per_page=per_page)
    more_before = len(rows) > per_page
    rows = rows[:per_page][::-1]
    number = max(position.number, 2) if more_before else 1
    page = ContactPage(rows, number=number, count=count, has_previous=more_before, has_next=True, per_page=per_page)
    page.cursor = position.encode()
    return page


def _rows(contacts: QuerySet, condition: Q, order, start: int, size: int) -> list:
    """The rows of a page in `order`: their ids first, then the rows themselves, in one query.

    The ids come from the list's indexes alone (contact_team_list_order holds team, date, time and
    id), so a filter that leaves few of many candidates (a problem in a period) never fetches the
    candidates' rows, only the page's.
    """
    ids = contacts.filter(condition).order_by(*order).values("pk")[start : start + size]
    return list(contacts.filter(pk__in=ids).order_by(*order))


def _page(rows, *, number, count, per_page, has_previous) -> ContactPage:
    has_next = len(rows) > per_page
    return ContactPage(
        rows[:per_page], number=number, count=count, has_previous=has_previous, has_next=has_next, per_page=per_page
    )
