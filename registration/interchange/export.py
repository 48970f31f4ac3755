"""Write contacts in the interchange format: the same format the import reads."""

from __future__ import annotations

import json
from collections.abc import Iterator

from django.utils import timezone

from ..models import CALLER_FIELDS, HANDLING_CHOICES, Contact
from ..selectors import person_codes


def export_record(contact: Contact, *, include_text: bool = False) -> dict:
    """One contact as a dict of the interchange format (persons prefetched by the caller)."""
    if contact.started_at is not None:
        started = timezone.localtime(contact.started_at).isoformat()
    else:
        started = contact.started_on.isoformat()
    record = {
        "external_id": contact.identifier,
        "team": contact.team.code if contact.team_id else None,
        "channel": contact.channel,
        "started_at": started,
        "duration_minutes": contact.duration_minutes,
        "caller_region": contact.caller_region,
        **{name: getattr(contact, name) for name in CALLER_FIELDS},
        "status": contact.status,
        "persons": [person_codes(person) for person in contact.persons.all()],
    }
    handling = {key: getattr(contact, key) for key in HANDLING_CHOICES}
    if contact.actions:
        handling["actions"] = sorted(contact.actions)
    if any(value for value in handling.values()):
        record["handling"] = handling
    if contact.follow_up_of_id:
        record["follow_up_of"] = contact.follow_up_of.identifier
    if include_text:
        text = getattr(contact, "text", None) if hasattr(contact, "text") else None
        if text is not None and text.summary and not text.shredded_at:
            record["summary"] = text.summary
    return record


def export_contacts(queryset, *, include_text: bool = False, chunk_size: int = 2000) -> Iterator[str]:
    """Yield one JSON line per contact of the queryset, oldest first."""
    related = ["team", "follow_up_of"] + (["text"] if include_text else [])
    queryset = (
        queryset.select_related(*related)
        .prefetch_related("persons__violence_forms", "persons__referrals")
        .order_by("started_on", "started_at", "id")
    )
    for contact in queryset.iterator(chunk_size=chunk_size):
        yield json.dumps(export_record(contact, include_text=include_text), ensure_ascii=False)
