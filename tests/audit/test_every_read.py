"""Every read of case content is an audit event (issue 11, point 5).

The walk enumerates every URL the resolver serves (as tests/test_access_matrix.py does), fills its
parameters with the records below, renders each GET as each role, and wherever a response shows
a contact (its summary, which holds a unique marker, or its id) or a draft's typed text, asserts
that this very request wrote an audit event naming that contact (or draft). A new page that shows
case content without an event fails here, without anyone remembering to add a test for it.
"""

from __future__ import annotations

import re
import uuid
from datetime import date

import pytest
from django.core.management import call_command
from django.db.models import Max

from accounts.models import Role
from audit.models import AuditEvent, AuditEventContact
from followup.models import FollowUpItem
from registration.models import Contact, ContactText, Draft, Team
from tests.factories import ContactFactory, ReportedPersonFactory, UserFactory
from tests.url_routes import all_routes

CONTACT_MARKER = "Merkteken-7c1e0f-samenvatting"
DRAFT_MARKER = "Merkteken-9b2d44-concept"
EDIT_DRAFT_MARKER = "Merkteken-3e5a71-wijziging"


ALL_ROUTES = all_routes()

# More than the bare URL where a query changes what is shown.
QUERIES = {
    "registration:contact-list": ["", "?page=1", "?channel=phone", "?page=2"],
    "api:contact-list": ["", "?page=1"],
    "followup:queue": ["", "?state=closed"],
}


@pytest.fixture
def world(db):
    antwerpen = Team.objects.get(code="antwerpen")
    counsellor = UserFactory(username="counsellor_a", role=Role.COUNSELLOR, teams=["antwerpen"])
    users = {
        "counsellor": counsellor,
        "coordinator": UserFactory(username="coordinator_a", role=Role.TEAM_COORDINATOR, teams=["antwerpen"]),
        "flemish": UserFactory(username="flemish", role=Role.FLEMISH_COORDINATOR),
        "administrator": UserFactory(
            username="administrator", role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True
        ),
    }
    contact = ContactFactory(team=antwerpen, created_by=counsellor)
    ReportedPersonFactory(contact=contact, problem="child_abuse")
    ContactText.objects.create(contact=contact, summary=CONTACT_MARKER)
    drafts = {
        "edit": Draft.objects.create(
            token=uuid.uuid4(), owner=counsellor, edits=contact, data={"summary": [EDIT_DRAFT_MARKER]}
        ),
        "new": Draft.objects.create(token=uuid.uuid4(), owner=counsellor, data={"summary": [DRAFT_MARKER]}),
        "registered": Draft.objects.create(token=uuid.uuid4(), owner=counsellor, registered=contact),
    }
    item = FollowUpItem.objects.create(team=antwerpen, kind="incomplete", contact=contact)
    return {"users": users, "contact": contact, "drafts": drafts, "item": item, "team": antwerpen}


def paths(key: str, route: str, world) -> list[str]:
    """The concrete paths to GET for one route (several where a parameter has several cases)."""
    fill = {
        "<uuid:uuid>": [str(world["contact"].uuid)],
        "<uuid:item>": [str(world["item"].uuid)],
        "<uuid:token>": [str(d.token) for d in world["drafts"].values()],
        "<uuid:export_id>": [str(uuid.uuid4())],
        "<str:period>": [str(date.today().year)],
        "<str:key>": ["problem"],
        "<int:user_id>": [str(world["users"]["counsellor"].pk)],
    }
    if "(?P" in route or route.endswith("<path:url>"):
        return []  # the admin's catch-all: a 404 for any path
    found = [route]
    for placeholder, values in fill.items():
        if placeholder in route:
            found = [p.replace(placeholder, v) for p in found for v in values]
    admin_ids = {"registration/team/": world["team"].pk, "accounts/user/": world["users"]["counsellor"].pk}
    for prefix, pk in admin_ids.items():
        found = [p.replace("<path:object_id>", str(pk)) if prefix in p else p for p in found]
    # Any other parameter (an invitation's token, an admin object): a value that finds nothing.
    generic = {"uuid": str(uuid.uuid4()), "int": "1", "path": "1", "str": "x", "slug": "x"}
    found = [re.sub(r"<(?:(\w+):)?\w+>", lambda m: generic.get(m.group(1) or "str", "x"), p) for p in found]
    return ["/" + p + q for p in found for q in QUERIES.get(key, [""])]


def body_of(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def shown(body: str, world) -> dict[str, object]:
    """What of the case content a response body shows: a contact, a draft's typed text."""
    found = {}
    contact = world["contact"]
    if CONTACT_MARKER in body or str(contact.uuid) in body or contact.uuid.hex in body:
        found["contact"] = contact
    if DRAFT_MARKER in body:
        found["draft"] = world["drafts"]["new"]
    if EDIT_DRAFT_MARKER in body:
        found["contact"] = contact  # the typed change of that contact, shown with it
    return found


def missing_events(world, user, since: int, what: dict) -> list[str]:
    events = AuditEvent.objects.filter(pk__gt=since, actor=user)
    missing = []
    if "contact" in what:
        named = AuditEventContact.objects.filter(event__in=events, contact=what["contact"]).exists()
        if not named:
            missing.append("no event naming the contact")
    if "draft" in what:
        token = str(what["draft"].token)
        if not any(str(e.details.get("draft")) == token for e in events):
            missing.append("no event naming the draft")
    return missing


def last_event_id() -> int:
    return AuditEvent.objects.aggregate(m=Max("pk"))["m"] or 0


@pytest.mark.parametrize("role", ["counsellor", "coordinator", "flemish", "administrator"])
def test_every_page_that_shows_case_content_records_the_read(role, world, login):
    user = world["users"][role]
    client = login(user)
    showing, unrecorded = set(), []
    for key, route in ALL_ROUTES:
        for path in paths(key, route, world):
            since = last_event_id()
            response = client.get(path)
            what = shown(body_of(response), world)
            if not what:
                continue
            showing.add(key)
            for problem in missing_events(world, user, since, what):
                unrecorded.append(f"{key} {path} ({response.status_code}): {problem}")
    assert unrecorded == []
    if role in ("counsellor", "coordinator"):
        # The walk saw content where content is: it cannot pass by showing nothing.
        assert {
            "registration:contact-list",
            "registration:contact-detail",
            "registration:contact-edit",
            "api:contact-list",
            "api:contact-detail",
        } <= showing, sorted(showing)
    if role == "counsellor":
        assert "registration:draft-resume" in showing  # the counsellor's own drafts
    if role in ("flemish", "administrator"):
        assert showing == set()  # they see no contact at all


def test_the_plain_list_records_each_page_with_its_contacts(world, login):
    antwerpen = world["team"]
    others = [ContactFactory(team=antwerpen) for _ in range(3)]
    client = login(world["users"]["counsellor"])
    client.get("/contacts/")
    event = AuditEvent.objects.get(action="contact_list")
    assert event.details == {"page": 1}
    listed = set(AuditEventContact.objects.filter(event=event).values_list("contact_id", flat=True))
    assert listed == {world["contact"].pk, *(c.pk for c in others)}


def test_the_edit_page_records_the_read(world, login):
    contact = world["contact"]
    response = login(world["users"]["counsellor"]).get(f"/contacts/{contact.uuid}/edit/")
    assert CONTACT_MARKER in response.content.decode()
    event = AuditEvent.objects.get(action="contact_edit_view")
    assert list(event.contacts.values_list("contact_id", flat=True)) == [contact.pk]


def test_resuming_a_draft_records_the_read_with_its_contact(world, login):
    client = login(world["users"]["counsellor"])
    edit, new = world["drafts"]["edit"], world["drafts"]["new"]
    client.get(f"/contacts/drafts/{edit.token}/")
    client.get(f"/contacts/drafts/{new.token}/")
    events = list(AuditEvent.objects.filter(action="draft_resume").order_by("pk"))
    assert [e.details["draft"] for e in events] == [str(edit.token), str(new.token)]
    assert [list(e.contacts.values_list("contact_id", flat=True)) for e in events] == [[world["contact"].pk], []]


def _edit_post(client, contact, **changes) -> dict:
    response = client.get(f"/contacts/{contact.uuid}/edit/")
    form, formset = response.context["form"], response.context["formset"]
    data = {f"persons-{k}": v for k, v in formset.management_form.initial.items()}
    for bound in [*form, *(b for f in formset.forms for b in f)]:
        value = bound.value()
        if value is not None:
            data[bound.html_name] = [str(v) for v in value] if isinstance(value, list) else str(value)
    data.update(changes)
    return data


def test_the_conflict_view_records_that_the_colleagues_version_was_shown(world, login):
    contact = world["contact"]
    counsellor, coordinator = world["users"]["counsellor"], world["users"]["coordinator"]
    mine = _edit_post(login(counsellor), contact, channel="chat")
    other = login(coordinator)
    assert other.post(f"/contacts/{contact.uuid}/edit/", _edit_post(other, contact, channel="email")).status_code == 302
    since = last_event_id()
    response = login(counsellor).post(f"/contacts/{contact.uuid}/edit/", mine)
    assert response.status_code == 409
    event = AuditEvent.objects.get(pk__gt=since, action="contact_conflict_view")
    assert (event.actor, list(event.contacts.values_list("contact_id", flat=True))) == (counsellor, [contact.pk])


def test_the_export_command_records_every_contact_it_exports(world, capsys):
    second = ContactFactory(team=world["team"])
    call_command("export_contacts")
    event = AuditEvent.objects.get(action="export")
    assert event.details["count"] == 2
    exported = set(event.contacts.values_list("contact_id", flat=True))
    assert exported == {world["contact"].pk, second.pk} == set(Contact.objects.values_list("pk", flat=True))
