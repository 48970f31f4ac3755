"""Statement-level triggers that mark the bucket and team of every change as dirty (PostgreSQL).

SQLite (the demo) counts live and needs no triggers.
"""

from django.db import migrations

# The bucket: the 1st, 11th or 21st of the contact's month (reports.cube.bucket_of).
BUCKET = (
    "date_trunc('month', c.started_on)::date + CASE WHEN extract(day FROM c.started_on) <= 10 THEN 0 "
    "WHEN extract(day FROM c.started_on) <= 20 THEN 10 ELSE 20 END, coalesce(c.team_id, 0), now()"
)
UPSERT = (
    "INSERT INTO reports_dirtybucket (bucket, team_key, marked_at) SELECT DISTINCT {bucket} FROM {source} "
    "ON CONFLICT (bucket, team_key) DO UPDATE SET marked_at = EXCLUDED.marked_at;"
)
SOURCES = {
    "registration_contact": "{rows} c",
    "registration_reportedperson": "{rows} r JOIN registration_contact c ON c.id = r.contact_id",
    "registration_violenceform": (
        "{rows} m JOIN registration_reportedperson r ON r.id = m.person_id "
        "JOIN registration_contact c ON c.id = r.contact_id"
    ),
    "referrals_referral": (
        "{rows} m JOIN registration_reportedperson r ON r.id = m.person_id "
        "JOIN registration_contact c ON c.id = r.contact_id"
    ),
}


def _function(table: str) -> str:
    source = SOURCES[table]
    new = UPSERT.format(bucket=BUCKET, source=source.format(rows="new_rows"))
    old = UPSERT.format(bucket=BUCKET, source=source.format(rows="old_rows"))
    return f"""
CREATE OR REPLACE FUNCTION reports_mark_{table}() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'INSERT' OR TG_OP = 'UPDATE' THEN
    {new}
  END IF;
  IF TG_OP = 'DELETE' OR TG_OP = 'UPDATE' THEN
    {old}
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER reports_mark_ins AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION reports_mark_{table}();
CREATE TRIGGER reports_mark_upd AFTER UPDATE ON {table} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION reports_mark_{table}();
CREATE TRIGGER reports_mark_del AFTER DELETE ON {table} REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION reports_mark_{table}();
"""


def _drop(table: str) -> str:
    return "".join(f"DROP TRIGGER IF EXISTS reports_mark_{op} ON {table};" for op in ("ins", "upd", "del")) + (
        f"DROP FUNCTION IF EXISTS reports_mark_{table}();"
    )


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in SOURCES:
        schema_editor.execute(_function(table))


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in SOURCES:
        schema_editor.execute(_drop(table))


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_cube"),
        ("registration", "0002_load_code_lists"),
        ("referrals", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop)]
