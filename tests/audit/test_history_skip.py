"""A bulk load skips the per-row INSERT history before the trigger is queued (issue 13), and only that.

The INSERT history triggers carry a WHEN condition (audit.history.NotSkipped) that reads the same
transaction-local `pgtrigger.ignore` list pgtrigger's trigger functions read: a trigger the list
names is never queued nor called. The UPDATE and DELETE history triggers are as pghistory makes
them, and a session or transaction that did not ask for the skip keeps every history row. That the
history of an UPDATE or DELETE cannot be skipped at all is tests/audit/test_history_guard.py.
"""

from datetime import date

import psycopg
import pytest
from django.db import connection, transaction

from audit.history import history_context, skip_row_history
from audit.models import ContactEvent, ReportedPersonEvent
from referrals.models import Referral
from registration.models import Contact, ContactText, ReportedPerson, Team, ViolenceForm
from registration.services import PersonInput, RegistrationInput, contact_register

pytestmark = pytest.mark.postgres

TRACKED = [m._meta.db_table for m in (Contact, ContactText, ReportedPerson, ViolenceForm, Referral)]


def history_triggers() -> dict[str, tuple[str, str]]:
    """name → (table, definition) of the change-history triggers on the tracked tables."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname, tgrelid::regclass::text, pg_get_triggerdef(oid) FROM pg_trigger "
            "WHERE tgrelid = ANY(%s::regclass[]) AND tgname LIKE 'pgtrigger\\_%%'",
            [TRACKED],
        )
        return {name: (table, definition) for name, table, definition in cursor.fetchall()}


def when_clause(definition: str) -> str:
    assert " WHEN (" in definition and ") EXECUTE FUNCTION " in definition, definition
    return definition.split(" WHEN ", 1)[1].rsplit(" EXECUTE FUNCTION ", 1)[0]


def test_every_insert_history_trigger_is_conditioned_on_its_own_name_and_only_those(db):
    triggers = history_triggers()
    inserts = {name: d for name, (_t, d) in triggers.items() if name.startswith("pgtrigger_insert_")}
    assert {table for name, (table, _d) in triggers.items() if name in inserts} == set(TRACKED)
    for name, definition in inserts.items():
        condition = when_clause(definition)
        assert "pgtrigger.ignore" in condition and f"'{name}'" in condition, definition
    others = [d for name, (_t, d) in triggers.items() if name not in inserts]
    assert len(others) == 2 * len(TRACKED)  # an UPDATE and a DELETE trigger per table
    # The UPDATE and DELETE history triggers gain no condition on the skip list.
    assert not [d for d in others if "pgtrigger.ignore" in d]


def fresh_session():
    settings = connection.settings_dict
    return psycopg.connect(
        dbname=settings["NAME"],
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
        autocommit=True,
    )


def test_the_condition_fires_unless_this_transaction_names_the_trigger(db):
    name, (_table, definition) = next(
        (n, t) for n, t in sorted(history_triggers().items()) if n.startswith("pgtrigger_insert_")
    )
    fires = f"SELECT {when_clause(definition)}"
    other = next(n for n in history_triggers() if n.startswith("pgtrigger_insert_") and n != name)
    with fresh_session() as session:
        # Never set in this session (NULL): fires.
        assert session.execute("SELECT current_setting('pgtrigger.ignore', true)").fetchone()[0] is None
        assert session.execute(fires).fetchone()[0] is True
        with session.transaction():
            session.execute("SELECT set_config('pgtrigger.ignore', %s, true)", [f"{{{other}}}"])
            assert session.execute(fires).fetchone()[0] is True  # another trigger named: fires
            session.execute("SELECT set_config('pgtrigger.ignore', %s, true)", [f"{{{other},{name}}}"])
            assert session.execute(fires).fetchone()[0] is False  # named: skipped
        # The transaction-local list has ended (''): fires again.
        assert session.execute("SELECT current_setting('pgtrigger.ignore', true)").fetchone()[0] == ""
        assert session.execute(fires).fetchone()[0] is True


def register(user, day=date(2024, 3, 14)):
    data = RegistrationInput(
        started_on=day,
        fields={"team": Team.objects.get(code="antwerpen"), "channel": "phone"},
        persons=[PersonInput(gender="female", violence_forms=["sexual_violence"], referrals=["caw"])],
        summary="Samenvatting.",
    )
    with history_context(user, via="web"):
        return contact_register(user=user, data=data)


def test_a_skipped_insert_history_still_records_the_updates_and_deletes_of_the_transaction(counsellor):
    with transaction.atomic():
        skip_row_history(("INSERT",))
        contact = register(counsellor)
        assert not ContactEvent.objects.exists() and not ReportedPersonEvent.objects.exists()
        with history_context(counsellor, via="web"):
            Contact.objects.filter(pk=contact.pk).update(caller_age="12_17")
            ReportedPerson.objects.filter(contact=contact).delete()
    assert list(ContactEvent.objects.values_list("pgh_label", flat=True)) == ["update"]
    assert list(ReportedPersonEvent.objects.values_list("pgh_label", flat=True)) == ["delete"]


@pytest.mark.django_db(transaction=True)
def test_the_skip_ends_with_its_transaction(counsellor):
    with transaction.atomic():
        skip_row_history()
        register(counsellor)
    assert not ContactEvent.objects.exists()
    with transaction.atomic():
        later = register(counsellor, day=date(2024, 3, 15))
    assert list(ContactEvent.objects.values_list("pgh_obj_id", "pgh_label")) == [(later.pk, "insert")]
    assert ReportedPersonEvent.objects.filter(contact=later).count() == 1


@pytest.mark.parametrize("operations", [("INSERT", "DELETE"), ("UPDATE",), ("DELETE",), ()])
def test_only_the_insert_history_can_be_asked_to_be_skipped(db, operations):
    with transaction.atomic():
        with pytest.raises(ValueError, match="only the INSERT history can be skipped"):
            skip_row_history(operations)
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('pgtrigger.ignore', true)")
            assert cursor.fetchone()[0] in (None, "")
