"""The plain registration screens: register, list, detail, edit, delete."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from referrals.models import Referral
from registration.models import Contact, ContactText, Draft, ReportedPerson, Team, ViolenceForm
from tests.factories import ContactFactory, ReportedPersonFactory, UserFactory
from tests.query_counts import AUDIT_READ, CODES

pytestmark = pytest.mark.django_db
BRUSSELS = ZoneInfo("Europe/Brussels")


def form_data(**overrides):
    """A registration POST as the browser sends it: one reported person, Leeg elsewhere."""
    data = {
        "token": "",
        "started_date": "2024-03-14",
        "started_time": "10:32",
        "duration_minutes": "25",
        "channel": "phone",
        "team": "antwerpen",
        "caller_region": "antwerpen",
        "caller_age": "18_64",
        "caller_gender": "female",
        "anonymous": "yes",
        "caller_relation": "1200",
        "summary": "",
        "persons-TOTAL_FORMS": "1",
        "persons-INITIAL_FORMS": "0",
        "persons-0-gender": "female",
        "persons-0-age": "7_12",
        "persons-0-problem": "child_abuse",
        "persons-0-context": "separated_nuclear_family",
        "persons-0-violence_forms": ["emotional_violence", "physical_violence"],
        "persons-0-referrals": ["caw"],
    }
    data.update(overrides)
    return data


def test_new_registration_form_is_prefilled_with_now_and_the_counsellors_team(counsellor, login):
    client = login(counsellor)
    before = timezone.localtime().replace(second=0, microsecond=0)
    response = client.get("/contacts/new/")
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["team"] == "antwerpen"
    assert form.initial["started_date"] == before.date()
    moment = datetime.combine(before.date(), form.initial["started_time"], tzinfo=BRUSSELS)
    assert 0 <= (moment - before).total_seconds() <= 60
    assert form.initial["token"] is not None
    assert 'name="started_time"' in response.content.decode()


def test_the_page_script_reads_the_helpline_start_and_the_code_switches_from_the_page(counsellor, login):
    response = login(counsellor).get("/contacts/new/")
    facts = response.context["facts"]
    assert facts["helplineStart"] == "2012-01-01"
    assert "2021-07-01" in facts["codeBoundaries"]
    assert '<script id="registration-facts" type="application/json">{"helplineStart": "2012-01-01"' in (
        response.content.decode()
    )


def test_counsellor_registers_a_contact_with_its_persons(counsellor, login):
    client = login(counsellor)
    response = client.post("/contacts/new/", form_data(summary="Moeder belt over haar dochter."))
    contact = Contact.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/contacts/{contact.uuid}/"
    assert contact.started_on == date(2024, 3, 14)
    assert timezone.localtime(contact.started_at) == datetime(2024, 3, 14, 10, 32, tzinfo=BRUSSELS)
    assert contact.started_hour == 10
    assert contact.team == Team.objects.get(code="antwerpen")
    assert contact.created_by == counsellor
    assert contact.caller_role == "bystander"
    assert contact.within_opening_hours == "within"
    assert contact.status == Contact.Status.COMPLETE
    assert ContactText.objects.get(contact=contact).summary == "Moeder belt over haar dochter."
    person = ReportedPerson.objects.get(contact=contact)
    assert (person.gender, person.age, person.problem, person.context) == (
        "female",
        "7_12",
        "child_abuse",
        "separated_nuclear_family",
    )
    assert sorted(ViolenceForm.objects.filter(person=person).values_list("code", flat=True)) == [
        "emotional_violence",
        "physical_violence",
    ]
    assert list(Referral.objects.filter(person=person).values_list("code", flat=True)) == ["caw"]


def test_incomplete_registration_is_saved_with_empty_fields(counsellor, login):
    client = login(counsellor)
    data = {
        "started_date": "2024-03-14",
        "persons-TOTAL_FORMS": "1",
        "persons-INITIAL_FORMS": "0",
    }
    response = client.post("/contacts/new/", data)
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert contact.status == Contact.Status.INCOMPLETE
    assert contact.channel is None
    assert contact.caller_age is None
    assert contact.team is None
    assert contact.started_at is None
    assert contact.caller_role == "unknown"
    assert contact.within_opening_hours == "unknown"
    person = ReportedPerson.objects.get(contact=contact)
    assert (person.gender, person.age, person.problem, person.context) == (None, None, None, None)


def test_form_offers_only_codes_valid_on_the_contacts_date(counsellor, login):
    client = login(counsellor)
    response = client.get("/contacts/new/")
    problems = [code for code, _label in response.context["formset"].empty_form.fields["problem"].choices]
    assert "intrafamily_adult_violence" in problems
    assert "violence_against_adults" not in problems


def test_code_retired_before_the_contacts_date_is_refused_next_to_its_field(counsellor, login):
    client = login(counsellor)
    data = form_data(**{"started_date": "2024-03-14", "persons-0-problem": "violence_against_adults"})
    response = client.post("/contacts/new/", data)
    assert response.status_code == 400
    assert Contact.objects.count() == 0
    errors = response.context["formset"].forms[0].errors["problem"]
    assert errors == ["“Geweld tegen volwassenen” is niet geldig op 14/03/2024 (de datum van het contact)."]
    html = response.content.decode()
    assert 'id="id_persons-0-problem_error"' in html
    assert 'aria-describedby="id_persons-0-problem_error"' in html
    assert 'role="alert"' in html


def test_code_valid_in_its_period_is_accepted_for_an_older_contact(counsellor, login):
    client = login(counsellor)
    data = form_data(**{"started_date": "2020-03-14", "persons-0-problem": "violence_against_adults"})
    response = client.post("/contacts/new/", data)
    assert response.status_code == 302
    assert ReportedPerson.objects.get().problem == "violence_against_adults"


def test_code_validity_is_judged_on_the_brussels_date(counsellor, login):
    # 2021-07-01 00:30 in Brussels is still 2021-06-30 in UTC: the new code is valid.
    client = login(counsellor)
    data = form_data(
        **{
            "started_date": "2021-07-01",
            "started_time": "00:30",
            "persons-0-problem": "intrafamily_adult_violence",
        }
    )
    response = client.post("/contacts/new/", data)
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert contact.started_on == date(2021, 7, 1)
    assert contact.started_at.astimezone(ZoneInfo("UTC")).date() == date(2021, 6, 30)


def selected_option(value: str, html: str) -> bool:
    """The page shows the option as chosen (its search words may come with it)."""
    return re.search(rf'<option value="{value}"[^>]* selected[ >]', html) is not None


def test_bad_input_keeps_every_typed_value(counsellor, login):
    client = login(counsellor)
    data = form_data(
        **{
            "duration_minutes": "-5",
            "caller_relation": "2100",
            "summary": "Vader vertelt over de buren.",
            "persons-TOTAL_FORMS": "2",
            "persons-1-gender": "male",
            "persons-1-age": "13_17",
            "persons-1-problem": "not-a-code",
            "persons-1-violence_forms": ["sexual_violence", "economic_violence"],
            "persons-1-referrals": ["police_justice"],
        }
    )
    response = client.post("/contacts/new/", data)
    assert response.status_code == 400
    assert Contact.objects.count() == 0
    html = response.content.decode()
    form = response.context["form"]
    assert form["duration_minutes"].value() == "-5"
    assert form["caller_relation"].value() == "2100"
    assert form["summary"].value() == "Vader vertelt over de buren."
    assert "Vader vertelt over de buren." in html
    assert selected_option("2100", html)
    second = response.context["formset"].forms[1]
    assert second["gender"].value() == "male"
    assert second["violence_forms"].value() == ["sexual_violence", "economic_violence"]
    assert selected_option("sexual_violence", html)
    assert selected_option("police_justice", html)
    assert second.errors["problem"] == ["Onbekende code: not-a-code."]
    assert "duration_minutes" in form.errors
    # The typed state is also kept server-side as a draft when the form carries a token.


def test_failed_validation_stores_the_typed_state_as_a_draft(counsellor, login):
    client = login(counsellor)
    token = "6f1c1f53-3c5b-4f5e-9a55-0b8e1f0f9a01"
    client.post("/contacts/new/", form_data(token=token, duration_minutes="abc", summary="Tekst"))
    draft = Draft.objects.get(token=token)
    assert draft.owner == counsellor
    assert draft.data["duration_minutes"] == ["abc"]
    assert draft.data["summary"] == ["Tekst"]
    assert "csrfmiddlewaretoken" not in draft.data


def test_double_submit_makes_one_contact(counsellor, login):
    client = login(counsellor)
    data = form_data(token="0b0f6d39-5d4b-4d1f-8a2f-3f6a3b1d2c11")
    first = client.post("/contacts/new/", data)
    second = client.post("/contacts/new/", data)
    assert Contact.objects.count() == 1
    contact = Contact.objects.get()
    assert first["Location"] == second["Location"] == f"/contacts/{contact.uuid}/"
    assert ReportedPerson.objects.filter(contact=contact).count() == 1


def test_token_of_another_users_draft_is_refused(counsellor, login):
    other = UserFactory(teams=["antwerpen"])
    Draft.objects.create(token="0b0f6d39-5d4b-4d1f-8a2f-3f6a3b1d2c12", owner=other)
    client = login(counsellor)
    response = client.post("/contacts/new/", form_data(token="0b0f6d39-5d4b-4d1f-8a2f-3f6a3b1d2c12"))
    assert response.status_code == 404
    assert Contact.objects.count() == 0


def test_team_outside_the_users_teams_is_refused(counsellor, login):
    client = login(counsellor)
    response = client.post("/contacts/new/", form_data(team="limburg"))
    assert response.status_code == 400
    assert response.context["form"].errors["team"] == [
        "Selecteer een geldige keuze. limburg is geen beschikbare keuze."
    ]
    assert Contact.objects.count() == 0


def test_follow_up_of_must_be_a_visible_contact(counsellor, login):
    hidden = ContactFactory(team=Team.objects.get(code="limburg"))
    earlier = ContactFactory(team=Team.objects.get(code="antwerpen"))
    client = login(counsellor)
    refused = client.post("/contacts/new/", form_data(follow_up_of=str(hidden.uuid)))
    assert refused.status_code == 400
    accepted = client.post("/contacts/new/", form_data(follow_up_of=str(earlier.uuid)))
    assert accepted.status_code == 302
    assert Contact.objects.exclude(pk__in=[hidden.pk, earlier.pk]).get().follow_up_of == earlier


# ---------------------------------------------------------------------------- list


def _contacts(n, team="antwerpen", **kwargs):
    team = Team.objects.get(code=team)
    contacts = []
    for i in range(n):
        contact = ContactFactory(team=team, **kwargs)
        ReportedPersonFactory(contact=contact, problem="child_abuse" if i % 2 else "partner_violence")
        contacts.append(contact)
    return contacts


@pytest.mark.parametrize(
    "filters, queries",
    [
        # session, user, device; codes, teams; count, contacts, their persons; drafts; the audit event
        # of the page shown, with its contacts (issue 11: every page is a read). No session save.
        ("", 8 + CODES + AUDIT_READ),
        # The same, with the search's filters in its audit event.
        ("?channel=phone&problem=child_abuse&incomplete=on&date_from=2020-01-01", 8 + CODES + AUDIT_READ),
    ],
)
def test_list_query_count_does_not_grow_with_the_number_of_contacts(
    counsellor, login, django_assert_num_queries, filters, queries
):
    client = login(counsellor)
    _contacts(5, status=Contact.Status.INCOMPLETE)
    with django_assert_num_queries(queries):
        few = client.get("/contacts/" + filters)
    _contacts(55, status=Contact.Status.INCOMPLETE)
    with django_assert_num_queries(queries):
        many = client.get("/contacts/" + filters)
    # Every row shows, with its labels; the filter keeps the child abuse of odd rows (2 of 5, 27 of 55).
    shown = 60 if not filters else 29
    assert (few.status_code, many.status_code) == (200, 200)
    assert many.context["page"].paginator.count == shown
    assert len(many.context["rows"]) == min(shown, 50)
    assert many.context["rows"][0]["channel"] == "Telefoon"


def test_list_pages_through_contacts(counsellor, login, settings):
    settings.CONTACTS_PER_PAGE = 50
    _contacts(60)
    client = login(counsellor)
    first = client.get("/contacts/")
    assert len(first.context["page"].object_list) == 50
    assert first.context["page"].paginator.count == 60
    second = client.get("/contacts/?page=2")
    assert len(second.context["page"].object_list) == 10


def test_list_shows_only_the_users_teams_and_never_deleted_contacts(counsellor, login):
    mine = _contacts(2)
    _contacts(3, team="limburg")
    deleted = ContactFactory(team=Team.objects.get(code="antwerpen"), deleted_at=timezone.now())
    client = login(counsellor)
    page = client.get("/contacts/").context["page"]
    assert {c.pk for c in page.object_list} == {c.pk for c in mine}
    assert deleted.pk not in {c.pk for c in page.object_list}


def test_list_filters_by_period_channel_team_incomplete_and_problem(coordinator, login):
    antwerpen = Team.objects.get(code="antwerpen")
    march = ContactFactory(team=antwerpen, started_on=date(2024, 3, 1), channel="phone")
    ReportedPersonFactory(contact=march, problem="child_abuse")
    chat = ContactFactory(team=antwerpen, started_on=date(2024, 3, 2), channel="chat")
    ReportedPersonFactory(contact=chat, problem="partner_violence")
    incomplete = ContactFactory(
        team=antwerpen, started_on=date(2024, 5, 1), channel="phone", status=Contact.Status.INCOMPLETE
    )
    client = login(coordinator)

    def listed(query):
        response = client.get("/contacts/?" + query)
        assert response.status_code == 200
        return {c.pk for c in response.context["page"].object_list}

    assert listed("date_from=2024-03-01&date_to=2024-03-31") == {march.pk, chat.pk}
    assert listed("channel=chat") == {chat.pk}
    assert listed("incomplete=on") == {incomplete.pk}
    assert listed("problem=child_abuse") == {march.pk}
    assert listed("team=antwerpen") == {march.pk, chat.pk, incomplete.pk}
    assert listed("team=limburg") == set()  # not one of the coordinator's teams: refused, nothing listed


def test_list_with_filters_is_audited_without_free_text(counsellor, login):
    client = login(counsellor)
    client.get("/contacts/?channel=phone&date_from=2024-01-01")
    event = AuditEvent.objects.get(action="contact_search")
    assert event.actor == counsellor
    assert event.details == {"channel": "phone", "date_from": "2024-01-01", "page": 1}


# ---------------------------------------------------------------------------- detail


def test_detail_shows_the_contact_and_is_audited(counsellor, login):
    contact = ContactFactory(team=Team.objects.get(code="antwerpen"), created_by=counsellor)
    ReportedPersonFactory(contact=contact, problem="child_abuse", violence_forms=["sexual_violence"])
    ContactText.objects.create(contact=contact, summary="Een samenvatting.")
    client = login(counsellor)
    response = client.get(f"/contacts/{contact.uuid}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Kindermishandeling" in html
    assert "Seksueel geweld" in html
    assert "Een samenvatting." in html
    event = AuditEvent.objects.get(action="contact_view")
    assert event.actor == counsellor
    assert list(event.contacts.values_list("contact_id", flat=True)) == [contact.pk]


def test_contact_of_another_team_is_not_found(counsellor, login):
    other = ContactFactory(team=Team.objects.get(code="limburg"))
    client = login(counsellor)
    assert client.get(f"/contacts/{other.uuid}/").status_code == 404
    assert client.get(f"/contacts/{other.uuid}/edit/").status_code == 404
    assert client.post(f"/contacts/{other.uuid}/delete/").status_code == 404


def test_deleted_contact_is_not_found(counsellor, login):
    contact = ContactFactory(team=Team.objects.get(code="antwerpen"), created_by=counsellor)
    client = login(counsellor)
    assert client.post(f"/contacts/{contact.uuid}/delete/").status_code == 302
    assert Contact.objects.filter(pk=contact.pk).count() == 0
    assert Contact.all_objects.get(pk=contact.pk).deleted_at is not None
    assert client.get(f"/contacts/{contact.uuid}/").status_code == 404


# ---------------------------------------------------------------------------- edit


def _edit_data(client, contact, **changes):
    form = client.get(f"/contacts/{contact.uuid}/edit/").context["form"]
    formset = client.get(f"/contacts/{contact.uuid}/edit/").context["formset"]
    data = {}
    for bound in form:
        value = bound.value()
        if value is None:
            continue
        data[bound.html_name] = [str(v) for v in value] if isinstance(value, list) else str(value)
    data.update({f"persons-{k}": v for k, v in formset.management_form.initial.items()})
    for person_form in formset.forms:
        for bound in person_form:
            value = bound.value()
            if value is None:
                continue
            data[bound.html_name] = [str(v) for v in value] if isinstance(value, list) else str(value)
    data.update(changes)
    return data


def test_counsellor_edits_their_own_registration(counsellor, login):
    client = login(counsellor)
    client.post("/contacts/new/", form_data())
    contact = Contact.objects.get()
    person = ReportedPerson.objects.get()
    data = _edit_data(client, contact, channel="chat", **{"persons-0-violence_forms": ["sexual_violence"]})
    response = client.post(f"/contacts/{contact.uuid}/edit/", data)
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.channel == "chat"
    assert contact.version == 2
    # The reported person keeps its identity; its forms of violence are replaced.
    assert ReportedPerson.objects.get().uuid == person.uuid
    assert list(ViolenceForm.objects.values_list("code", flat=True)) == ["sexual_violence"]


def test_counsellor_cannot_edit_a_colleagues_registration(counsellor, login):
    colleague = UserFactory(teams=["antwerpen"])
    contact = ContactFactory(team=Team.objects.get(code="antwerpen"), created_by=colleague)
    client = login(counsellor)
    assert client.get(f"/contacts/{contact.uuid}/").status_code == 200
    assert client.get(f"/contacts/{contact.uuid}/edit/").status_code == 403


def test_team_coordinator_edits_any_contact_of_the_team(coordinator, counsellor, login):
    contact = ContactFactory(team=Team.objects.get(code="antwerpen"), created_by=counsellor)
    client = login(coordinator)
    data = _edit_data(client, contact, channel="email")
    assert client.post(f"/contacts/{contact.uuid}/edit/", data).status_code == 302
    contact.refresh_from_db()
    assert contact.channel == "email"


def test_concurrent_edit_is_refused_with_what_changed_and_keeps_the_input(coordinator, counsellor, login):
    client = login(counsellor)
    client.post("/contacts/new/", form_data())
    contact = Contact.objects.get()
    mine = _edit_data(client, contact, channel="chat", summary="Mijn aanvulling.")

    # Meanwhile the team coordinator saves another change.
    other = login(coordinator)
    theirs = _edit_data(other, contact, caller_age="65_plus")
    assert other.post(f"/contacts/{contact.uuid}/edit/", theirs).status_code == 302

    client = login(counsellor)
    response = client.post(f"/contacts/{contact.uuid}/edit/", mine)
    assert response.status_code == 409
    contact.refresh_from_db()
    assert contact.channel == "phone"
    assert contact.caller_age == "65_plus"
    conflict = response.context["conflict"]
    assert conflict == [
        {
            "label": "Leeftijd contactnemer",
            "was": "18–64 jaar",
            "now": "65 jaar of ouder",
            "yours": "18–64 jaar",
            "taken": True,
        }
    ]
    form = response.context["form"]
    assert form["channel"].value() == "chat"
    assert form["summary"].value() == "Mijn aanvulling."
    # The colleague's change, which the user did not touch, is taken over on the screen.
    assert form["caller_age"].value() == "65_plus"
    assert form["version"].value() == str(contact.version)
    # Saving again after seeing the changes goes through, with the user's input.
    fresh = dict(mine, version=form["version"].value(), base=form["base"].value())
    assert client.post(f"/contacts/{contact.uuid}/edit/", fresh).status_code == 302
    contact.refresh_from_db()
    assert contact.channel == "chat"


def test_double_submit_of_an_edit_is_not_a_conflict(counsellor, login):
    client = login(counsellor)
    client.post("/contacts/new/", form_data())
    contact = Contact.objects.get()
    data = _edit_data(client, contact, channel="chat")
    assert client.post(f"/contacts/{contact.uuid}/edit/", data).status_code == 302
    again = client.post(f"/contacts/{contact.uuid}/edit/", data)
    assert again.status_code == 302
    contact.refresh_from_db()
    assert contact.version == 2


def test_date_before_the_helpline_started_or_in_the_future_is_refused(counsellor, login):
    client = login(counsellor)
    early = client.post("/contacts/new/", form_data(started_date="2011-12-31"))
    assert early.status_code == 400
    assert early.context["form"].errors["started_date"] == [
        "De datum ligt voor de start van de hulplijn (1 januari 2012)."
    ]
    late = client.post("/contacts/new/", form_data(started_date="2999-01-01"))
    assert late.context["form"].errors["started_date"] == ["De datum ligt in de toekomst."]
    assert Contact.objects.count() == 0
