"""Each trail table is sealed by a function of its own (audit/chain.py, issue 13): plain SQL that
PostgreSQL plans once, naming its table with the schema, so the chain stays what it was."""

import pytest
from django.db import connection

from audit import chain
from audit.services import audit_event

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the chain is PostgreSQL's"),
]


def _head(cursor, table):
    cursor.execute(f"SELECT max(chain_seq) FROM public.{table}")
    return cursor.fetchone()[0] or 0


def test_every_chained_table_is_sealed_by_its_own_function():
    tables = [model._meta.db_table for model in chain.chained_models()]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgrelid::regclass::text, tgfoid::regproc::text, tgenabled FROM pg_trigger WHERE tgname = %s",
            [chain.SEAL_TRIGGER],
        )
        seals = {table: (function, enabled) for table, function, enabled in cursor.fetchall()}
        assert seals == {table: (chain.seal_function(table), "O") for table in tables}
        for table in tables:
            cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = %s", [chain.seal_function(table)])
            assert f'FROM "public"."{table}"' in cursor.fetchone()[0]


def test_rows_written_by_the_table_seals_verify_and_follow_on_without_a_gap(counsellor):
    with connection.cursor() as cursor:
        before = _head(cursor, "audit_auditevent")
    for n in range(3):
        audit_event(action="contact_list", actor=counsellor, via="web", details={"page": n})
    with connection.cursor() as cursor:
        assert _head(cursor, "audit_auditevent") == before + 3
    assert all(state.problem is None for state in chain.verify())


def test_a_temporary_table_of_the_same_name_does_not_take_the_chains_place(counsellor):
    audit_event(action="contact_list", actor=counsellor, via="web", details={})
    with connection.cursor() as cursor:
        real = _head(cursor, "audit_auditevent")
        # A temporary table comes first on the search path for a name without a schema.
        cursor.execute("CREATE TEMP TABLE audit_auditevent (chain_seq bigint, chain_hash text)")
        cursor.execute("INSERT INTO audit_auditevent VALUES (999, 'forged')")
        cursor.execute(
            "INSERT INTO public.audit_auditevent (at, actor_id, actor_username, action, via, details) "
            "VALUES (now(), %s, 'x', 'contact_list', 'web', '{}') RETURNING chain_seq",
            [counsellor.pk],
        )
        assert cursor.fetchone()[0] == real + 1
        cursor.execute("DROP TABLE pg_temp.audit_auditevent")
    assert all(state.problem is None for state in chain.verify())


def test_history_context_is_set_only_before_statements_on_tracked_tables():
    from helpline.history_binding import may_fire_history

    assert may_fire_history('INSERT INTO "registration_contact" ("uuid") VALUES (%s)')
    assert may_fire_history("UPDATE registration_contacttext SET summary = ''")
    assert may_fire_history('DELETE FROM "referrals_referral" WHERE "id" = 1')
    assert may_fire_history('INSERT INTO "registration_violenceform" ("person_id", "code") SELECT * FROM UNNEST(%s)')
    # The read audit of a page, a draft, a session: no history trigger to tell who.
    assert not may_fire_history(
        'WITH event AS (INSERT INTO "audit_auditevent" ("at") VALUES (now()) RETURNING "id") '
        'INSERT INTO "audit_auditeventcontact" ("event_id") SELECT "id" FROM event'
    )
    assert not may_fire_history('UPDATE "registration_draft" SET "data" = %s')
    assert not may_fire_history('INSERT INTO "registration_contactnote" VALUES (1)')
    assert not may_fire_history('SELECT * FROM "registration_contact"')


def test_the_generic_seal_of_earlier_versions_is_gone():
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regprocedure('audit_chain_seal()')")
        assert cursor.fetchone()[0] is None
