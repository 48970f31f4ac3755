"""When a follow-up item was entered (the Flemish overview holds its figures to the month's cut).

Items entered before this migration are taken as entered when they arrived: the figures already
read from them stay as they were.
"""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("followup", "0002_record_key")]

    operations = [
        migrations.AddField(
            model_name="followupitem",
            name="created_at",
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False),
        ),
        migrations.RunSQL(
            "UPDATE followup_followupitem SET created_at = received_at", migrations.RunSQL.noop
        ),
    ]
