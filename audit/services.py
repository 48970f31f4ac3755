"""The audit trail's one entry point for reads and exports (owned by the access work).

audit_event(actor, action, *, via="web", contact_ids=(), details=None) records who did what,
in the caller's transaction. `details` holds ids and filters, never free text or names.
`actor` is a User, or None for a command-line run (then via="cli").
"""

import json
import uuid
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, router
from django.utils import timezone

# Keys whose values are typed text (a search box, a note): the trail records that they were
# used, never what was typed.
FREE_TEXT_KEYS = frozenset({"q", "query", "search", "text", "summary", "note", "notes", "name", "comment"})
REDACTED = "[tekst weggelaten]"
MAX_VALUE_LENGTH = 200


def _clean(value, key: str = ""):
    if key.lower() in FREE_TEXT_KEYS and value not in (None, "", [], {}):
        return REDACTED
    if isinstance(value, dict):
        return {str(k): _clean(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_clean(v) for v in value]
    if isinstance(value, bool | int | float | Decimal | None.__class__ | date | datetime | uuid.UUID):
        return value
    text = str(value)
    # A long string is not a filter or a code: keep its length, not its content.
    return text if len(text) <= MAX_VALUE_LENGTH else REDACTED


def _contact_pks(contact_ids: Iterable) -> list[int]:
    from registration.models import Contact

    pks, uuids = set(), set()
    for value in contact_ids or ():
        if isinstance(value, Contact):
            pks.add(value.pk)
        elif isinstance(value, int):
            pks.add(value)
        else:
            try:
                uuids.add(uuid.UUID(str(value)))
            except ValueError:
                if str(value).isdigit():
                    pks.add(int(value))
    if uuids:
        pks.update(Contact.all_objects.filter(uuid__in=uuids).values_list("pk", flat=True))
    return sorted(pks)


def audit_event(actor, action: str, *, via: str = "web", contact_ids=(), details: dict | None = None) -> None:
    """Record one event in the caller's transaction (ids as primary keys, uuids or Contacts)."""
    from .models import AuditEvent, AuditEventContact, Via

    if via not in Via.values:
        raise ValueError(f"Unknown audit channel {via!r}")
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    username = actor.get_username() if actor else ""
    cleaned = _clean(details or {})
    pks = _contact_pks(contact_ids)
    connection = connections[router.db_for_write(AuditEvent)]
    if connection.vendor == "postgresql" and len(pks) <= ONE_STATEMENT_MAX:
        _insert_in_one_statement(connection, actor, username, action, via, cleaned, pks)
        return
    event = AuditEvent.objects.create(actor=actor, actor_username=username, action=action, via=via, details=cleaned)
    if pks:
        AuditEventContact.objects.bulk_create(
            [AuditEventContact(event=event, contact_id=pk) for pk in pks], batch_size=1000
        )


# Up to this many contacts an event and its contacts are written by one statement.
ONE_STATEMENT_MAX = 10_000

EVENT_WITH_CONTACTS = """
WITH event AS (
    INSERT INTO {event} ({at}, {actor}, {username}, {action}, {via}, {details})
    VALUES (%s, %s, %s, %s, %s, %s::jsonb)
    RETURNING {event_pk}
)
INSERT INTO {contact} ({event_fk}, {contact_fk})
SELECT event.{event_pk}, ids.id FROM event CROSS JOIN unnest(%s::bigint[]) WITH ORDINALITY AS ids(id, n)
ORDER BY ids.n
"""


def _insert_in_one_statement(connection, actor, username, action, via, details, pks) -> None:
    """The event and the contacts it names in one statement (PostgreSQL).

    A list page names 50 contacts; as two statements (the event, then its contacts in a
    transaction of their own) each took the trail's chain lock (audit.chain) and paid a commit.
    One statement, in the caller's transaction or its own, takes the lock once and commits once.
    """
    from .models import AuditEvent, AuditEventContact

    qn = connection.ops.quote_name
    event_fields, contact_fields = AuditEvent._meta, AuditEventContact._meta
    names = {
        "event": qn(event_fields.db_table),
        "event_pk": qn(event_fields.pk.column),
        "contact": qn(contact_fields.db_table),
        **{
            key: qn(event_fields.get_field(name).column)
            for key, name in (
                ("at", "at"),
                ("actor", "actor"),
                ("username", "actor_username"),
                ("action", "action"),
                ("via", "via"),
                ("details", "details"),
            )
        },
        "event_fk": qn(contact_fields.get_field("event").column),
        "contact_fk": qn(contact_fields.get_field("contact").column),
    }
    sql = EVENT_WITH_CONTACTS.format(**names)
    params = [
        timezone.now(),
        actor.pk if actor is not None else None,
        username,
        action,
        via,
        json.dumps(details, cls=DjangoJSONEncoder),
        list(pks),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
