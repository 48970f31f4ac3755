"""Who counts as a minor becomes data: the roll-up of the age codes.

Frozen: the mapping below is the one of domain.md on the day this migration was written;
later changes are made in the admin or by a migration of their own.
"""

from django.db import migrations

AGE_GROUPS = {
    "caller_age": {
        "under_12": "minor",
        "12_17": "minor",
        "minor_unknown": "minor",
        "18_64": "adult",
        "65_plus": "adult",
        "adult_unknown": "adult",
        "unknown": "unknown",
    },
    "person_age": {
        "unborn": "minor",
        "0_2": "minor",
        "3_6": "minor",
        "7_12": "minor",
        "13_17": "minor",
        "minor_unknown": "minor",
        "18_59": "adult",
        "60_plus": "adult",
        "adult_unknown": "adult",
        "unknown": "unknown",
    },
}


def fill(apps, schema_editor):
    Code = apps.get_model("registration", "Code")
    for list_name, groups in AGE_GROUPS.items():
        for code, group in groups.items():
            Code.objects.filter(list=list_name, code=code, rollup="").update(rollup=group)


def empty(apps, schema_editor):
    Code = apps.get_model("registration", "Code")
    Code.objects.filter(list__in=list(AGE_GROUPS)).update(rollup="")


class Migration(migrations.Migration):
    dependencies = [("registration", "0004_relation_labels_en")]

    operations = [migrations.RunPython(fill, empty)]
