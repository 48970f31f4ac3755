"""The audit trail records views, searches, exports and changes, and cannot be rewritten."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from audit.models import AuditEvent, AuditEventContact
from audit.services import REDACTED, audit_event
from registration.models import Team
from tests.factories import ContactFactory, ReportedPersonFactory, UserFactory


@pytest.fixture
def contact_a(counsellor):
    return ContactFactory(team=Team.objects.get(code="antwerpen"), created_by=counsellor)


@pytest.fixture
def contact_b(counsellor_b):
    return ContactFactory(team=Team.objects.get(code="limburg"), created_by=counsellor_b)


def contacts_of(event):
    return sorted(event.contacts.values_list("contact_id", flat=True))


def test_opening_a_contact_is_recorded_with_who_and_which(login, counsellor, contact_a):
    login(counsellor).get(f"/contacts/{contact_a.uuid}/")
    event = AuditEvent.objects.get(action="contact_view")
    assert (event.actor, event.actor_username, event.via) == (counsellor, "counsellor_a", "web")
    assert contacts_of(event) == [contact_a.pk]


def test_api_reads_are_recorded_as_api(login, counsellor, contact_a):
    client = login(counsellor)
    client.get("/api/contacts/")
    client.get(f"/api/contacts/{contact_a.uuid}/")
    events = list(AuditEvent.objects.order_by("id"))
    assert [(e.action, e.via) for e in events] == [("contact_list", "api"), ("contact_view", "api")]
    assert [contacts_of(e) for e in events] == [[contact_a.pk], [contact_a.pk]]


def test_a_search_is_recorded_with_its_filters_and_the_contacts_it_showed(login, counsellor, contact_a, coordinator):
    login(counsellor).get("/contacts/?channel=phone")
    event = AuditEvent.objects.get(action="contact_search")
    assert event.details["channel"] == "phone"
    assert contacts_of(event) == [contact_a.pk]
    # So the team coordinator finds the search in that contact's trail.
    trail = login(coordinator).get("/audit/", {"contact": str(contact_a.uuid)})
    assert event in trail.context["page"].object_list


def test_an_export_from_the_command_line_is_recorded_as_such(db, contact_a, capsys):
    call_command("export_contacts")
    event = AuditEvent.objects.get(action="export")
    assert (event.actor, event.via, event.details["count"]) == (None, "cli", 1)


def test_a_report_run_is_recorded(login, flemish_coordinator):
    assert login(flemish_coordinator).get("/reports/").status_code == 200
    assert AuditEvent.objects.filter(action="report", actor=flemish_coordinator).count() == 1


def test_an_event_belongs_to_the_callers_transaction(counsellor, contact_a):
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_event(counsellor, "contact_view", contact_ids=[contact_a.pk])
        raise RuntimeError("the view failed")
    assert AuditEvent.objects.count() == 0
    assert AuditEventContact.objects.count() == 0


def test_typed_text_never_reaches_the_trail(counsellor, contact_a):
    audit_event(
        counsellor,
        "contact_search",
        contact_ids=[str(contact_a.uuid)],
        details={"q": "Jan Peeters", "channel": "phone", "filters": {"summary": "hij sloeg"}, "note": "x" * 300},
    )
    event = AuditEvent.objects.get()
    assert event.details == {"q": REDACTED, "channel": "phone", "filters": {"summary": REDACTED}, "note": REDACTED}
    assert contacts_of(event) == [contact_a.pk]


def test_an_unknown_channel_is_refused(counsellor):
    with pytest.raises(ValueError):
        audit_event(counsellor, "contact_view", via="email")


def test_coordinator_sees_the_trail_of_the_teams_contacts_only(
    login, coordinator, counsellor, counsellor_b, contact_a, contact_b, django_assert_max_num_queries
):
    audit_event(counsellor, "contact_view", contact_ids=[contact_a.pk])
    audit_event(counsellor_b, "contact_view", contact_ids=[contact_b.pk])
    client = login(coordinator)
    with django_assert_max_num_queries(15):
        response = client.get("/audit/")
    assert response.status_code == 200
    events = list(response.context["page"])
    assert [(e.actor_username, contacts_of(e)) for e in events] == [("counsellor_a", [contact_a.pk])]


def test_coordinator_filters_the_trail_by_user_contact_and_period(
    login, coordinator, counsellor, contact_a, counsellor_b
):
    other = ContactFactory(team=Team.objects.get(code="antwerpen"))
    colleague = UserFactory(username="colleague_a", teams=["antwerpen"])
    audit_event(counsellor, "contact_view", contact_ids=[contact_a.pk])
    audit_event(colleague, "contact_view", contact_ids=[other.pk])
    old = AuditEvent.objects.create(action="contact_view", actor=counsellor, at=timezone.now() - timedelta(days=40))
    AuditEventContact.objects.create(event=old, contact=contact_a)
    client = login(coordinator)

    def actors(query):
        return sorted(e.actor_username or "" for e in client.get(f"/audit/?{query}").context["page"])

    assert actors("") == ["", "colleague_a", "counsellor_a"]
    assert actors(f"actor={colleague.pk}") == ["colleague_a"]
    assert len(client.get(f"/audit/?contact={contact_a.uuid}").context["page"]) == 2
    since = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert actors(f"start={since}") == ["colleague_a", "counsellor_a"]
    assert len(client.get(f"/audit/?contact={contact_a.uuid}&start={since}").context["page"]) == 1


def test_a_contact_of_another_team_shows_an_empty_trail_not_the_whole_one(
    login, coordinator, counsellor, counsellor_b, contact_a, contact_b
):
    audit_event(counsellor, "contact_view", contact_ids=[contact_a.pk])
    audit_event(counsellor_b, "contact_view", contact_ids=[contact_b.pk])
    response = login(coordinator).get("/audit/", {"contact": str(contact_b.uuid)})
    assert response.status_code == 200
    assert list(response.context["page"]) == []


@pytest.mark.parametrize("sql", ["UPDATE audit_auditevent SET action = 'x'", "DELETE FROM audit_auditevent"])
@pytest.mark.postgres
def test_the_trail_refuses_update_and_delete_in_the_database(counsellor, contact_a, sql):
    audit_event(counsellor, "contact_view", contact_ids=[contact_a.pk])
    with (
        pytest.raises(DatabaseError, match="Cannot update or delete"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert AuditEvent.objects.filter(action="contact_view").count() == 1


@pytest.mark.parametrize(
    "table", ["audit_auditeventcontact", "audit_contactevent", "audit_reportedpersonevent", "audit_contacttextevent"]
)
@pytest.mark.postgres
def test_every_trail_table_refuses_delete(counsellor, contact_a, table):
    from registration.models import ContactText

    audit_event(counsellor, "contact_view", contact_ids=[contact_a.pk])
    ReportedPersonFactory(contact=contact_a)
    ContactText.objects.create(contact=contact_a, summary="")
    with (
        pytest.raises(DatabaseError, match="Cannot update or delete"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"DELETE FROM {table}")


@pytest.mark.postgres
def test_a_change_is_recorded_with_who_and_old_and_new_values(counsellor, contact_a):
    import pghistory

    from audit.models import ContactEvent

    with pghistory.context(user=counsellor.pk):
        contact_a.channel = "chat"
        contact_a.save()
    events = list(ContactEvent.objects.filter(pgh_obj=contact_a).order_by("pgh_id"))
    assert [e.pgh_label for e in events] == ["insert", "update"]
    assert [e.channel for e in events] == ["phone", "chat"]
    assert events[1].pgh_context.metadata["user"] == counsellor.pk


@pytest.mark.postgres
def test_the_coordinator_sees_which_fields_changed_from_what_to_what(login, coordinator, counsellor, contact_a):
    contact_a.channel = "chat"
    contact_a.save()
    changes = login(coordinator).get("/audit/").context["changes"]
    assert [(c["label"], c["fields"].get("channel")) for c in changes] == [
        ("update", ("phone", "chat")),
        ("insert", None),
    ]


@pytest.mark.postgres
def test_a_summary_change_is_recorded_without_its_text(counsellor, contact_a):
    from audit.models import ContactTextEvent
    from registration.models import ContactText

    text = ContactText.objects.create(contact=contact_a, summary="UNIEK-MARKER-1")
    text.summary = "UNIEK-MARKER-2"
    text.save()
    events = list(ContactTextEvent.objects.filter(pgh_obj=text).order_by("pgh_id"))
    assert [e.pgh_label for e in events] == ["insert", "update"]
    assert not hasattr(events[0], "summary")
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM audit_contacttextevent")
        assert "UNIEK-MARKER" not in str(cursor.fetchall())


@pytest.mark.postgres
def test_changes_from_a_command_are_recorded_as_command_line(contact_a):
    from audit.history import history_context
    from audit.models import ContactEvent

    with history_context(via="cli", command="import_contacts"):
        contact_a.channel = "email"
        contact_a.save()
    event = ContactEvent.objects.filter(pgh_obj=contact_a, pgh_label="update").get()
    assert event.pgh_context.metadata == {"user": None, "via": "cli", "command": "import_contacts"}


@pytest.mark.postgres
def test_a_contact_of_another_team_shows_no_changes(login, coordinator, contact_a, contact_b):
    contact_a.channel = "chat"
    contact_a.save()
    response = login(coordinator).get("/audit/", {"contact": str(contact_b.uuid)})
    assert response.context["changes"] == []
