"""The cube's statement triggers read only the columns a delta needs from the transition tables
and group in memory (`SET work_mem` on each trigger function): a 100,000-row COPY of an import
stages its delta without temporary files (issue 13). Same cells, same counts: only the trigger
functions are generated again by reports.cube.install.
"""

from django.db import migrations


def install(apps, schema_editor):
    from reports import cube

    cube.install(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("reports", "0004_incremental_cube")]

    # Going back leaves these functions in place: they stage the same delta as 0004's.
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
