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
        count = 0
        for line in export_contacts(contacts, include_text=include_text):
            self.stdout.write(line)
            count += 1
        audit_event(None, "export", via="cli", details={"year": year, "include_text": include_text, "count": count})
        self.stderr.write(f"Exported {count} contact(s).")
