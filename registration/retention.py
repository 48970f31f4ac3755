"""Retention of free text: drafts and summaries do not outlive their purpose."""

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .models import ContactText, Draft

# A finished or discarded draft keeps its token (the idempotency key of a repeated save) for
# this long; its typed content goes at once.
DRAFT_TOKEN_DAYS = 2


@dataclass
class RetentionResult:
    drafts_emptied: int
    drafts_deleted: int
    texts_shredded: int


def retention_apply(*, open_draft_days: int, text_days: int | None) -> RetentionResult:
    """Empty used drafts, delete stale ones and, if asked, shred summaries older than text_days."""
    now = timezone.now()
    with transaction.atomic():
        used = Draft.objects.exclude(registered__isnull=True, discarded_at__isnull=True)
        emptied = used.exclude(data={}).update(data={})
        deleted, _ = used.filter(updated_at__lt=now - timedelta(days=DRAFT_TOKEN_DAYS)).delete()
        stale, _ = Draft.objects.open().filter(updated_at__lt=now - timedelta(days=open_draft_days)).delete()
        shredded = 0
        if text_days is not None:
            shredded = ContactText.objects.filter(
                shredded_at__isnull=True, contact__started_on__lt=now.date() - timedelta(days=text_days)
            ).update(summary="", shredded_at=now)
    return RetentionResult(drafts_emptied=emptied, drafts_deleted=deleted + stale, texts_shredded=shredded)
