"""Load the code lists, the five teams, the opening hours and the closures.

Frozen: the rows are those of data/0002_code_lists.json, a copy of what this migration
loaded when it was written (from registration/data/ and the holidays package). Replaying
it later gives the same database; later changes are migrations of their own or admin edits.
Only what is missing is added, so rows an administrator edited are left as they are.
"""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent / "data" / "0002_code_lists.json"


def load(apps, schema_editor):
    Team = apps.get_model("registration", "Team")
    Code = apps.get_model("registration", "Code")
    OpeningHours = apps.get_model("registration", "OpeningHours")
    Closure = apps.get_model("registration", "Closure")
    data = json.loads(DATA.read_text(encoding="utf-8"))

    for team in data["teams"]:
        Team.objects.get_or_create(code=team["code"], defaults={"name": team["name"], "sort": team["sort"]})
    existing = set(Code.objects.values_list("list", "code"))
    Code.objects.bulk_create([Code(**row) for row in data["codes"] if (row["list"], row["code"]) not in existing])
    if not OpeningHours.objects.exists():
        OpeningHours.objects.bulk_create([OpeningHours(**row) for row in data["opening_hours"]])
    if not Closure.objects.exists():
        Closure.objects.bulk_create([Closure(**row) for row in data["closures"]])


class Migration(migrations.Migration):
    dependencies = [("registration", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
