"""A random record key 0–255 on every contact and reported person (reports.disclosure: the cell
key of a published figure is the sum of its records' keys mod 256).

Adds the fields, fills every existing row with its own random key, then makes them required. A
field default would give every existing row the same key, so the fill is one UPDATE that draws
a key per row in the database: a random byte of gen_random_uuid() on PostgreSQL (13+), random()
on SQLite. The change history leaves the key out (audit.models), so the fill records no events.
"""

from django.db import migrations, models

import registration.models

TABLES = ["registration_contact", "registration_reportedperson"]
RANDOM_KEY = {
    "postgresql": "get_byte(uuid_send(gen_random_uuid()), 0)",
    "sqlite": "abs(random()) % 256",
}


def fill(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        schema_editor.execute(f"UPDATE {table} SET record_key = {RANDOM_KEY[vendor]} WHERE record_key IS NULL")


class Migration(migrations.Migration):
    dependencies = [("registration", "0006_code_search_words")]

    operations = [
        migrations.AddField(
            model_name="contact",
            name="record_key",
            field=models.PositiveSmallIntegerField(null=True, editable=False),
        ),
        migrations.AddField(
            model_name="reportedperson",
            name="record_key",
            field=models.PositiveSmallIntegerField(null=True, editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="contact",
            name="record_key",
            field=models.PositiveSmallIntegerField(default=registration.models.new_record_key, editable=False),
        ),
        migrations.AlterField(
            model_name="reportedperson",
            name="record_key",
            field=models.PositiveSmallIntegerField(default=registration.models.new_record_key, editable=False),
        ),
    ]
