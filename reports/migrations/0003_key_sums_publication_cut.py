"""The pre-aggregated counts keep the sum of their rows' record keys (reports.disclosure), and
each month's publication figures have a cut (reports.selectors.publication).

Counts aggregated before the keys existed have no key sums: they are dropped, and the next
report recounts its months from the live tables (reports.cube.refresh).
"""

from django.db import migrations, models


def forget_aggregates(apps, schema_editor):
    apps.get_model("reports", "CubeCount").objects.all().delete()
    apps.get_model("reports", "CubeMonth").objects.all().delete()
    apps.get_model("reports", "DirtyBucket").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_cube_triggers"),
        ("registration", "0007_record_keys"),
    ]

    operations = [
        migrations.AddField(
            model_name="cubecount",
            name="key_sum",
            field=models.BigIntegerField(default=0),
        ),
        migrations.RunPython(forget_aggregates, migrations.RunPython.noop),
        migrations.CreateModel(
            name="PublicationCut",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("month", models.DateField(unique=True)),
                ("taken_at", models.DateTimeField()),
            ],
        ),
    ]
