"""The app's database role (audit/roles.py) works the case tables but cannot rewrite the trail.

Each test logs in to the test database as a role of its own, made for this run and granted by
the same code `migrate` runs (grant_app_role); the suite itself runs as the owner.
"""

import secrets
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from io import StringIO

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from audit import chain
from audit.history import history_context
from audit.models import (
    AuditEvent,
    ContactEvent,
    ContactTextEvent,
    ReferralEvent,
    ReportedPersonEvent,
    ViolenceFormEvent,
)
from audit.roles import RoleError, grant_app_role
from registration.models import Team
from registration.services import PersonInput, RegistrationInput, contact_register
from tests.factories import UserFactory

pytestmark = pytest.mark.postgres

TRAIL_TABLES = [model._meta.db_table for model in chain.chained_models()]


@dataclass
class Role:
    name: str
    password: str


@pytest.fixture(scope="module")
def app_role(django_db_setup, django_db_blocker):
    role = Role(f"helpline_test_app_{uuid.uuid4().hex[:8]}", secrets.token_hex(16))
    with django_db_blocker.unblock():
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE ROLE {role.name} LOGIN PASSWORD '{role.password}'")
        grant_app_role(role.name)
    yield role
    with django_db_blocker.unblock():
        with connection.cursor() as cursor:
            cursor.execute(f"DROP OWNED BY {role.name}")
            cursor.execute(f"DROP ROLE {role.name}")


@pytest.fixture
def as_app(app_role):
    """A connection of its own to the test database, logged in as the app's role."""
    settings = connection.settings_dict
    with psycopg.connect(
        dbname=settings["NAME"],
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        user=app_role.name,
        password=app_role.password,
    ) as app:
        yield app


@contextmanager
def django_connected_as(role: Role):
    """Django's own connection logs in as `role` within the block (the suite logs in as the owner)."""
    settings = connection.settings_dict
    owner = settings["USER"], settings["PASSWORD"]
    connection.close()
    settings["USER"], settings["PASSWORD"] = role.name, role.password
    try:
        yield
    finally:
        connection.close()
        settings["USER"], settings["PASSWORD"] = owner


def refused(app, *statements: str) -> str:
    """Run the statements in one transaction as the app; return why the last one was refused."""
    with pytest.raises(psycopg.errors.InsufficientPrivilege) as refusal, app.transaction():
        for statement in statements:
            app.execute(statement)
    return str(refusal.value)


def ignore_every_trigger_on(app, table: str) -> str:
    """SET LOCAL pgtrigger.ignore naming every trigger of the table: what an app with UPDATE could skip."""
    names = [name for (name,) in app.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass", [table])]
    assert names, table
    return "SET LOCAL pgtrigger.ignore = '{" + ",".join(names) + "}'"


@pytest.mark.parametrize("table", TRAIL_TABLES)
def test_the_app_may_read_and_add_to_the_trail(as_app, table):
    privileges = {
        privilege
        for privilege in ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "TRIGGER", "REFERENCES")
        if as_app.execute("SELECT has_table_privilege(current_user, %s, %s)", [table, privilege]).fetchone()[0]
    }
    assert privileges == {"SELECT", "INSERT"}


@pytest.mark.parametrize("table", TRAIL_TABLES)
def test_the_app_cannot_update_the_trail_even_with_the_triggers_ignored(as_app, table):
    pk = "id" if table in ("audit_auditevent", "audit_auditeventcontact", "pghistory_context") else "pgh_id"
    message = refused(as_app, ignore_every_trigger_on(as_app, table), f"UPDATE {table} SET {pk} = {pk}")
    assert f"permission denied for table {table}" in message


@pytest.mark.parametrize("table", TRAIL_TABLES)
def test_the_app_cannot_delete_from_the_trail_even_with_the_triggers_ignored(as_app, table):
    message = refused(as_app, ignore_every_trigger_on(as_app, table), f"DELETE FROM {table}")
    assert f"permission denied for table {table}" in message


@pytest.mark.parametrize("table", TRAIL_TABLES)
def test_the_app_cannot_truncate_the_trail(as_app, table):
    assert f"permission denied for table {table}" in refused(as_app, f"TRUNCATE {table}")


@pytest.mark.parametrize("table", TRAIL_TABLES)
def test_the_app_cannot_switch_off_the_trails_triggers(as_app, table):
    assert f"must be owner of table {table}" in refused(as_app, f"ALTER TABLE {table} DISABLE TRIGGER ALL")


@pytest.mark.parametrize(
    ("statement", "reason"),
    [
        ("SET session_replication_role = replica", 'permission denied to set parameter "session_replication_role"'),
        (f"DROP TRIGGER {chain.SEAL_TRIGGER} ON audit_auditevent", "must be owner of relation audit_auditevent"),
        # A seal function that seals nothing would let rows in unchained; the app may not even create one.
        (
            "CREATE OR REPLACE FUNCTION audit_chain_seal() RETURNS trigger LANGUAGE plpgsql "
            "AS $$ BEGIN RETURN NEW; END $$",
            "permission denied for schema public",
        ),
        ("SELECT setval('audit_auditevent_id_seq', 1)", "permission denied for sequence audit_auditevent_id_seq"),
        ("CREATE TABLE audit_shadow (id int)", "permission denied for schema public"),
    ],
)
def test_the_app_cannot_take_the_owners_routes_around_the_trail(as_app, statement, reason):
    assert reason in refused(as_app, statement)


def test_the_app_owns_nothing_and_is_no_superuser(as_app, app_role):
    owned = as_app.execute(
        "SELECT count(*) FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)"
    ).fetchone()[0]
    superuser = as_app.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()[0]
    assert (owned, superuser) == (0, False)


def test_the_owner_is_refused_as_the_apps_role(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        (owner,) = cursor.fetchone()
    with pytest.raises(RoleError, match="superuser|is \\(or acts as\\) the owner"):
        grant_app_role(owner)


def test_a_role_that_owns_a_table_is_refused(db):
    role = f"helpline_test_owning_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        # Inside the test's transaction: the role and its table go when it rolls back.
        cursor.execute(f"CREATE ROLE {role}")
        cursor.execute("CREATE TABLE owned_by_the_app (id int)")
        cursor.execute(f"ALTER TABLE owned_by_the_app OWNER TO {role}")
    with pytest.raises(RoleError, match="owns objects in this database: it must own nothing"):
        grant_app_role(role)


@pytest.mark.django_db(transaction=True)
def test_the_app_registers_and_reads_a_contact_writing_history_and_audit_events(app_role, login):
    with django_connected_as(app_role):
        with connection.cursor() as cursor:
            cursor.execute("SELECT session_user")
            assert cursor.fetchone()[0] == app_role.name
        counsellor = UserFactory(username="counsellor_roles", teams=["antwerpen"])
        data = RegistrationInput(
            started_on=date(2024, 3, 14),
            fields={"team": Team.objects.get(code="antwerpen"), "channel": "phone"},
            persons=[PersonInput(gender="female", violence_forms=["sexual_violence"], referrals=["caw"])],
            summary="Samenvatting.",
        )
        with history_context(counsellor, via="web"):
            contact = contact_register(user=counsellor, data=data)
        assert login(counsellor).get(f"/contacts/{contact.uuid}/").status_code == 200

        assert ContactEvent.objects.filter(pgh_obj=contact, pgh_label="insert").count() == 1
        assert ReportedPersonEvent.objects.filter(contact=contact).count() == 1
        for history in (ViolenceFormEvent, ReferralEvent, ContactTextEvent):
            assert history.objects.count() == 1, history
        assert ContactEvent.objects.get(pgh_obj=contact).pgh_context.metadata["user"] == counsellor.pk
        view = AuditEvent.objects.get(action="contact_view")
        assert (view.actor, list(view.contacts.values_list("contact_id", flat=True))) == (counsellor, [contact.pk])
        out = StringIO()
        call_command("verify_audit", stdout=out)
        assert "Audit trail intact" in out.getvalue()
