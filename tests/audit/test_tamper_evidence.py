"""Every trail row is sealed into a hash chain; verify_audit names the first changed or removed row.

The tampering is done as the database owner would: a superuser with the triggers switched off
(session_replication_role = replica), which no append-only trigger stops.
"""

from io import StringIO

import pghistory
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from audit import chain
from audit.models import AuditEvent, ContactEvent
from audit.services import audit_event
from registration.models import ContactText
from tests.factories import ContactFactory, ReportedPersonFactory

postgres = pytest.mark.postgres


def as_owner_with_triggers_off(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")


def verify() -> str:
    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def verify_fails() -> str:
    with pytest.raises(CommandError) as failure:
        verify()
    assert failure.value.returncode == 1
    return str(failure.value)


@pytest.fixture
def events(counsellor):
    contact = ContactFactory(created_by=counsellor)
    for _ in range(3):
        audit_event(counsellor, "contact_view", contact_ids=[contact.pk])
    return list(AuditEvent.objects.order_by("id"))


@postgres
def test_an_untouched_trail_verifies_with_a_count_per_chain(counsellor, events):
    with pghistory.context(user=counsellor.pk):
        contact = ContactFactory(created_by=counsellor)
        ReportedPersonFactory(contact=contact)
        ContactText.objects.create(contact=contact, summary="")
    output = verify()
    assert "audit_auditevent: 3 rows, head 3:" in output
    assert "audit_auditeventcontact: 3 rows" in output
    assert "audit_reportedpersonevent: 1 rows" in output
    assert "audit_contacttextevent: 1 rows" in output
    assert "pghistory_context: 1 rows" in output
    total = sum(model.objects.count() for model in chain.chained_models())
    assert output.endswith(f"Audit trail intact: 8 chains, {total} rows.\n")


@postgres
def test_rows_are_sealed_in_order_without_gaps(events):
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, chain_seq FROM audit_auditevent ORDER BY id")
        assert cursor.fetchall() == [(event.pk, n) for n, event in enumerate(events, start=1)]


@postgres
def test_a_changed_audit_event_is_named(events):
    as_owner_with_triggers_off("UPDATE audit_auditevent SET actor_username = 'iemand' WHERE id = %s", [events[1].pk])
    assert f"audit_auditevent: broken link at row {events[1].pk} (position 2)" in verify_fails()


@postgres
def test_a_removed_audit_event_is_named_as_a_missing_link(events):
    as_owner_with_triggers_off("DELETE FROM audit_auditeventcontact WHERE event_id = %s", [events[1].pk])
    as_owner_with_triggers_off("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
    message = verify_fails()
    assert (
        f"audit_auditevent: missing link before row {events[2].pk}: position 3 follows 1, "
        f"1 row(s) removed after row {events[0].pk} (position 1)"
    ) in message


@postgres
def test_removing_the_first_rows_is_a_missing_link_at_the_start(events):
    removed = [events[0].pk, events[1].pk]
    as_owner_with_triggers_off("DELETE FROM audit_auditeventcontact WHERE event_id = ANY(%s)", [removed])
    as_owner_with_triggers_off("DELETE FROM audit_auditevent WHERE id = ANY(%s)", [removed])
    expected = f"missing link before row {events[2].pk}: position 3 follows 0, 2 row(s) removed at the start"
    assert expected in verify_fails()


@postgres
def test_a_recomputed_seal_breaks_the_next_link(events):
    # The owner changes a row and seals it again from its predecessor: the next row no longer follows.
    as_owner_with_triggers_off("UPDATE audit_auditevent SET action = 'export' WHERE id = %s", [events[1].pk])
    as_owner_with_triggers_off(
        "UPDATE audit_auditevent t SET chain_hash = audit_chain_digest("
        "(SELECT chain_hash FROM audit_auditevent WHERE chain_seq = 1), 2, to_jsonb(t)) WHERE id = %s",
        [events[1].pk],
    )
    message = verify_fails()
    assert f"broken link at row {events[2].pk} (position 3): it or the row before it (row {events[1].pk})" in message


@postgres
def test_a_changed_history_row_is_named(counsellor):
    contact = ContactFactory(created_by=counsellor, channel="phone")
    contact.channel = "chat"
    contact.save()
    first = ContactEvent.objects.filter(pgh_obj=contact).order_by("pgh_id").first()
    as_owner_with_triggers_off("UPDATE audit_contactevent SET channel = 'email' WHERE pgh_id = %s", [first.pk])
    assert f"audit_contactevent: broken link at row {first.pk} (position 1)" in verify_fails()


@postgres
def test_a_changed_who_of_a_change_is_named(counsellor, coordinator):
    with pghistory.context(user=counsellor.pk):
        ContactFactory(created_by=counsellor)
    context_id = ContactEvent.objects.get().pgh_context_id
    as_owner_with_triggers_off(
        "UPDATE pghistory_context SET metadata = %s::jsonb WHERE id = %s", [f'{{"user": {coordinator.pk}}}', context_id]
    )
    assert f"pghistory_context: broken link at row {context_id} (position 1)" in verify_fails()


@postgres
def test_a_row_written_with_the_trigger_off_is_not_sealed(events, counsellor):
    as_owner_with_triggers_off(
        "INSERT INTO audit_auditevent (at, actor_username, action, via, details) "
        "VALUES (now(), 'x', 'contact_view', 'web', '{}')"
    )
    assert "is not sealed (written while the chain trigger was off)" in verify_fails()


@postgres
def test_a_disabled_chain_trigger_is_reported(events):
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE audit_auditevent DISABLE TRIGGER {chain.SEAL_TRIGGER}")
    assert "audit_auditevent: the chain trigger is missing or disabled" in verify_fails()


@postgres
def test_installing_the_chain_seals_the_rows_already_there_in_order(events):
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER {chain.SEAL_TRIGGER} ON audit_auditevent")
        cursor.execute("ALTER TABLE audit_auditevent DROP COLUMN chain_seq, DROP COLUMN chain_hash")
    assert "audit_auditevent: has no chain (run migrate)" in verify_fails()
    chain.install()
    assert "audit_auditevent: 3 rows" in verify()
    with connection.cursor() as cursor:
        cursor.execute("SELECT chain_seq FROM audit_auditevent ORDER BY id")
        assert [seq for (seq,) in cursor.fetchall()] == [1, 2, 3]


@postgres
def test_a_context_row_is_never_rewritten_when_its_metadata_grows(counsellor):
    """pghistory would UPDATE the context; the trail's contexts are written once (audit/chain.py)."""
    with pghistory.context(via="web"):
        first = ContactFactory(created_by=counsellor)
        pghistory.context(user=counsellor.pk)  # e.g. the request's user logged in
        second = ContactFactory(created_by=counsellor)
    one = ContactEvent.objects.get(pgh_obj=first).pgh_context
    two = ContactEvent.objects.get(pgh_obj=second).pgh_context
    assert one.metadata == {"via": "web"}
    assert two.metadata == {"via": "web", "user": counsellor.pk}
    assert one.pk != two.pk
    assert "Audit trail intact" in verify()


def test_verify_audit_refuses_to_vouch_for_a_trail_without_a_chain(db, monkeypatch):
    # The embedded SQLite demo keeps access events without a chain.
    monkeypatch.setattr(connection, "vendor", "sqlite")
    with pytest.raises(CommandError, match="chained on PostgreSQL only"):
        verify()
