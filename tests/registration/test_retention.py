import io
import uuid
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from registration.models import ContactText, Draft
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def draft(owner, *, age_days=0, **fields):
    item = Draft.objects.create(token=uuid.uuid4(), owner=owner, data={"summary": ["Vader slaat"]}, **fields)
    Draft.objects.filter(pk=item.pk).update(updated_at=timezone.now() - timedelta(days=age_days))
    return item


def test_used_drafts_lose_their_text_and_stale_ones_go(counsellor):
    contact = ContactFactory()
    registered = draft(counsellor, registered=contact)
    old_registered = draft(counsellor, age_days=5, discarded_at=timezone.now())
    fresh_open = draft(counsellor, age_days=3)
    stale_open = draft(counsellor, age_days=31)

    call_command("apply_retention", stdout=io.StringIO())

    registered.refresh_from_db()
    assert registered.data == {}  # the token stays: a repeated save still finds its contact
    assert not Draft.objects.filter(pk__in=[old_registered.pk, stale_open.pk]).exists()
    fresh_open.refresh_from_db()
    assert fresh_open.data == {"summary": ["Vader slaat"]}


def test_summaries_are_shredded_only_when_asked_and_figures_stay():
    old = ContactFactory(started_on=timezone.localdate() - timedelta(days=400))
    recent = ContactFactory()
    ContactText.objects.create(contact=old, summary="oud verhaal")
    ContactText.objects.create(contact=recent, summary="nieuw verhaal")

    call_command("apply_retention", stdout=io.StringIO())
    assert ContactText.objects.get(contact=old).summary == "oud verhaal"

    out = io.StringIO()
    call_command("apply_retention", "--text-days", "365", stdout=out)
    assert "summaries shredded: 1" in out.getvalue()
    shredded = ContactText.objects.get(contact=old)
    assert shredded.summary == "" and shredded.shredded_at is not None
    assert ContactText.objects.get(contact=recent).summary == "nieuw verhaal"
    old.refresh_from_db()
    assert old.deleted_at is None
