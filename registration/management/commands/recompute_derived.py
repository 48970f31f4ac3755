from django.core.management.base import BaseCommand
from django.db import transaction

from registration.derivation import Schedule, relation_roles
from registration.models import Contact

BATCH = 2000


class Command(BaseCommand):
    help = (
        "Recompute the derived fields (caller role, within opening hours, local hour) of every contact, "
        "after the opening hours, closures or the relation code list changed."
    )

    def handle(self, *args, **options):
        roles, schedule = relation_roles(), Schedule.load()
        changed = 0
        fields = ["caller_role", "within_opening_hours", "started_hour"]
        with transaction.atomic():
            batch = []
            for contact in Contact.all_objects.only("pk", "caller_relation", "channel", "started_at", *fields).iterator(
                chunk_size=BATCH
            ):
                before = tuple(getattr(contact, f) for f in fields)
                contact.refresh_derived(codes=roles, hours=schedule)
                if tuple(getattr(contact, f) for f in fields) != before:
                    batch.append(contact)
                if len(batch) >= BATCH:
                    changed += len(batch)
                    Contact.all_objects.bulk_update(batch, fields)
                    batch = []
            changed += len(batch)
            Contact.all_objects.bulk_update(batch, fields)
        self.stdout.write(f"Recomputed derived fields: {changed} contact(s) changed.")
