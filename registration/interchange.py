"""The JSON Lines interchange format of domain.md: parse, validate, import, export.

An import is all or nothing: every line is parsed and checked first, each error with
its line number; only a file without errors is written, in one transaction, with bulk
inserts. Records are idempotent by external_id.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.history import history_context, skip_row_history
from referrals.models import Referral

from .derivation import Schedule, relation_roles
from .models import HANDLING_FIELDS, Code, Contact, ContactText, ReportedPerson, Team, ViolenceForm

BATCH = 2000

# Top-level coded fields: JSON key → code list.
CONTACT_CODES = {
    "channel": "channel",
    "caller_region": "caller_region",
    "caller_age": "caller_age",
    "caller_gender": "caller_gender",
    "anonymous": "anonymous",
    "caller_relation": "caller_relation",
}
# Keys inside "persons" (without the person_ prefix) → (model field, code list).
PERSON_CODES = {
    "gender": ("gender", "person_gender"),
    "age": ("age", "person_age"),
    "problem": ("problem", "problem"),
    "context": ("context", "context"),
}
PERSON_MULTI = {"violence_forms": "violence_forms", "referrals": "referrals"}
# The allowed values of each structured handling field (actions are codes of a list).
HANDLING_CHOICES = {
    name: {value for value, _label in Contact._meta.get_field(name).choices}
    for name in HANDLING_FIELDS
    if name != "actions"
}
STATUSES = {"complete", "incomplete"}


class ImportFailed(Exception):
    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class ParsedPerson:
    fields: dict
    violence_forms: list[str]
    referrals: list[str]


@dataclass
class ParsedContact:
    line: int
    external_id: str | None
    fields: dict
    persons: list[ParsedPerson]
    follow_up_of: str | None = None
    summary: str | None = None

    def comparable(self) -> dict:
        """The content that decides whether a repeated external_id is 'the same record'."""
        return {
            "fields": self.fields,
            "persons": [(p.fields, sorted(p.violence_forms), sorted(p.referrals)) for p in self.persons],
            "follow_up_of": self.follow_up_of,
        }


@dataclass
class ImportResult:
    created: int = 0
    skipped: int = 0
    updated: int = 0
    persons: int = 0
    warnings: list[str] = field(default_factory=list)


class CodeBook:
    """All codes in memory: list → code → (valid_from, valid_until)."""

    def __init__(self):
        self.codes: dict[str, dict[str, tuple[date | None, date | None]]] = {}
        for row in Code.objects.values("list", "code", "valid_from", "valid_until"):
            self.codes.setdefault(row["list"], {})[row["code"]] = (row["valid_from"], row["valid_until"])
        self.teams = dict(Team.objects.values_list("code", "pk"))

    def check(self, list_name: str, code, day: date | None) -> str | None:
        """Return an error message, or None when the code may be used on that day."""
        if not isinstance(code, str):
            return _("%(list)s: verwacht een code (tekst), kreeg %(value)s") % {
                "list": list_name,
                "value": json.dumps(code),
            }
        known = self.codes.get(list_name, {})
        if code not in known:
            return _("onbekende code %(code)s in lijst %(list)s") % {"code": json.dumps(code), "list": list_name}
        valid_from, valid_until = known[code]
        if day and ((valid_from and day < valid_from) or (valid_until and day > valid_until)):
            return _("code %(code)s van lijst %(list)s is niet geldig op %(day)s") % {
                "code": code,
                "list": list_name,
                "day": day.isoformat(),
            }
        return None


def parse_started_at(value) -> tuple[datetime | None, date]:
    """Return (instant or None, local date) for a bare date or a datetime string."""
    if not isinstance(value, str):
        raise ValueError(_("started_at moet een datum of tijdstip als tekst zijn"))
    if len(value) == 10:
        return None, date.fromisoformat(value)
    moment = datetime.fromisoformat(value)
    if timezone.is_naive(moment):
        # No offset: the helpline's local clock.
        moment = timezone.make_aware(moment)
    return moment, timezone.localtime(moment).date()


def parse_line(number: int, text: str, book: CodeBook) -> tuple[ParsedContact | None, list[str]]:
    errors: list[str] = []

    def err(message: str) -> None:
        errors.append(_("regel %(line)d: %(message)s") % {"line": number, "message": message})

    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        err(_("geen geldige JSON (%(error)s)") % {"error": exc.msg})
        return None, errors
    if not isinstance(data, dict):
        err(_("verwacht een JSON-object per regel"))
        return None, errors

    external_id = data.get("external_id")
    if external_id is not None and (not isinstance(external_id, str) or not external_id.strip()):
        err(_("external_id moet een niet-lege tekst zijn"))
        external_id = None

    fields: dict = {}
    day = None
    try:
        instant, day = parse_started_at(data.get("started_at"))
        fields["started_at"] = instant
        fields["started_on"] = day
    except (ValueError, TypeError) as exc:
        if data.get("started_at") is None:
            err(_("started_at ontbreekt"))
        else:
            err(
                _("ongeldige started_at %(value)s (%(error)s)")
                % {"value": json.dumps(data["started_at"]), "error": exc}
            )

    team = data.get("team")
    if team is None:
        fields["team_id"] = None
    elif isinstance(team, str) and team in book.teams:
        fields["team_id"] = book.teams[team]
    else:
        err(_("onbekend team %(team)s") % {"team": json.dumps(team)})

    duration = data.get("duration_minutes")
    if duration is not None and (isinstance(duration, bool) or not isinstance(duration, int) or duration < 0):
        err(
            _("duration_minutes moet een geheel getal van 0 of meer zijn, kreeg %(value)s")
            % {"value": json.dumps(duration)}
        )
    fields["duration_minutes"] = duration

    for key, list_name in CONTACT_CODES.items():
        value = data.get(key)
        if value is not None and (message := book.check(list_name, value, day)):
            err(message)
        fields[key] = value

    status = data.get("status", "complete")
    if status not in STATUSES:
        err(_("status moet complete of incomplete zijn"))
    fields["status"] = status

    handling = data.get("handling") or {}
    if not isinstance(handling, dict):
        err(_("handling moet een object zijn"))
        handling = {}
    for key, allowed in HANDLING_CHOICES.items():
        value = handling.get(key)
        if isinstance(value, bool) and {"yes", "no"} <= allowed:
            # true / false is the natural JSON for a yes-or-no question.
            value = "yes" if value else "no"
        if value is not None and value not in allowed:
            err(_("handling.%(key)s: ongeldige waarde %(value)s") % {"key": key, "value": json.dumps(value)})
        fields[key] = value
    actions = handling.get("actions") or []
    if not isinstance(actions, list):
        err(_("handling.actions moet een lijst zijn"))
        actions = []
    for code in actions:
        if message := book.check("handling_action", code, day):
            err(message)
    fields["actions"] = sorted(actions) if all(isinstance(a, str) for a in actions) else []

    persons: list[ParsedPerson] = []
    raw_persons = data.get("persons")
    if raw_persons is None:
        raw_persons = []
    if not isinstance(raw_persons, list):
        err(_("persons moet een lijst zijn"))
        raw_persons = []
    for index, raw in enumerate(raw_persons, start=1):
        if not isinstance(raw, dict):
            err(_("persons[%(n)d] moet een object zijn") % {"n": index})
            continue
        person_fields = {}
        for key, (model_field, list_name) in PERSON_CODES.items():
            value = raw.get(key)
            if value is not None and (message := book.check(list_name, value, day)):
                err(_("persoon %(n)d: %(message)s") % {"n": index, "message": message})
            person_fields[model_field] = value
        multi = {}
        for key, list_name in PERSON_MULTI.items():
            values = raw.get(key)
            if values is None:
                values = []
            if not isinstance(values, list):
                err(_("persoon %(n)d: %(key)s moet een lijst zijn") % {"n": index, "key": key})
                values = []
            for value in values:
                if message := book.check(list_name, value, day):
                    err(_("persoon %(n)d: %(message)s") % {"n": index, "message": message})
            multi[key] = sorted({v for v in values if isinstance(v, str)})
        persons.append(ParsedPerson(person_fields, multi["violence_forms"], multi["referrals"]))

    follow_up_of = data.get("follow_up_of")
    if follow_up_of is not None and not isinstance(follow_up_of, str):
        err(_("follow_up_of moet het external_id van een eerder contact zijn"))
    summary = data.get("summary")
    if summary is not None and not isinstance(summary, str):
        err(_("summary moet tekst zijn"))

    if errors:
        return None, errors
    return ParsedContact(number, external_id, fields, persons, follow_up_of, summary), []


def parse_lines(lines: Iterable[str], book: CodeBook | None = None, progress=None) -> list[ParsedContact]:
    """Parse and validate every line; raise ImportFailed with every error found."""
    book = book or CodeBook()
    records: list[ParsedContact] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for number, text in enumerate(lines, start=1):
        if progress:
            progress(1)
        if not text.strip():
            continue
        record, line_errors = parse_line(number, text, book)
        errors.extend(line_errors)
        if record is None:
            continue
        if record.external_id is not None:
            if record.external_id in seen:
                errors.append(
                    _("regel %(line)d: external_id %(id)s staat ook op regel %(first)d")
                    % {"line": number, "id": json.dumps(record.external_id), "first": seen[record.external_id]}
                )
                continue
            seen[record.external_id] = number
        records.append(record)
    if errors:
        raise ImportFailed(errors)
    return records


# Implausible, but real in legacy data (domain.md): imported, and listed as warnings.
MINOR_CALLER_AGES = {"under_12", "12_17", "minor_unknown"}
MINOR_PERSON_AGES = {"unborn", "0_2", "3_6", "7_12", "13_17", "minor_unknown"}


def plausibility_warnings(record: ParsedContact) -> list[str]:
    """Return the line's implausible combinations (they are imported all the same)."""
    found = []
    fields = record.fields
    if fields["channel"] == "phone" and fields["started_at"] is not None:
        if timezone.localtime(fields["started_at"]).weekday() >= 5:
            found.append(_("telefoon in het weekend"))
    for index, person in enumerate(record.persons, start=1):
        problem, age = person.fields["problem"], person.fields["age"]
        if problem == "elder_abuse" and age in MINOR_PERSON_AGES:
            found.append(_("persoon %(n)d: ouderenmishandeling bij een minderjarige") % {"n": index})
        if (
            problem == "elder_abuse"
            and fields["caller_relation"] == "1100"
            and fields["caller_age"] in MINOR_CALLER_AGES
        ):
            found.append(
                _("persoon %(n)d: een minderjarige beller als slachtoffer van ouderenmishandeling") % {"n": index}
            )
    return [_("regel %(line)d: %(warning)s") % {"line": record.line, "warning": w} for w in found]


def import_lines(lines: Iterable[str], *, update: bool = False, progress=None) -> ImportResult:
    """Import JSON Lines whole or not at all; return what was created, skipped and updated."""
    records = parse_lines(lines, progress=progress)
    result = import_records(records, update=update)
    result.warnings = [warning for record in records for warning in plausibility_warnings(record)]
    return result


def import_records(records: list[ParsedContact], *, update: bool = False) -> ImportResult:
    result = ImportResult()
    ids = [r.external_id for r in records if r.external_id]
    existing: dict[str, Contact] = {}
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        # A contact registered here is exported under its uuid: re-importing that export
        # must find it too.
        uuids = [value for value in batch if _as_uuid(value)]
        for contact in (
            Contact.all_objects.filter(Q(external_id__in=batch) | Q(external_id__isnull=True, uuid__in=uuids))
            .select_related("team", "follow_up_of")
            .prefetch_related("persons__violence_forms", "persons__referrals")
        ):
            existing[contact.identifier] = contact

    errors: list[str] = []
    to_create: list[ParsedContact] = []
    to_update: list[tuple[ParsedContact, Contact]] = []
    if existing:
        book = CodeBook()
        for record in records:
            current = existing.get(record.external_id) if record.external_id else None
            if current is None:
                to_create.append(record)
                continue
            same = parse_line(record.line, json.dumps(export_record(current)), book)[0]
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
    known_ids = set(existing) | {r.external_id for r in records if r.external_id}
    missing_refs = [r for r in records if r.follow_up_of and r.follow_up_of not in known_ids]
    found = _contacts_by_reference({r.follow_up_of for r in missing_refs})
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
        # The import is recorded as one audit event (by the caller), not a history row per row.
        skip_row_history(("INSERT", "DELETE"))
        if to_update:
            Contact.all_objects.filter(pk__in=[c.pk for _r, c in to_update]).delete()
            to_create = to_create + [r for r, _c in to_update]
            result.updated = len(to_update)
        contacts = _bulk_insert(to_create, roles, schedule)
        result.created = len(to_create) - result.updated
        result.persons = sum(len(r.persons) for r in to_create)
        _link_follow_ups(to_create, contacts)
    return result


def _as_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _contacts_by_reference(refs: set[str]) -> dict[str, int]:
    """Map each reference (an external_id, or the uuid a contact registered here exports) to a pk."""
    if not refs:
        return {}
    found = dict(Contact.all_objects.filter(external_id__in=refs).values_list("external_id", "pk"))
    uuids = {parsed: ref for ref in refs - set(found) if (parsed := _as_uuid(ref))}
    for value, pk in Contact.all_objects.filter(uuid__in=uuids).values_list("uuid", "pk"):
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


# --- export -------------------------------------------------------------------------


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
        "caller_age": contact.caller_age,
        "caller_gender": contact.caller_gender,
        "anonymous": contact.anonymous,
        "caller_relation": contact.caller_relation,
        "status": contact.status,
        "persons": [
            {
                "gender": person.gender,
                "age": person.age,
                "problem": person.problem,
                "context": person.context,
                "violence_forms": sorted(v.code for v in person.violence_forms.all()),
                "referrals": sorted(r.code for r in person.referrals.all()),
            }
            for person in contact.persons.all()
        ],
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
