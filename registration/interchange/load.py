"""Write a parsed file: all or nothing, in one transaction, with bulk inserts.

Records are idempotent by external_id: the same content again is skipped, other content is
an error unless the caller asks to update.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from audit.history import history_context, skip_row_history
from referrals.models import Referral

from ..derivation import Schedule, relation_roles
from ..models import Contact, ContactText, ReportedPerson, ViolenceForm
from .copy import copy_records
from .export import export_record
from .parse import (
    ImportFailed,
    ParsedContact,
    Reference,
    parse_line,
    parse_lines,
    plausibility_warnings,
    without_gc,
)

BATCH = 2000


@dataclass
class ImportResult:
    created: int = 0
    skipped: int = 0
    updated: int = 0
    persons: int = 0
    warnings: list[str] = field(default_factory=list)


def import_lines(lines: Iterable[str], *, update: bool = False, progress=None) -> ImportResult:
    """Import JSON Lines whole or not at all; return what was created, skipped and updated."""
    reference = Reference.load()
    records = parse_lines(lines, reference, progress=progress)
    result = import_records(records, update=update)
    result.warnings = [warning for record in records for warning in plausibility_warnings(record, reference.book)]
    return result


def import_records(records: list[ParsedContact], *, update: bool = False) -> ImportResult:
    with without_gc():
        return _import_records(records, update)


def _import_records(records: list[ParsedContact], update: bool) -> ImportResult:
    result = ImportResult()
    existing = _existing_contacts([r.external_id for r in records if r.external_id])

    errors: list[str] = []
    to_create: list[ParsedContact] = []
    to_update: list[tuple[ParsedContact, Contact]] = []
    if existing:
        reference = Reference.load()
        for record in records:
            current = existing.get(record.external_id) if record.external_id else None
            if current is None:
                to_create.append(record)
                continue
            same = parse_line(record.line, json.dumps(export_record(current)), reference)[0]
            if current.deleted_at is None and same and same.comparable() == record.comparable():
                result.skipped += 1
            elif update:
                to_update.append((record, current))
            else:
                errors.append(
                    _("regel %(line)d: external_id %(id)s bestaat al met andere inhoud (gebruik --update)")
                    % {"line": record.line, "id": json.dumps(record.external_id)}
                )
    else:
        to_create = records

    # follow_up_of must name a contact in the file or already in the database.
    in_file = {r.external_id for r in records if r.external_id}
    missing_refs = [r for r in records if r.follow_up_of and r.follow_up_of not in in_file]
    found = {ref: c.pk for ref, c in existing.items()}
    found.update(_contacts_by_reference({r.follow_up_of for r in missing_refs} - set(found)))
    for record in missing_refs:
        if record.follow_up_of not in found:
            errors.append(
                _("regel %(line)d: follow_up_of %(id)s verwijst naar een onbekend contact")
                % {"line": record.line, "id": json.dumps(record.follow_up_of)}
            )
    if errors:
        raise ImportFailed(errors)

    roles = relation_roles()
    schedule = Schedule.load()
    with transaction.atomic(), history_context(via="cli", command="import_contacts"):
        # The import is recorded as one audit event (by the caller), not a history row per inserted
        # row; what --update replaces is deleted with its history (that cannot be skipped).
        skip_row_history()
        if to_update:
            Contact.all_objects.filter(pk__in=[c.pk for _r, c in to_update]).delete()
            to_create = to_create + [r for r, _c in to_update]
            result.updated = len(to_update)
        if connection.vendor == "postgresql":
            # A contact of the file may be followed up by another of the file: its new id wins
            # over the id of the contact it replaces (--update).
            copy_records(to_create, roles, schedule, follow_ups=found)
        else:
            contacts = _bulk_insert(to_create, roles, schedule)
            _link_follow_ups(to_create, contacts)
        result.created = len(to_create) - result.updated
        result.persons = sum(len(r.persons) for r in to_create)
    return result


def _existing_contacts(ids: list[str]) -> dict[str, Contact]:
    """The contacts already here under the file's external_ids, by identifier.

    A contact registered here is exported under its uuid: re-importing that export must find
    it too. The ids are looked up first (on PostgreSQL in one query whatever the file's size);
    only the contacts found are loaded whole, to compare their content.
    """
    if not ids:
        return {}
    pks: list[int] = []
    if connection.vendor == "postgresql":
        uuids = [parsed for value in ids if (parsed := _as_uuid(value))]
        with connection.cursor() as cursor:
            # A join on the ids as a set: one index probe per id, whatever the table's size (an
            # `= ANY(array)` parameter would be searched linearly for every row scanned).
            cursor.execute(
                "SELECT c.id FROM unnest(%s::text[]) AS f(id) JOIN registration_contact c ON c.external_id = f.id "
                "UNION SELECT c.id FROM unnest(%s::uuid[]) AS f(id) JOIN registration_contact c ON c.uuid = f.id "
                "WHERE c.external_id IS NULL",
                [ids, uuids],
            )
            pks = [row[0] for row in cursor.fetchall()]
    else:
        for start in range(0, len(ids), BATCH):
            batch = ids[start : start + BATCH]
            uuids = [value for value in batch if _as_uuid(value)]
            pks += Contact.all_objects.filter(
                Q(external_id__in=batch) | Q(external_id__isnull=True, uuid__in=uuids)
            ).values_list("pk", flat=True)
    existing: dict[str, Contact] = {}
    for start in range(0, len(pks), BATCH):
        for contact in (
            Contact.all_objects.filter(pk__in=pks[start : start + BATCH])
            .select_related("team", "follow_up_of")
            .prefetch_related("persons__violence_forms", "persons__referrals")
        ):
            existing[contact.identifier] = contact
    return existing


def _as_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _contacts_by_reference(refs: set[str]) -> dict[str, int]:
    """Map each reference (an external_id, or the uuid a contact registered here exports) to a pk."""
    if not refs:
        return {}
    found = dict(Contact.all_objects.filter(external_id__in=refs).order_by().values_list("external_id", "pk"))
    uuids = {parsed: ref for ref in refs - set(found) if (parsed := _as_uuid(ref))}
    for value, pk in Contact.all_objects.filter(uuid__in=uuids).order_by().values_list("uuid", "pk"):
        found[uuids[value]] = pk
    return found


def _bulk_insert(records: list[ParsedContact], roles, schedule) -> list[Contact]:
    contacts: list[Contact] = []
    for start in range(0, len(records), BATCH):
        chunk = records[start : start + BATCH]
        objs = []
        for record in chunk:
            contact = Contact(external_id=record.external_id, **record.fields)
            contact.refresh_derived(codes=roles, hours=schedule)
            objs.append(contact)
        Contact.objects.bulk_create(objs)
        texts = [ContactText(contact=c, summary=r.summary) for r, c in zip(chunk, objs, strict=True) if r.summary]
        ContactText.objects.bulk_create(texts)
        people = []
        multi = []
        for record, contact in zip(chunk, objs, strict=True):
            for position, person in enumerate(record.persons):
                obj = ReportedPerson(contact=contact, position=position, **person.fields)
                people.append(obj)
                multi.append((obj, person))
        ReportedPerson.objects.bulk_create(people, batch_size=BATCH)
        ViolenceForm.objects.bulk_create(
            [ViolenceForm(person=obj, code=code) for obj, p in multi for code in p.violence_forms], batch_size=BATCH
        )
        Referral.objects.bulk_create(
            [Referral(person=obj, code=code) for obj, p in multi for code in p.referrals], batch_size=BATCH
        )
        contacts.extend(objs)
    return contacts


def _link_follow_ups(records: list[ParsedContact], contacts: list[Contact]) -> None:
    pending = [(r, c) for r, c in zip(records, contacts, strict=True) if r.follow_up_of]
    if not pending:
        return
    targets = _contacts_by_reference({r.follow_up_of for r, _c in pending})
    for record, contact in pending:
        contact.follow_up_of_id = targets.get(record.follow_up_of)
    Contact.all_objects.bulk_update([c for _r, c in pending], ["follow_up_of"], batch_size=BATCH)
