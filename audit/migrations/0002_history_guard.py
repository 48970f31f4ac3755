"""The history of an UPDATE or DELETE of a case row cannot be skipped, not even by the app's login.

pgtrigger's trigger functions return early when the session's `pgtrigger.ignore` names them, and
any session may set that. A bulk load legitimately names the INSERT history triggers
(audit.history.skip_row_history); naming an UPDATE or DELETE history trigger would change or
remove case rows silently. These statement triggers, owned by the role that migrates and not
managed by pgtrigger (so they cannot be named in pgtrigger.ignore themselves), refuse any UPDATE
or DELETE of a tracked table while the setting names anything else. They fire before the
statement (refused before any row is touched) and after it, once its row triggers have run: a
statement that sets the list while it runs (a data-modifying CTE, a function in a WHERE) is
rolled back whole. An INSERT … ON CONFLICT DO UPDATE and a MERGE that may update fire them too.

The same check refuses an UPDATE or DELETE while the session holds a temporary table (or view) by
the name of a table of the schema: the history triggers name their tables unqualified, and a
session's temporary tables come first in its search path, so a temporary `audit_contactevent`
would receive the history rows and vanish with the session.

TRUNCATE (which fires no row trigger) is not granted to the app's login (audit.roles).
Statement-level, the guard costs one check per statement, whatever the number of rows.
"""

from django.db import migrations

TRACKED = (
    "registration_contact",
    "registration_contacttext",
    "registration_reportedperson",
    "registration_violenceform",
    "referrals_referral",
)

# Fixed search_path, catalogs schema-qualified: a session's temporary relations cannot stand in
# for the catalogs the guard reads. The tracked tables' own schema is the firing table's.
GUARD_FUNCTION = r"""
CREATE OR REPLACE FUNCTION audit_history_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  skipped text := pg_catalog.current_setting('pgtrigger.ignore', true);
  own_schema oid;
  names text[];
  refused text;
BEGIN
  IF (skipped IS NULL OR skipped = '') AND pg_catalog.pg_my_temp_schema() = 0 THEN
    RETURN NULL;  -- the common case: nothing skipped, no temporary relations
  END IF;
  own_schema := (SELECT c.relnamespace FROM pg_catalog.pg_class c WHERE c.oid = TG_RELID);
  IF pg_catalog.pg_my_temp_schema() <> 0 THEN
    SELECT t.relname INTO refused
      FROM pg_catalog.pg_class t
      JOIN pg_catalog.pg_class r ON r.relname = t.relname AND r.relnamespace = own_schema
     WHERE t.relnamespace = pg_catalog.pg_my_temp_schema() AND t.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
     LIMIT 1;
    IF refused IS NOT NULL THEN
      RAISE EXCEPTION 'history guard: % of % refused: the temporary relation % stands in for the table of that name',
          TG_OP, TG_TABLE_NAME, refused
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Drop the temporary relation: the change history cannot be written elsewhere.';
    END IF;
  END IF;
  IF skipped IS NULL OR skipped = '' THEN
    RETURN NULL;
  END IF;
  BEGIN
    names := skipped::text[];
  EXCEPTION WHEN OTHERS THEN
    RAISE EXCEPTION 'history guard: % of % refused: pgtrigger.ignore is no list of trigger names',
        TG_OP, TG_TABLE_NAME
      USING ERRCODE = 'insufficient_privilege';
  END;
  -- Every trigger the list names must be an INSERT history trigger (AFTER INSERT FOR EACH ROW,
  -- tgtype 5, named by pgtrigger for pghistory's insert tracker) of a table of this schema, and
  -- no other trigger anywhere may carry that name (pgtrigger matches the bare name).
  SELECT skip.name INTO refused
    FROM pg_catalog.unnest(names) AS skip(name)
   WHERE NOT coalesce((
           SELECT pg_catalog.bool_and(
                    c.relnamespace = own_schema AND t.tgtype = 5 AND NOT t.tgisinternal
                    AND t.tgname LIKE 'pgtrigger\_insert\_insert\_%')
             FROM pg_catalog.pg_trigger t
             JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
            WHERE t.tgname = skip.name), false)
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION
        'history guard: % of % refused while pgtrigger.ignore names %: only the INSERT history can be skipped',
        TG_OP, TG_TABLE_NAME, pg_catalog.quote_literal(refused)
      USING ERRCODE = 'insufficient_privilege',
            HINT = 'The history of an UPDATE or DELETE is always written.';
  END IF;
  RETURN NULL;
END
$$;
"""

CREATE_TRIGGERS = [
    statement
    for table in TRACKED
    for statement in (
        f"CREATE TRIGGER history_guard_before BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_history_guard();",
        f"CREATE TRIGGER history_guard_after AFTER UPDATE OR DELETE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_history_guard();",
    )
]

DROP_TRIGGERS = [
    f"DROP TRIGGER IF EXISTS history_guard_{when} ON {table};" for table in TRACKED for when in ("before", "after")
]


class PostgreSQLOnly(migrations.RunSQL):
    """RunSQL on PostgreSQL; nothing on SQLite (the embedded demo has no change history)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        PostgreSQLOnly(
            sql=[GUARD_FUNCTION, *CREATE_TRIGGERS],
            reverse_sql=[*DROP_TRIGGERS, "DROP FUNCTION IF EXISTS audit_history_guard();"],
        ),
    ]
