"""PostgreSQL: write parsed records with COPY (psycopg 3) instead of Django's bulk inserts.

Django's `bulk_create` builds a model instance per row and prepares and quotes every value
client-side: three quarters of a 100,000-contact import (issue 13). Here each table is one
`COPY … FROM STDIN` of plain tuples, in the caller's transaction. The ids of the contacts and
reported persons are reserved up front from their sequences (one `nextval` query over
`generate_series` per table), so a person row names its contact, a form its person and a
follow-up its contact without reading anything back.

COPY fires the same triggers as INSERT: the reports' statement triggers stage the cube's delta
once per table, and the change-history row triggers honour `skip_row_history` (the caller's
`pgtrigger.ignore`) exactly as they do for bulk_create; a skipped INSERT history trigger is not
even queued (its WHEN condition, audit.history.NotSkipped). The contacts are streamed to their
COPY as they are built, so PostgreSQL inserts while the rest of the rows are made here.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence

from django.db import connection
from django.utils import timezone

from referrals.models import Referral

from ..derivation import UNKNOWN, Schedule, caller_role_for
from ..models import Contact, ContactText, ReportedPerson, ViolenceForm
from .parse import ParsedContact

# Every column of each table, in the order the rows below are built (a test checks that they
# are the models' columns, so a new field cannot be left out silently).
CONTACT_COLUMNS = (
    "id",
    "uuid",
    "external_id",
    "team_id",
    "status",
    "channel",
    "started_at",
    "started_on",
    "started_hour",
    "duration_minutes",
    "caller_region",
    "caller_age",
    "caller_gender",
    "anonymous",
    "caller_relation",
    "caller_role",
    "within_opening_hours",
    "follow_up_of_id",
    "concerning",
    "risk_level",
    "help_involved",
    "justice_involved",
    "manifest_safety_risk",
    "actions",
    "new_contact_expected",
    "created_at",
    "updated_at",
    "created_by_id",
    "version",
    "deleted_at",
    "record_key",
)
TEXT_COLUMNS = ("contact_id", "summary", "updated_at", "shredded_at")
PERSON_COLUMNS = ("id", "uuid", "contact_id", "position", "gender", "age", "problem", "context", "record_key")
CODE_COLUMNS = ("person_id", "code")
TABLES = {
    Contact: CONTACT_COLUMNS,
    ContactText: TEXT_COLUMNS,
    ReportedPerson: PERSON_COLUMNS,
    ViolenceForm: CODE_COLUMNS,  # their ids come from the column's own default
    Referral: CODE_COLUMNS,
}


def reserve_ids(cursor, model, count: int) -> list[int]:
    """Draw `count` ids from the table's own sequence in one query (never reused, never clashing)."""
    if not count:
        return []
    cursor.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
        [model._meta.db_table, count],
    )
    return [row[0] for row in cursor.fetchall()]


def _random_uuids(count: int):
    """Yield `count` random (version 4) uuids as their 16 bytes (see `column_types`)."""
    raw = bytearray(secrets.token_bytes(16 * count))
    for start in range(0, 16 * count, 16):
        raw[start + 6] = (raw[start + 6] & 0x0F) | 0x40
        raw[start + 8] = (raw[start + 8] & 0x3F) | 0x80
        yield bytes(raw[start : start + 16])


def column_types(cursor) -> dict[str, list[int]]:
    """The type (oid) of each copied column, per table, as the database has it (one query).

    COPY's binary format carries every value in its type's binary form, with no type names:
    psycopg picks its dumper by these oids. A uuid's binary form is its 16 bytes, so the uuid
    columns are given as bytea and the random bytes go as they are (no UUID object per row).
    """
    tables = {model._meta.db_table: columns for model, columns in TABLES.items()}
    cursor.execute(
        "SELECT attrelid::regclass::text, attname, atttypid::int, atttypid = 'uuid'::regtype "
        "FROM pg_attribute WHERE attrelid = ANY(%s::regclass[]) AND attnum > 0 AND NOT attisdropped",
        [list(tables)],
    )
    found = {(table, name): (BYTEA if is_uuid else oid) for table, name, oid, is_uuid in cursor.fetchall()}
    return {table: [found[(table, column)] for column in columns] for table, columns in tables.items()}


BYTEA = 17


def _copy(cursor, model, columns: Sequence[str], types: dict[str, list[int]], rows: Iterable[tuple]) -> None:
    """One COPY of `rows` (a list, empty: no statement at all; or a generator, streamed)."""
    if isinstance(rows, list) and not rows:
        return
    table = model._meta.db_table
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(types[table])
        write = copy.write_row
        for row in rows:
            write(row)


def copy_records(
    records: list[ParsedContact], roles: dict[str, str], schedule: Schedule, follow_ups: dict[str, int]
) -> dict[str, int]:
    """Insert the records (contacts, texts, persons, forms, referrals); return external_id → new id.

    `follow_ups` maps each follow_up_of reference outside the records to its contact's id.
    """
    local = timezone.get_default_timezone()
    now = timezone.now()
    person_count = sum(len(r.persons) for r in records)
    with connection.cursor() as cursor:
        types = column_types(cursor)
        contact_ids = reserve_ids(cursor, Contact, len(records))
        person_ids = reserve_ids(cursor, ReportedPerson, person_count)
    new_ids = {r.external_id: pk for r, pk in zip(records, contact_ids, strict=True) if r.external_id}
    targets = {**follow_ups, **new_ids}
    # Random uuids and record keys drawn in one go (a system call per value is most of their cost).
    next_uuid = _random_uuids(len(records) + person_count).__next__
    next_key = iter(secrets.token_bytes(len(records) + person_count)).__next__
    next_person = iter(person_ids).__next__
    texts, persons, forms, referrals = [], [], [], []

    def contact_rows():
        # Yielded to the contacts' COPY as they are built: PostgreSQL inserts the first rows while
        # the next ones (and the persons, forms and referrals beside them) are made here.
        for record, pk in zip(records, contact_ids, strict=True):
            f = record.fields
            instant = f["started_at"]
            channel = f["channel"]
            if instant is None:
                hour, opening = None, UNKNOWN
            else:
                moment = instant.astimezone(local)
                hour = moment.hour
                # As derivation.within_opening_hours_for, with the local time computed once here.
                opening = UNKNOWN if not channel else "within" if schedule.is_open(channel, moment) else "outside"
            yield (
                pk,
                next_uuid(),
                record.external_id,
                f["team_id"],
                f["status"],
                channel,
                instant,
                f["started_on"],
                hour,
                f["duration_minutes"],
                f["caller_region"],
                f["caller_age"],
                f["caller_gender"],
                f["anonymous"],
                f["caller_relation"],
                caller_role_for(f["caller_relation"], codes=roles),
                opening,
                targets.get(record.follow_up_of) if record.follow_up_of else None,
                f["concerning"],
                f["risk_level"],
                f["help_involved"],
                f["justice_involved"],
                f["manifest_safety_risk"],
                f["actions"],  # jsonb: psycopg writes the list as JSON
                f["new_contact_expected"],
                now,
                now,
                None,
                1,
                None,
                # A new random key for every new row; a key in the file is never read.
                next_key(),
            )
            if record.summary:
                texts.append((pk, record.summary, now, None))
            for position, person in enumerate(record.persons):
                person_id = next_person()
                p = person.fields
                persons.append(
                    (person_id, next_uuid(), pk, position, p["gender"], p["age"], p["problem"], p["context"])
                    + (next_key(),)
                )
                forms.extend((person_id, code) for code in person.violence_forms)
                referrals.extend((person_id, code) for code in person.referrals)

    with connection.cursor() as cursor:
        if records:
            _copy(cursor, Contact, CONTACT_COLUMNS, types, contact_rows())
        _copy(cursor, ContactText, TEXT_COLUMNS, types, texts)
        _copy(cursor, ReportedPerson, PERSON_COLUMNS, types, persons)
        _copy(cursor, ViolenceForm, CODE_COLUMNS, types, forms)
        _copy(cursor, Referral, CODE_COLUMNS, types, referrals)
    return new_ids
