"""The single-contact writes: register, update with optimistic locking, soft delete, can_edit."""

import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from accounts.models import Role
from registration.models import Contact, ContactText, Draft, ReportedPerson, Team
from registration.selectors import can_edit
from registration.services import (
    ConcurrentEdit,
    PersonInput,
    RegistrationInput,
    contact_delete,
    contact_register,
    contact_update,
)
from tests.factories import ContactFactory, UserFactory

pytestmark = pytest.mark.django_db
BRUSSELS = ZoneInfo("Europe/Brussels")


def registration(**fields):
    started_at = fields.pop("started_at", datetime(2024, 3, 14, 10, 0, tzinfo=BRUSSELS))
    return RegistrationInput(
        started_on=started_at.date() if started_at else date(2024, 3, 14),
        started_at=started_at,
        fields={"team": Team.objects.get(code="antwerpen"), "channel": "phone", **fields},
        persons=[PersonInput(gender="female", violence_forms=["sexual_violence"], referrals=["caw"])],
        summary="Samenvatting.",
    )


def test_register_sets_the_local_date_and_derived_fields(counsellor):
    # 23:30 UTC on 31 December is already New Year's Day in Brussels.
    data = registration(started_at=datetime(2023, 12, 31, 23, 30, tzinfo=ZoneInfo("UTC")), caller_relation="2100")
    contact = contact_register(user=counsellor, data=data)
    contact.refresh_from_db()
    assert contact.started_on == date(2024, 1, 1)
    assert contact.started_hour == 0
    assert contact.caller_role == "perpetrator"
    assert contact.within_opening_hours == "outside"
    assert contact.created_by == counsellor
    assert ContactText.objects.get(contact=contact).summary == "Samenvatting."
    assert contact.persons.get().violence_forms.get().code == "sexual_violence"


def test_register_with_the_same_token_returns_the_first_contact(counsellor):
    token = uuid.uuid4()
    first = contact_register(user=counsellor, data=registration(), token=token)
    second = contact_register(user=counsellor, data=registration(channel="chat"), token=token)
    assert first.pk == second.pk
    assert Contact.objects.count() == 1
    assert Draft.objects.get(token=token).registered == first


def test_update_with_a_stale_version_raises_and_writes_nothing(counsellor):
    contact = contact_register(user=counsellor, data=registration())
    contact_update(user=counsellor, contact=contact, version=1, data=registration(channel="chat"))
    with pytest.raises(ConcurrentEdit) as caught:
        contact_update(user=counsellor, contact=contact, version=1, data=registration(channel="email"))
    assert caught.value.current_state["channel"] == "chat"
    contact.refresh_from_db()
    assert contact.channel == "chat"
    assert contact.version == 2


def test_update_keeps_person_identity_and_removes_dropped_persons(counsellor):
    contact = contact_register(user=counsellor, data=registration())
    person = contact.persons.get()
    data = registration()
    data.persons = [
        PersonInput(uuid=person.uuid, gender="male", violence_forms=["physical_violence"]),
        PersonInput(gender="female"),
    ]
    contact_update(user=counsellor, contact=contact, version=1, data=data)
    persons = list(ReportedPerson.objects.filter(contact=contact).order_by("position"))
    assert persons[0].uuid == person.uuid
    assert persons[0].gender == "male"
    assert list(persons[0].violence_forms.values_list("code", flat=True)) == ["physical_violence"]
    assert list(persons[0].referrals.values_list("code", flat=True)) == []
    data.persons = data.persons[1:]
    contact_update(user=counsellor, contact=contact, version=2, data=data)
    assert ReportedPerson.objects.filter(contact=contact).count() == 1


def test_delete_is_soft(counsellor):
    contact = contact_register(user=counsellor, data=registration())
    contact_delete(user=counsellor, contact=contact)
    assert not Contact.objects.filter(pk=contact.pk).exists()
    assert Contact.all_objects.get(pk=contact.pk).deleted_at is not None
    assert ReportedPerson.objects.filter(contact_id=contact.pk).count() == 0
    assert ReportedPerson.all_objects.filter(contact_id=contact.pk).count() == 1


def test_status_is_complete_only_when_caller_and_person_fields_are_filled(counsellor):
    partial = contact_register(user=counsellor, data=registration())
    assert partial.status == Contact.Status.INCOMPLETE
    full = registration(caller_age="18_64", caller_gender="female", anonymous="no", caller_relation="1100")
    full.persons = [
        PersonInput(gender="female", age="7_12", problem="child_abuse", context="school", violence_forms=["other"])
    ]
    assert contact_register(user=counsellor, data=full).status == Contact.Status.COMPLETE


def test_can_edit_follows_role_team_and_authorship(counsellor, counsellor_b, coordinator):
    antwerpen = Team.objects.get(code="antwerpen")
    own = ContactFactory(team=antwerpen, created_by=counsellor)
    colleagues = ContactFactory(team=antwerpen, created_by=UserFactory(teams=["antwerpen"]))
    assert can_edit(counsellor, own) is True
    assert can_edit(counsellor, colleagues) is False
    assert can_edit(coordinator, own) is True
    assert can_edit(coordinator, colleagues) is True
    # Another team's counsellor, even as the author after a move, edits nothing outside their teams.
    assert can_edit(counsellor_b, own) is False
    flemish = UserFactory(role=Role.FLEMISH_COORDINATOR, teams=["antwerpen"])
    assert can_edit(flemish, own) is False


@pytest.mark.postgres  # row locks across connections
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_saves_with_one_token_make_one_contact(counsellor):
    """A double click reaching two workers at once: the draft row lock lets one create."""
    import threading

    from django.db import connections

    token = uuid.uuid4()
    barrier = threading.Barrier(2)
    results, errors = [], []

    def save():
        try:
            barrier.wait()
            results.append(contact_register(user=counsellor, data=registration(), token=token).pk)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(results) == 2
    assert results[0] == results[1]
    assert Contact.objects.count() == 1
