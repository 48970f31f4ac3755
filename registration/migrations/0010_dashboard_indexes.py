"""Indexes for the dashboards at a million contacts (issue 14, dashboard.team and dashboard.overview).

Both pages read whole months from the reports' pre-aggregation; what they still count from the
contacts themselves is read from an index alone (an index-only scan) or a short range of one:

- contact_created_at: the contacts registered since the month's publication cut (a few, dated in
  closed months the Flemish overview reads from the pre-aggregation, are subtracted there).
- contact_team_date_counsellor: a team's contacts of this year per counsellor, and the incomplete
  ones among them (the team dashboard).
- contact_incomplete_date: the incomplete registrations of a closed year per team, as registered
  before the cut (the Flemish overview).

Plain SQL, valid on PostgreSQL and SQLite alike (every column in the key rather than INCLUDE), as
in 0008; not in the models' Meta for the same reason. Numbered 0010 after 0008: another change
may take 0009.
"""

from django.db import migrations

INDEXES = {
    "contact_created_at": "registration_contact (created_at)",
    "contact_team_date_counsellor": (
        "registration_contact (team_id, started_on, created_by_id, status) WHERE deleted_at IS NULL"
    ),
    "contact_incomplete_date": (
        "registration_contact (started_on, team_id, record_key, created_at) "
        "WHERE status = 'incomplete' AND deleted_at IS NULL"
    ),
}


class Migration(migrations.Migration):
    dependencies = [("registration", "0008_list_indexes")]

    operations = [
        migrations.RunSQL(f"CREATE INDEX IF NOT EXISTS {name} ON {target}", f"DROP INDEX IF EXISTS {name}")
        for name, target in INDEXES.items()
    ]
