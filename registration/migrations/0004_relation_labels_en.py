"""English labels for the relation codes, where an administrator has not set one.

Frozen: the labels below are those of registration/data/extra_lists.json on the day this
migration was written.
"""

from django.db import migrations

LABELS_EN = {
    "1100": "the victim themself",
    "1200": "(step)parent(s) of the victim",
    "1300": "(step)child(ren)",
    "1400": "grandparent(s)",
    "1500": "other relatives",
    "1600": "neighbours or others from the living environment",
    "1700": "friend or acquaintance",
    "1800": "partner",
    "1999": "other person / unknown from the primary environment",
    "2100": "the perpetrator themself",
    "2200": "(step)parent(s) of the perpetrator",
    "2300": "(step)child(ren)",
    "2400": "grandparent(s)",
    "2500": "other relatives",
    "2600": "neighbours or living environment",
    "2700": "friend or acquaintance",
    "2800": "partner of the perpetrator",
    "2999": "other / unknown",
    "3100": "school for minors (not CLB)",
    "3200": "adult education",
    "3999": "other / unknown person from education",
    "4100": "children and young people",
    "4200": "adults",
    "4999": "other / unknown",
    "5100": "children and young people",
    "5200": "adults",
    "5999": "other / unknown",
    "6100": "children and young people",
    "6200": "adults",
    "6300": "older people",
    "6999": "other / unknown",
    "7000": "Judicial authorities",
    "9999": "Unknown",
}


def fill(apps, schema_editor):
    Code = apps.get_model("registration", "Code")
    for code in Code.objects.filter(list="caller_relation", label_en=""):
        if code.code in LABELS_EN:
            code.label_en = LABELS_EN[code.code]
            code.save(update_fields=["label_en"])


class Migration(migrations.Migration):
    dependencies = [("registration", "0003_draft")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
