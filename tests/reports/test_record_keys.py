"""Record keys: random per contact and reported person, fixed at creation, never exported."""

import io
from datetime import date

from django.core.management import call_command

from registration.models import Contact, ReportedPerson, Team
from registration.services import PersonInput, RegistrationInput, contact_register, contact_update
from tests.factories import ContactFactory, ReportedPersonFactory, team


def registration(problem: str) -> RegistrationInput:
    return RegistrationInput(
        started_on=date(2024, 3, 4),
        fields={"team": Team.objects.get(code="antwerpen"), "channel": "phone"},
        persons=[PersonInput(problem=problem)],
    )


def test_every_contact_and_person_draws_its_own_key(db):
    for _ in range(40):
        ReportedPersonFactory(contact=ContactFactory(team=team("antwerpen")))
    contact_keys = list(Contact.objects.values_list("record_key", flat=True))
    person_keys = list(ReportedPerson.objects.values_list("record_key", flat=True))
    assert all(0 <= k <= 255 for k in contact_keys + person_keys)
    # 40 draws from 256: a repeated single value would be a default evaluated once.
    assert len(set(contact_keys)) > 10
    assert len(set(person_keys)) > 10


def test_an_edit_keeps_the_keys_of_the_contact_and_its_persons(counsellor):
    contact = contact_register(user=counsellor, data=registration("child_abuse"))
    person = contact.persons.get()
    keys = (contact.record_key, person.record_key)
    edit = registration("stalking")
    edit.persons[0].uuid = person.uuid
    contact_update(user=counsellor, contact=contact, version=contact.version, data=edit)
    contact.refresh_from_db()
    person.refresh_from_db()
    assert person.problem == "stalking"
    assert (contact.record_key, person.record_key) == keys


def test_the_export_never_holds_a_record_key(db):
    ReportedPersonFactory(contact=ContactFactory(team=team("antwerpen"), started_on=date(2024, 3, 4)))
    out = io.StringIO()
    call_command("export_contacts", "--year", "2024", stdout=out, stderr=io.StringIO())
    assert '"team": "antwerpen"' in out.getvalue()
    assert "record_key" not in out.getvalue()
