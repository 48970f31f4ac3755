"""`manage.py recompute_derived` brings stored derived fields in line with changed code lists and hours."""

from datetime import date, datetime, time
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from registration.models import Code, Contact, OpeningHours
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def brussels(*args):
    return timezone.make_aware(datetime(*args))


def recompute() -> str:
    out = StringIO()
    call_command("recompute_derived", stdout=out)
    return out.getvalue().strip()


def stored(contact):
    row = Contact.all_objects.get(pk=contact.pk)
    return row.caller_role, row.within_opening_hours, row.started_hour


def test_a_relation_code_given_another_role_changes_every_contact_with_that_relation():
    # 1200 is a bystander's relation; 1100 (the victim) and 9999 (unknown) keep their roles.
    moment = brussels(2024, 4, 2, 10, 0)
    neighbour = ContactFactory(caller_relation="1200", started_at=moment)
    deleted = ContactFactory(caller_relation="1200", started_at=moment)
    Contact.all_objects.filter(pk=deleted.pk).update(deleted_at=timezone.now())
    victim = ContactFactory(caller_relation="1100", started_at=moment)
    unknown = ContactFactory(caller_relation="9999", started_at=moment)
    assert stored(neighbour) == ("bystander", "within", 10)

    # As the administrator's edit does: saved, so every process reads the codes again.
    code = Code.objects.get(list="caller_relation", code="1200")
    code.caller_role = "victim"
    code.save()
    assert stored(neighbour) == ("bystander", "within", 10)  # stale until recomputed

    # A deleted contact is recomputed too: restoring it must not bring back a stale role.
    assert recompute() == "Recomputed derived fields: 2 contact(s) changed."
    assert stored(neighbour) == ("victim", "within", 10)
    assert stored(deleted) == ("victim", "within", 10)
    assert stored(victim) == ("victim", "within", 10)
    assert stored(unknown) == ("unknown", "within", 10)


def test_shorter_opening_hours_move_late_contacts_outside_and_leave_the_others():
    # Tuesday 2 April 2024: the phone is open 09:00–18:00 on weekdays from 2022.
    late = ContactFactory(channel="phone", started_at=brussels(2024, 4, 2, 17, 30))
    morning = ContactFactory(channel="phone", started_at=brussels(2024, 4, 2, 10, 0))
    date_only = ContactFactory(channel="phone", started_on=date(2024, 4, 2))
    assert stored(late) == ("unknown", "within", 17)

    OpeningHours.objects.filter(channel="phone", valid_from=date(2022, 1, 1), weekday=1).update(closes=time(17, 0))

    assert recompute() == "Recomputed derived fields: 1 contact(s) changed."
    assert stored(late) == ("unknown", "outside", 17)
    assert stored(morning) == ("unknown", "within", 10)
    assert stored(date_only) == ("unknown", "unknown", None)


def test_a_second_run_changes_nothing():
    contact = ContactFactory(caller_relation="2100", channel="phone", started_at=brussels(2024, 4, 6, 10, 0))

    assert recompute() == "Recomputed derived fields: 0 contact(s) changed."
    assert stored(contact) == ("perpetrator", "outside", 10)
