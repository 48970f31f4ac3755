from django.core.management.base import BaseCommand

from audit.services import audit_event
from registration.retention import retention_apply


class Command(BaseCommand):
    help = (
        "Remove free text that has served its purpose: the content of registered or discarded drafts, "
        "open drafts untouched for --open-draft-days, and (with --text-days) counsellors' summaries of "
        "contacts older than that. The coded registration and the figures stay. Run it daily."
    )

    def add_arguments(self, parser):
        parser.add_argument("--open-draft-days", type=int, default=30)
        parser.add_argument("--text-days", type=int, default=None, help="shred summaries of contacts older than this")

    def handle(self, *args, open_draft_days, text_days, **options):
        result = retention_apply(open_draft_days=open_draft_days, text_days=text_days)
        audit_event(None, "retention", via="cli", details=result.__dict__ | {"text_days": text_days})
        self.stdout.write(
            f"Drafts emptied: {result.drafts_emptied}, drafts deleted: {result.drafts_deleted}, "
            f"summaries shredded: {result.texts_shredded}."
        )
