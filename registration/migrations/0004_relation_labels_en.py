from django.db import migrations


def fill(apps, schema_editor):
    """English labels for the relation codes, where an administrator has not set one."""
    from registration.codelists import read_json

    Code = apps.get_model("registration", "Code")
    labels = read_json("extra_lists.json")["labels_en"]["caller_relation"]
    for code in Code.objects.filter(list="caller_relation", label_en=""):
        if code.code in labels:
            code.label_en = labels[code.code]
            code.save(update_fields=["label_en"])


class Migration(migrations.Migration):
    dependencies = [("registration", "0003_draft")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
