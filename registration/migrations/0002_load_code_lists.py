from django.db import migrations


def load(apps, schema_editor):
    from registration.codelists import load_all

    load_all(
        apps.get_model("registration", "Team"),
        apps.get_model("registration", "Code"),
        apps.get_model("registration", "OpeningHours"),
        apps.get_model("registration", "Closure"),
    )


class Migration(migrations.Migration):
    dependencies = [("registration", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
