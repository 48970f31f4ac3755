"""What the counsellor's requests cost in queries (issue 13: 50 counsellors on 2 cores).

The form, the autosave, the save and the detail page: a fixed number of queries whatever the size
of the team's history; the read audit and a new registration's rows written without the
look-ups an update needs. Query counts and stored rows, never times.
"""

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit import services as audit_services
from audit.models import AuditEvent, AuditEventContact
from audit.services import audit_event
from referrals.models import Referral
from registration.models import Contact, ContactText, Draft, ReportedPerson, Team, ViolenceForm
from tests.factories import ContactFactory, ReportedPersonFactory
from tests.query_counts import AUDIT_READ, CODES
from tests.registration.test_views import form_data

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="token" value="([0-9a-f-]{36})"')


def _history(n, team="antwerpen"):
    team = Team.objects.get(code=team)
    for _ in range(n):
        ReportedPersonFactory(contact=ContactFactory(team=team))


def _cycle(client, django_assert_num_queries, counts):
    """Form, two autosaves, save, detail: each within its number of queries; returns the numbers."""
    seen = {}
    with django_assert_num_queries(counts["form"]) as captured:
        page = client.get("/contacts/new/")
    seen["form"] = len(captured.captured_queries)
    token = TOKEN.search(page.content.decode())[1]
    data = form_data(token=token)
    for name, partial in (("autosave new", dict(list(data.items())[:6])), ("autosave", data)):
        body = json.dumps({"data": {k: v if isinstance(v, list) else [v] for k, v in partial.items()}})
        with django_assert_num_queries(counts[name]) as captured:
            answer = client.post(f"/contacts/drafts/{token}/autosave/", body, content_type="application/json")
        assert answer.json()["ok"]
        seen[name] = len(captured.captured_queries)
    with django_assert_num_queries(counts["save"]) as captured:
        saved = client.post("/contacts/new/", data)
    assert saved.status_code == 302
    seen["save"] = len(captured.captured_queries)
    with django_assert_num_queries(counts["contact"]) as captured:
        assert client.get(saved["Location"]).status_code == 200
    seen["contact"] = len(captured.captured_queries)
    return seen


# Inside the test's transaction, a transaction of the app's is a savepoint and its release.
COUNTS = {
    # session, user, device; teams, codes (tests/query_counts.CODES); the team's recent contacts
    # (follow-up choices) and their read (uuids, audit); open drafts.
    "form": 8 + CODES + AUDIT_READ,
    # session, user, device; the draft locked, made, read back.
    "autosave new": 8,
    # session, user, device; the draft locked and saved.
    "autosave": 7,
    # session, user, device; codes, teams; the draft locked; derivation facts (relation roles from
    # the codes, opening hours and closures: 3 reads kept per process, tests/query_counts.CODES);
    # the contact, its person, violence forms and referrals inserted; the draft closed; the
    # follow-up items it answers (a new contact has none of its own yet).
    "save": 15 + 4 * CODES,
    # No session save in any of them: the access gate saves the session only when it moves the idle
    # clock (at most every 15 s), and the test's requests come within seconds of the login.
    "contact": 9 + CODES + AUDIT_READ,
}


def test_the_counsellors_requests_cost_the_same_queries_at_two_sizes(counsellor, login, django_assert_num_queries):
    client = login(counsellor)
    _history(3)
    few = _cycle(client, django_assert_num_queries, COUNTS)
    _history(60)
    _history(20, team="limburg")
    many = _cycle(client, django_assert_num_queries, COUNTS)
    assert few == many == COUNTS


def test_a_new_registration_is_stored_whole_without_update_look_ups(counsellor, login):
    """Inserted only (no SELECT/DELETE of persons, forms or referrals it cannot have yet), and complete."""
    client = login(counsellor)
    data = form_data(
        **{
            "summary": "Buurvrouw hoort geroep.",
            "persons-TOTAL_FORMS": "2",
            "persons-1-problem": "partner_violence",
            "persons-1-violence_forms": ["physical_violence", "physical_violence"],
        }
    )
    with CaptureQueriesContext(connection) as captured:
        assert client.post("/contacts/new/", data).status_code == 302
    writes = [q["sql"] for q in captured.captured_queries]
    assert not [sql for sql in writes if sql.startswith("DELETE")]
    codes = ('FROM "registration_violenceform"', 'FROM "referrals_referral"')
    assert not [sql for sql in writes if any(table in sql for table in codes)]
    contact = Contact.objects.get()
    persons = list(ReportedPerson.objects.filter(contact=contact).order_by("position"))
    assert [(p.position, p.problem) for p in persons] == [(0, "child_abuse"), (1, "partner_violence")]
    assert sorted(ViolenceForm.objects.filter(person=persons[0]).values_list("code", flat=True)) == [
        "emotional_violence",
        "physical_violence",
    ]
    assert list(ViolenceForm.objects.filter(person=persons[1]).values_list("code", flat=True)) == ["physical_violence"]
    assert list(Referral.objects.filter(person=persons[0]).values_list("code", flat=True)) == ["caw"]
    assert ContactText.objects.get(contact=contact).summary == "Buurvrouw hoort geroep."
    # Without a summary no text row is made (as before): nothing to shred later.
    client.post("/contacts/new/", form_data())
    assert ContactText.objects.count() == 1


def test_a_save_with_a_follow_up_still_checks_its_scope(counsellor, login):
    """The follow-up choices are read only when needed; a contact of another team is still refused."""
    client = login(counsellor)
    mine = ContactFactory(team=Team.objects.get(code="antwerpen"))
    other = ContactFactory(team=Team.objects.get(code="limburg"))
    refused = client.post("/contacts/new/", form_data(follow_up_of=str(other.uuid)))
    assert refused.status_code == 400 and "follow_up_of" in refused.context["form"].errors
    assert client.post("/contacts/new/", form_data(follow_up_of=str(mine.uuid))).status_code == 302
    assert Contact.objects.get(follow_up_of=mine).team.code == "antwerpen"


def test_the_autosave_keeps_the_session_alive_through_the_gate(counsellor, login, settings):
    """No explicit session write per autosave: the access gate renews the idle clock (and expiry)."""
    from accounts.middleware import LAST_SEEN

    client = login(counsellor)
    token = TOKEN.search(client.get("/contacts/new/").content.decode())[1]
    session = client.session
    session[LAST_SEEN] = session[LAST_SEEN] - 60
    session.save()
    stale = client.session[LAST_SEEN]
    body = json.dumps({"data": {"channel": ["phone"]}})
    assert client.post(f"/contacts/drafts/{token}/autosave/", body, content_type="application/json").json()["ok"]
    assert client.session[LAST_SEEN] > stale
    assert Draft.objects.get(token=token).data["channel"] == ["phone"]


@pytest.mark.parametrize("one_statement_max", [10_000, 0])
def test_a_read_event_and_its_contacts_are_written_whole_by_either_path(counsellor, monkeypatch, one_statement_max):
    """One statement on PostgreSQL (the chain lock taken once); the ORM path beyond the limit; same rows."""
    monkeypatch.setattr(audit_services, "ONE_STATEMENT_MAX", one_statement_max)
    contacts = [ContactFactory(team=Team.objects.get(code="antwerpen")) for _ in range(3)]
    with CaptureQueriesContext(connection) as captured:
        audit_event(
            counsellor,
            "contact_search",
            contact_ids=[contacts[2], str(contacts[0].uuid), contacts[1].pk, contacts[2].pk],
            details={"problem": "child_abuse", "q": "typed words", "page": 2},
        )
        audit_event(counsellor, "contact_list", contact_ids=[], details={})
    search, listing = AuditEvent.objects.order_by("id")
    assert (search.actor_id, search.actor_username, search.action, search.via) == (
        counsellor.pk,
        "counsellor_a",
        "contact_search",
        "web",
    )
    assert search.details == {"problem": "child_abuse", "q": "[tekst weggelaten]", "page": 2}
    assert sorted(AuditEventContact.objects.filter(event=search).values_list("contact_id", flat=True)) == sorted(
        c.pk for c in contacts
    )
    assert (listing.action, listing.details, listing.contacts.count()) == ("contact_list", {}, 0)
    writes = [q for q in captured.captured_queries if "INSERT" in q["sql"]]
    if connection.vendor == "postgresql" and one_statement_max:
        assert len(writes) == 2  # one per event, its contacts with it
    else:
        assert len(writes) == 3  # the events, and the first one's contacts
