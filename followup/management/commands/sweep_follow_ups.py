from django.core.management.base import BaseCommand

from followup.services import follow_ups_sweep


class Command(BaseCommand):
    help = "Open a follow-up item for every draft left for more than a day; close those whose draft is gone."

    def handle(self, *args, **options):
        opened = follow_ups_sweep(via="cli")
        self.stdout.write(f"{opened} item(s) opened for drafts left.")
