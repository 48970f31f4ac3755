"""The history of an UPDATE or DELETE of a case row cannot be skipped, not even by the app's login.

pgtrigger's trigger functions skip themselves when `pgtrigger.ignore` names them, and any session
may set it. A statement guard (audit/migrations/0002_history_guard.py), owned by the owner and not
managed by pgtrigger, refuses an UPDATE or DELETE of a tracked table while the setting names
anything but an INSERT history trigger, or while a temporary table stands in for a history table.
A bulk load still skips its INSERT history (audit.history.skip_row_history).

The refusals are tried as the app's own role (tests/audit/test_database_roles.py makes it), on a
connection of its own: the case rows are committed first (transactional tests).
"""

from datetime import date
from io import StringIO

import pgtrigger
import psycopg
import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection, transaction
from pghistory.models import Event

from audit.history import history_context, skip_row_history
from audit.models import ContactEvent, ContactTextEvent, ReferralEvent, ReportedPersonEvent, ViolenceFormEvent
from referrals.models import Referral
from registration.interchange import import_lines
from registration.models import Contact, ContactText, ReportedPerson, Team, ViolenceForm
from registration.services import PersonInput, RegistrationInput, contact_register
from tests.registration.test_interchange import line

from . import test_database_roles as roles
from .test_database_roles import django_connected_as

pytestmark = pytest.mark.postgres

# The app's role and a connection logged in as it: the fixtures of test_database_roles.
app_role, as_app = roles.app_role, roles.as_app

# Each tracked table: its history, and a column to change (with a value no registration here has).
TRACKED = {
    Contact: (ContactEvent, "duration_minutes", 99),
    ContactText: (ContactTextEvent, "summary", "Gewijzigd."),
    ReportedPerson: (ReportedPersonEvent, "age", "12_17"),
    ViolenceForm: (ViolenceFormEvent, "code", "gewijzigd"),
    Referral: (ReferralEvent, "code", "gewijzigd"),
}
GUARD = {("history_guard_after", 24), ("history_guard_before", 26)}  # tgtype: statement, UPDATE|DELETE, after/before
GUARDED = "only the INSERT history can be skipped"


def history_trigger(model, operation: str) -> str:
    """The name in the database of the model's history trigger for INSERT, UPDATE or DELETE."""
    (pgid,) = [t.get_pgid(m) for m, t in pgtrigger.registered() if m is model and str(t.operation) == operation]
    return pgid


def ignore(*names: str) -> tuple[str, list]:
    return "SELECT set_config('pgtrigger.ignore', %s, true)", ["{" + ",".join(names) + "}"]


def refused(app, *statements) -> str:
    """Run the statements (SQL, or (SQL, params)) in one transaction as the app; return why it was refused."""
    with pytest.raises(psycopg.errors.InsufficientPrivilege) as refusal, app.transaction():
        for statement in statements:
            sql, params = statement if isinstance(statement, tuple) else (statement, None)
            app.execute(sql, params)
    return str(refusal.value)


def register(user) -> Contact:
    data = RegistrationInput(
        started_on=date(2024, 3, 14),
        fields={"team": Team.objects.get(code="antwerpen"), "channel": "phone"},
        persons=[PersonInput(gender="female", violence_forms=["sexual_violence"], referrals=["caw"])],
        summary="Samenvatting.",
    )
    with history_context(user, via="web"):
        return contact_register(user=user, data=data)


def row_of(model, contact: Contact):
    """The tracked row of `model` that belongs to the contact (the contact itself for Contact)."""
    if model is Contact:
        return Contact.all_objects.get(pk=contact.pk)
    if model in (ContactText, ReportedPerson):
        return model.objects.get(contact=contact)
    return model.objects.get(person__contact=contact)


def snapshot() -> dict:
    """Every tracked table's rows and every history table's size."""
    return {
        model._meta.db_table: (
            sorted(map(repr, model._base_manager.values_list())),
            history.objects.count(),
        )
        for model, (history, _column, _value) in TRACKED.items()
    }


def test_the_guard_is_on_every_tracked_table_and_enabled(db):
    # Every model pghistory tracks (a model tracked later must get the guard too).
    assert {m.pgh_tracked_model for m in apps.get_models() if issubclass(m, Event)} == set(TRACKED)
    with connection.cursor() as cursor:
        for model in TRACKED:
            cursor.execute(
                "SELECT tgname, tgtype, tgenabled FROM pg_trigger "
                "WHERE tgrelid = %s::regclass AND tgname LIKE 'history_guard%%'",
                [model._meta.db_table],
            )
            rows = cursor.fetchall()
            assert {(name, kind) for name, kind, _enabled in rows} == GUARD, model
            assert {enabled for _name, _kind, enabled in rows} == {"O"}, model


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("model", list(TRACKED), ids=lambda m: m._meta.db_table)
def test_an_update_with_its_history_skipped_is_refused_and_changes_nothing(as_app, counsellor, model):
    contact = register(counsellor)
    history, column, value = TRACKED[model]
    row = row_of(model, contact)
    before = snapshot()
    message = refused(
        as_app,
        ignore(history_trigger(model, "UPDATE")),
        (f"UPDATE {model._meta.db_table} SET {column} = %s WHERE {model._meta.pk.column} = %s", [value, row.pk]),
    )
    assert GUARDED in message and f"UPDATE of {model._meta.db_table} refused" in message
    assert snapshot() == before
    # The same statement with nothing skipped changes the row and writes its history.
    update = f"UPDATE {model._meta.db_table} SET {column} = %s WHERE {model._meta.pk.column} = %s"
    as_app.execute(update, [value, row.pk])
    as_app.commit()
    assert getattr(row_of(model, contact), column) == value
    assert history.objects.filter(pgh_label="update").count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("model", list(TRACKED), ids=lambda m: m._meta.db_table)
def test_a_delete_with_its_history_skipped_is_refused_and_removes_nothing(as_app, counsellor, model):
    contact = register(counsellor)
    row = row_of(model, contact)
    before = snapshot()
    message = refused(
        as_app,
        ignore(history_trigger(model, "DELETE")),
        (f"DELETE FROM {model._meta.db_table} WHERE {model._meta.pk.column} = %s", [row.pk]),
    )
    assert GUARDED in message and f"DELETE of {model._meta.db_table} refused" in message
    assert snapshot() == before


@pytest.mark.django_db(transaction=True)
def test_every_way_to_name_an_update_trigger_is_refused(as_app, counsellor):
    contact = register(counsellor)
    update = history_trigger(Contact, "UPDATE")
    inserts = [history_trigger(model, "INSERT") for model in TRACKED]
    change = (f"UPDATE registration_contact SET duration_minutes = 99 WHERE id = {contact.pk}", None)
    before = snapshot()
    for skipped in (
        [*inserts, update],  # among the INSERT triggers skip_row_history names
        [f"registration_contact:{update}"],  # pgtrigger's older form, which names nothing
        ["pgtrigger_insert_insert_00000"],  # the pattern, but no trigger of this schema
    ):
        assert GUARDED in refused(as_app, ignore(*skipped), change), skipped
    # Not a list at all (pgtrigger would ignore nothing; the guard refuses rather than guess).
    assert "no list of trigger names" in refused(
        as_app, ("SELECT set_config('pgtrigger.ignore', 'everything', true)", None), change
    )
    # A trigger of the app's own (temporary) table named like the UPDATE history trigger.
    assert GUARDED in refused(
        as_app,
        "CREATE TEMP TABLE decoy (id int) ON COMMIT DROP",
        "CREATE FUNCTION pg_temp.nothing() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$",
        f"CREATE TRIGGER {update} AFTER INSERT ON decoy FOR EACH ROW EXECUTE FUNCTION pg_temp.nothing()",
        ignore(update),
        change,
    )
    assert snapshot() == before


@pytest.mark.django_db(transaction=True)
def test_a_skip_set_while_the_statement_runs_is_refused_after_it(as_app, counsellor):
    """The statement's row triggers read the setting at its end: the guard after the statement does too."""
    contact = register(counsellor)
    before = snapshot()
    message = refused(
        as_app,
        (
            "WITH changed AS (UPDATE registration_contact SET duration_minutes = 99 WHERE id = %s RETURNING id) "
            "SELECT set_config('pgtrigger.ignore', %s, true) FROM changed",
            [contact.pk, "{" + history_trigger(Contact, "UPDATE") + "}"],
        ),
    )
    assert GUARDED in message
    assert snapshot() == before


@pytest.mark.django_db(transaction=True)
def test_an_upsert_and_a_merge_that_update_are_guarded_too(as_app, counsellor):
    contact = register(counsellor)
    form, referral = ViolenceForm.objects.get(person__contact=contact), Referral.objects.get(person__contact=contact)
    before = snapshot()
    upsert = (
        "INSERT INTO registration_violenceform (person_id, code) VALUES (%s, %s) "
        "ON CONFLICT (person_id, code) DO UPDATE SET code = 'gewijzigd'",
        [form.person_id, form.code],
    )
    assert GUARDED in refused(as_app, ignore(history_trigger(ViolenceForm, "UPDATE")), upsert)
    merge = (
        "MERGE INTO referrals_referral r USING (SELECT %s::bigint AS id) s ON r.id = s.id "
        "WHEN MATCHED THEN UPDATE SET code = 'gewijzigd'",
        [referral.pk],
    )
    assert GUARDED in refused(as_app, ignore(history_trigger(Referral, "UPDATE")), merge)
    assert snapshot() == before


@pytest.mark.django_db(transaction=True)
def test_a_temporary_table_in_place_of_a_history_table_is_refused(as_app, counsellor):
    """The history triggers name their tables unqualified; a session's temporary tables come first."""
    contact = register(counsellor)
    before = snapshot()
    message = refused(
        as_app,
        "CREATE TEMP TABLE audit_contactevent ON COMMIT DROP AS SELECT * FROM public.audit_contactevent WITH NO DATA",
        f"UPDATE registration_contact SET duration_minutes = 99 WHERE id = {contact.pk}",
    )
    assert "the temporary relation audit_contactevent stands in for the table of that name" in message
    assert snapshot() == before


@pytest.mark.django_db(transaction=True)
def test_the_app_skips_only_insert_history_and_its_updates_and_deletes_keep_theirs(app_role, counsellor):
    with django_connected_as(app_role):
        with transaction.atomic():
            skip_row_history()
            contact = register(counsellor)
            with history_context(counsellor, via="web"):
                Contact.objects.filter(pk=contact.pk).update(duration_minutes=12)
                Referral.objects.filter(person__contact=contact).delete()
        assert list(ContactEvent.objects.values_list("pgh_label", "duration_minutes")) == [("update", 12)]
        assert list(ReferralEvent.objects.values_list("pgh_label", flat=True)) == ["delete"]
        for history in (ReportedPersonEvent, ViolenceFormEvent, ContactTextEvent):
            assert not history.objects.exists(), history
        # Without a skip, the app's update is recorded like any other.
        with history_context(counsellor, via="web"):
            Contact.objects.filter(pk=contact.pk).update(duration_minutes=13)
        assert list(ContactEvent.objects.values_list("pgh_label", "duration_minutes").order_by("pgh_id")) == [
            ("update", 12),
            ("update", 13),
        ]


@pytest.mark.parametrize(
    ("statement", "reason"),
    [
        (
            "ALTER TABLE registration_contact DISABLE TRIGGER history_guard_before",
            "must be owner of table registration_contact",
        ),
        ("ALTER TABLE referrals_referral DISABLE TRIGGER ALL", "must be owner of table referrals_referral"),
        (
            "DROP TRIGGER history_guard_after ON registration_reportedperson",
            "must be owner of relation registration_reportedperson",
        ),
        ("DROP FUNCTION audit_history_guard() CASCADE", "must be owner of function audit_history_guard"),
        ("ALTER FUNCTION audit_history_guard() RESET ALL", "must be owner of function audit_history_guard"),
        (
            "CREATE OR REPLACE FUNCTION audit_history_guard() RETURNS trigger LANGUAGE plpgsql "
            "AS $$ BEGIN RETURN NULL; END $$",
            "permission denied for schema public",
        ),
        (
            "CREATE TRIGGER history_guard_zz BEFORE UPDATE ON registration_contact "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_history_guard()",
            "permission denied for table registration_contact",
        ),
        # TRUNCATE fires no row trigger (no history at all): the app is not granted it.
        ("TRUNCATE registration_contacttext", "permission denied for table registration_contacttext"),
        ("TRUNCATE referrals_referral", "permission denied for table referrals_referral"),
    ],
)
def test_the_app_cannot_drop_disable_or_replace_the_guard(as_app, statement, reason):
    assert reason in refused(as_app, statement)


@pytest.mark.django_db
def test_import_update_writes_the_history_of_what_it_replaces_but_none_for_what_it_inserts(tmp_path):
    import_lines([line(), line(external_id="two")])
    old = Contact.objects.get(external_id="legacy-2020-000123")
    path = tmp_path / "update.jsonl"
    path.write_text(line(caller_age="12_17") + "\n", encoding="utf-8")
    call_command("import_contacts", str(path), "--update", stdout=StringIO())
    new = Contact.objects.get(external_id="legacy-2020-000123")
    assert (new.caller_age, new.pk != old.pk) == ("12_17", True)
    # The replaced contact and its rows are deleted with their history; the inserts have none.
    assert list(ContactEvent.objects.values_list("pgh_obj_id", "pgh_label")) == [(old.pk, "delete")]
    assert list(ReportedPersonEvent.objects.values_list("pgh_label", flat=True)) == ["delete"]
    assert sorted(ViolenceFormEvent.objects.values_list("pgh_label", flat=True)) == ["delete", "delete"]
    assert list(ReferralEvent.objects.values_list("pgh_label", flat=True)) == ["delete"]


@pytest.mark.django_db
def test_the_demo_reload_writes_the_history_of_the_demo_it_deletes():
    call_command("seed_demo", "--years", "2012", stdout=StringIO())
    first = set(Contact.all_objects.values_list("pk", flat=True))
    rows = {model: model._base_manager.count() for model in TRACKED}
    # The load skips its INSERT history.
    assert not any(history.objects.exists() for history, _c, _v in TRACKED.values())
    out = StringIO()
    call_command("seed_demo", "--years", "2012", "--flush", stdout=out)
    assert f"Deleted {len(first)} demo contact(s)" in out.getvalue()
    assert Contact.all_objects.count() == len(first)
    # Every deleted row has its history row (follow-ups unlinked first add UPDATE rows); the new load none.
    assert set(ContactEvent.objects.filter(pgh_label="delete").values_list("pgh_obj_id", flat=True)) == first
    for model, (history, _column, _value) in TRACKED.items():
        assert history.objects.filter(pgh_label="delete").count() == rows[model], model
        assert not history.objects.filter(pgh_label="insert").exists(), model
