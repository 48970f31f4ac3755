"""Deadlines in working days: weekends, the Belgian public holidays kept as Closure rows, and a
closure an administrator adds as data."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from followup.deadlines import due_on_for, nth_working_day_after, working_day_on_or_after
from followup.models import FollowUpItem, Kind
from registration.models import Closure
from tests.factories import team

BRUSSELS = ZoneInfo("Europe/Brussels")
pytestmark = pytest.mark.django_db


def brussels(*args) -> datetime:
    return datetime(*args, tzinfo=BRUSSELS)


def test_easter_monday_is_a_closure_day_loaded_with_the_code_lists():
    assert Closure.objects.filter(date=date(2024, 4, 1)).exists()


def test_an_email_on_the_friday_evening_before_easter_monday_is_due_at_the_end_of_wednesday():
    # Saturday, Sunday and Easter Monday do not count: Tuesday is the 1st working day after, Wednesday the 2nd.
    assert due_on_for(Kind.EMAIL, brussels(2024, 3, 29, 19, 0)) == date(2024, 4, 3)


def test_an_email_on_a_wednesday_morning_is_due_on_friday():
    assert due_on_for(Kind.EMAIL, brussels(2024, 4, 10, 9, 0)) == date(2024, 4, 12)


def test_an_email_on_a_thursday_is_due_on_monday():
    assert due_on_for(Kind.EMAIL, brussels(2024, 4, 11, 16, 0)) == date(2024, 4, 15)


def test_an_email_on_christmas_eve_skips_christmas_day():
    # 25 December is a closure; 26 December is not a Belgian public holiday.
    assert due_on_for(Kind.EMAIL, brussels(2024, 12, 24, 11, 0)) == date(2024, 12, 27)


def test_a_voicemail_on_a_working_day_is_due_the_same_day():
    assert due_on_for(Kind.VOICEMAIL, brussels(2024, 4, 2, 16, 45)) == date(2024, 4, 2)


def test_a_voicemail_at_the_weekend_before_easter_monday_is_due_on_tuesday():
    assert due_on_for(Kind.VOICEMAIL, brussels(2024, 3, 30, 10, 0)) == date(2024, 4, 2)


def test_the_brussels_date_decides_not_the_utc_date():
    # 23:30 UTC on Friday is 00:30 on Saturday in Brussels: a weekend voicemail.
    arrived = datetime(2024, 3, 29, 23, 30, tzinfo=ZoneInfo("UTC"))
    assert due_on_for(Kind.VOICEMAIL, arrived) == date(2024, 4, 2)


def test_a_closure_added_as_data_moves_a_new_deadline():
    Closure.objects.create(date=date(2024, 4, 3), name="Vormingsdag")
    assert due_on_for(Kind.EMAIL, brussels(2024, 3, 29, 19, 0)) == date(2024, 4, 4)
    assert due_on_for(Kind.VOICEMAIL, brussels(2024, 4, 3, 9, 0)) == date(2024, 4, 4)


def test_easter_monday_counts_because_it_is_data_not_code():
    """Without its Closure row, Easter Monday is a working day; added back as data, it is not."""
    friday_evening = brussels(2024, 3, 29, 19, 0)
    Closure.objects.filter(date=date(2024, 4, 1)).delete()
    assert due_on_for(Kind.EMAIL, friday_evening) == date(2024, 4, 2)
    assert due_on_for(Kind.VOICEMAIL, brussels(2024, 3, 30, 10, 0)) == date(2024, 4, 1)
    Closure.objects.create(date=date(2024, 4, 1), name="Paasmaandag")
    assert due_on_for(Kind.EMAIL, friday_evening) == date(2024, 4, 3)
    assert due_on_for(Kind.VOICEMAIL, brussels(2024, 3, 30, 10, 0)) == date(2024, 4, 2)


def test_a_closure_added_as_data_moves_the_deadline_of_an_open_item():
    received = brussels(2024, 3, 29, 19, 0)
    item = FollowUpItem.objects.create(
        team=team(), kind=Kind.EMAIL, received_at=received, due_on=due_on_for(Kind.EMAIL, received)
    )
    closed = FollowUpItem.objects.create(
        team=team(), kind=Kind.EMAIL, received_at=received, due_on=date(2024, 4, 3), closed_at=received
    )
    closure = Closure.objects.create(date=date(2024, 4, 2), name="Stakingsdag")
    item.refresh_from_db()
    closed.refresh_from_db()
    assert item.due_on == date(2024, 4, 4)
    assert closed.due_on == date(2024, 4, 3)  # a closed item keeps the deadline it had
    closure.delete()
    item.refresh_from_db()
    assert item.due_on == date(2024, 4, 3)


def test_a_new_contact_expected_has_no_deadline():
    assert due_on_for(Kind.NEW_CONTACT_EXPECTED, brussels(2024, 4, 2, 10, 0)) is None


def test_working_days_counting_never_counts_the_start_day():
    closed = {date(2024, 4, 1)}
    assert nth_working_day_after(date(2024, 4, 2), 1, closed) == date(2024, 4, 3)
    assert nth_working_day_after(date(2024, 3, 28), 1, closed) == date(2024, 3, 29)
    assert nth_working_day_after(date(2024, 3, 28), 2, closed) == date(2024, 4, 2)
    assert working_day_on_or_after(date(2024, 3, 30), closed) == date(2024, 4, 2)
