from django.core.management.base import BaseCommand

from audit.services import audit_event
from registration.interchange import export_contacts
from registration.models import Contact


class Command(BaseCommand):
    help = "Export contacts as JSON Lines (domain.md's interchange format) to standard output."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="only contacts of this year (local Brussels date)")
        parser.add_argument(
            "--include-text", action="store_true", help="also export the counsellor's free text (summary)"
        )

    def handle(self, *args, year=None, include_text=False, **options):
        contacts = Contact.objects.all()
        if year:
            contacts = contacts.in_year(year)
        # The export is a read of every contact in it: recorded (with which contacts) before anything
        # leaves, so an export cut short still shows in each contact's trail.
        pks = list(contacts.order_by().values_list("pk", flat=True))
        details = {"year": year, "include_text": include_text, "count": len(pks)}
        audit_event(None, "export", via="cli", contact_ids=pks, details=details)
        count = 0
        for line in export_contacts(contacts, include_text=include_text):
            self.stdout.write(line)
            count += 1
        self.stderr.write(f"Exported {count} contact(s).")
