"""Parse and check the interchange format, line by line, with every error's line number."""

from __future__ import annotations

import gc
import json
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from ..codebook import CodeBook
from ..models import (
    CONTACT_CODE_LISTS,
    CONTACT_MULTI_CODE_LISTS,
    HANDLING_CHOICES,
    PERSON_CODE_LISTS,
    PERSON_MULTI_CODE_LISTS,
    Contact,
    Team,
)

# How the handling record's allowed values read in the format: the values of HANDLING_CHOICES.
HANDLING_VALUES = {name: set(choices.values) for name, choices in HANDLING_CHOICES.items()}
ACTIONS_LIST = CONTACT_MULTI_CODE_LISTS["actions"]
STATUSES = set(Contact.Status.values)


class ImportFailed(Exception):
    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass(slots=True)
class ParsedPerson:
    fields: dict
    violence_forms: list[str]
    referrals: list[str]


@dataclass(slots=True)
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
class Reference:
    """What each line is checked against: the code lists and the teams, loaded once."""

    book: CodeBook
    teams: dict[str, int]
    # Per list, the codes valid on every day: the common case, checked with one set lookup.
    always: dict[str, frozenset[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for list_name, codes in self.book.codes.items():
            self.always[list_name] = frozenset(c.code for c in codes if c.valid_from is None and c.valid_until is None)

    @classmethod
    def load(cls) -> Reference:
        return cls(CodeBook(), dict(Team.objects.values_list("code", "pk")))

    def check(self, list_name: str, code, day: date | None) -> str | None:
        """Return an error message, or None when the code may be used on that day."""
        if type(code) is str and code in self.always.get(list_name, ()):
            return None
        if not isinstance(code, str):
            return _("%(list)s: verwacht een code (tekst), kreeg %(value)s") % {
                "list": list_name,
                "value": json.dumps(code),
            }
        known = self.book.find(list_name, code)
        if known is None:
            return _("onbekende code %(code)s in lijst %(list)s") % {"code": json.dumps(code), "list": list_name}
        if day and not known.is_valid_on(day):
            return _("code %(code)s van lijst %(list)s is niet geldig op %(day)s") % {
                "code": code,
                "list": list_name,
                "day": day.isoformat(),
            }
        return None


def storable_text(value: str) -> bool:
    """Whether PostgreSQL can store the text: no NUL character, no lone surrogate (\\ud800 in JSON)."""
    if "\x00" in value:
        return False
    if value.isascii():
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def parse_started_at(value) -> tuple[datetime | None, date]:
    """Return (instant or None, local date) for a bare date or a datetime string."""
    if not isinstance(value, str):
        raise ValueError(_("started_at moet een datum of tijdstip als tekst zijn"))
    if len(value) == 10:
        return None, date.fromisoformat(value)
    moment = datetime.fromisoformat(value)
    # The helpline's clock (settings.TIME_ZONE, Brussels) decides the local date, whatever
    # time zone happens to be active.
    local = timezone.get_default_timezone()
    if moment.utcoffset() is None:
        # No offset: the helpline's local clock (as timezone.make_aware).
        moment = moment.replace(tzinfo=local)
    return moment, moment.astimezone(local).date()


def parse_line(number: int, text: str, reference: Reference) -> tuple[ParsedContact | None, list[str]]:
    """Parse and check one line: (the record, []) or (None, its errors with the line number)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        data = None
    if type(data) is dict:
        record = _parse_valid(number, data, reference)
        if record is not None:
            return record, []
    # Something is wrong (or unusual): the thorough path finds every error and words it.
    return _parse_checked(number, text, reference)


_CONTACT_CODES = tuple(CONTACT_CODE_LISTS.items())
_PERSON_CODES = tuple(PERSON_CODE_LISTS.items())
_VIOLENCE_LIST = PERSON_MULTI_CODE_LISTS["violence_forms"]
_REFERRAL_LIST = PERSON_MULTI_CODE_LISTS["referrals"]
_HANDLING = tuple((name, allowed, {"yes", "no"} <= allowed) for name, allowed in HANDLING_VALUES.items())


def _parse_valid(number: int, data: dict, reference: Reference) -> ParsedContact | None:
    """The fast path for a line without errors: the same record `_parse_checked` would return,
    or None at the first doubt (then `_parse_checked` runs and explains). No model instances,
    no messages: 100,000 lines must validate in a few seconds."""
    check = reference.check
    external_id = data.get("external_id")
    if external_id is not None and (
        type(external_id) is not str or not external_id.strip() or not storable_text(external_id)
    ):
        return None
    try:
        instant, day = parse_started_at(data.get("started_at"))
    except (ValueError, TypeError):
        return None
    team = data.get("team")
    if team is None:
        team_id = None
    else:
        team_id = reference.teams.get(team) if type(team) is str else None
        if team_id is None:
            return None
    duration = data.get("duration_minutes")
    if duration is not None and (type(duration) is not int or duration < 0):
        return None
    fields = {"started_at": instant, "started_on": day, "team_id": team_id, "duration_minutes": duration}
    for key, list_name in _CONTACT_CODES:
        value = data.get(key)
        if value is not None and check(list_name, value, day) is not None:
            return None
        fields[key] = value
    status = data.get("status", "complete")
    if type(status) is not str or status not in STATUSES:
        return None
    fields["status"] = status

    handling = data.get("handling") or {}
    if type(handling) is not dict:
        return None
    for key, allowed, yes_no in _HANDLING:
        value = handling.get(key)
        if value is not None:
            if yes_no and type(value) is bool:
                value = "yes" if value else "no"
            elif type(value) is not str or value not in allowed:
                return None
        fields[key] = value
    actions = handling.get("actions") or []
    if type(actions) is not list:
        return None
    for code in actions:
        if check(ACTIONS_LIST, code, day) is not None:
            return None
    fields["actions"] = sorted(actions)

    raw_persons = data.get("persons")
    if raw_persons is None:
        raw_persons = []
    elif type(raw_persons) is not list:
        return None
    persons = []
    for raw in raw_persons:
        if type(raw) is not dict:
            return None
        person = {}
        for key, list_name in _PERSON_CODES:
            value = raw.get(key)
            if value is not None and check(list_name, value, day) is not None:
                return None
            person[key] = value
        forms = raw.get("violence_forms")
        referrals = raw.get("referrals")
        if forms is None:
            forms = []
        if referrals is None:
            referrals = []
        if type(forms) is not list or type(referrals) is not list:
            return None
        for value in forms:
            if check(_VIOLENCE_LIST, value, day) is not None:
                return None
        for value in referrals:
            if check(_REFERRAL_LIST, value, day) is not None:
                return None
        persons.append(ParsedPerson(person, sorted(set(forms)), sorted(set(referrals))))

    follow_up_of = data.get("follow_up_of")
    summary = data.get("summary")
    if (follow_up_of is not None and (type(follow_up_of) is not str or not storable_text(follow_up_of))) or (
        summary is not None and (type(summary) is not str or not storable_text(summary))
    ):
        return None
    return ParsedContact(number, external_id, fields, persons, follow_up_of, summary)


def _parse_checked(number: int, text: str, reference: Reference) -> tuple[ParsedContact | None, list[str]]:
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
    elif external_id is not None and not storable_text(external_id):
        err(_("external_id bevat een ongeldig teken (NUL of een losse surrogaat)"))
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
    elif isinstance(team, str) and team in reference.teams:
        fields["team_id"] = reference.teams[team]
    else:
        err(_("onbekend team %(team)s") % {"team": json.dumps(team)})

    duration = data.get("duration_minutes")
    if duration is not None and (isinstance(duration, bool) or not isinstance(duration, int) or duration < 0):
        err(
            _("duration_minutes moet een geheel getal van 0 of meer zijn, kreeg %(value)s")
            % {"value": json.dumps(duration)}
        )
    fields["duration_minutes"] = duration

    for key, list_name in CONTACT_CODE_LISTS.items():
        value = data.get(key)
        if value is not None and (message := reference.check(list_name, value, day)):
            err(message)
        fields[key] = value

    status = data.get("status", "complete")
    if not (isinstance(status, str) and status in STATUSES):
        err(_("status moet complete of incomplete zijn"))
    fields["status"] = status

    fields.update(_parse_handling(data.get("handling") or {}, reference, day, err))
    persons = _parse_persons(data.get("persons"), reference, day, err)
    follow_up_of = data.get("follow_up_of")
    if follow_up_of is not None and not isinstance(follow_up_of, str):
        err(_("follow_up_of moet het external_id van een eerder contact zijn"))
    elif follow_up_of is not None and not storable_text(follow_up_of):
        err(_("follow_up_of bevat een ongeldig teken (NUL of een losse surrogaat)"))
    summary = data.get("summary")
    if summary is not None and not isinstance(summary, str):
        err(_("summary moet tekst zijn"))
    elif summary is not None and not storable_text(summary):
        err(_("summary bevat een ongeldig teken (NUL of een losse surrogaat)"))

    if errors:
        return None, errors
    return ParsedContact(number, external_id, fields, persons, follow_up_of, summary), []


def _parse_handling(handling, reference: Reference, day: date | None, err) -> dict:
    """The handling record's fields: its structured answers and its actions."""
    fields: dict = {}
    if not isinstance(handling, dict):
        err(_("handling moet een object zijn"))
        handling = {}
    for key, allowed in HANDLING_VALUES.items():
        value = handling.get(key)
        if isinstance(value, bool) and {"yes", "no"} <= allowed:
            # true / false is the natural JSON for a yes-or-no question.
            value = "yes" if value else "no"
        if value is not None and not (isinstance(value, str) and value in allowed):
            err(_("handling.%(key)s: ongeldige waarde %(value)s") % {"key": key, "value": json.dumps(value)})
        fields[key] = value
    actions = handling.get("actions") or []
    if not isinstance(actions, list):
        err(_("handling.actions moet een lijst zijn"))
        actions = []
    for code in actions:
        if message := reference.check(ACTIONS_LIST, code, day):
            err(message)
    fields["actions"] = sorted(actions) if all(isinstance(a, str) for a in actions) else []
    return fields


def _parse_persons(raw_persons, reference: Reference, day: date | None, err) -> list[ParsedPerson]:
    if raw_persons is None:
        raw_persons = []
    if not isinstance(raw_persons, list):
        err(_("persons moet een lijst zijn"))
        raw_persons = []
    persons = []
    for index, raw in enumerate(raw_persons, start=1):
        if not isinstance(raw, dict):
            err(_("persons[%(n)d] moet een object zijn") % {"n": index})
            continue
        persons.append(_parse_person(index, raw, reference, day, err))
    return persons


def _parse_person(index: int, raw: dict, reference: Reference, day: date | None, err) -> ParsedPerson:
    fields = {}
    for key, list_name in PERSON_CODE_LISTS.items():
        value = raw.get(key)
        if value is not None and (message := reference.check(list_name, value, day)):
            err(_("persoon %(n)d: %(message)s") % {"n": index, "message": message})
        fields[key] = value
    multi = {}
    for key, list_name in PERSON_MULTI_CODE_LISTS.items():
        values = raw.get(key)
        if values is None:
            values = []
        if not isinstance(values, list):
            err(_("persoon %(n)d: %(key)s moet een lijst zijn") % {"n": index, "key": key})
            values = []
        for value in values:
            if message := reference.check(list_name, value, day):
                err(_("persoon %(n)d: %(message)s") % {"n": index, "message": message})
        multi[key] = sorted({v for v in values if isinstance(v, str)})
    return ParsedPerson(fields, multi["violence_forms"], multi["referrals"])


def parse_lines(lines: Iterable[str], reference: Reference | None = None, progress=None) -> list[ParsedContact]:
    """Parse and validate every line; raise ImportFailed with every error found."""
    reference = reference or Reference.load()
    with without_gc():
        return _parse_lines(lines, reference, progress)


@contextmanager
def without_gc():
    """Hold the cyclic garbage collector while a file is parsed or loaded.

    Hundreds of thousands of new dicts and lists, none of them in a cycle, trigger a collection
    every few hundred allocations, each walking every object still alive: half the time of
    parsing 100,000 lines. Plain reference counting still frees everything as usual.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _parse_lines(lines: Iterable[str], reference: Reference, progress) -> list[ParsedContact]:
    records: list[ParsedContact] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for number, text in enumerate(lines, start=1):
        if progress:
            progress(1)
        if not text.strip():
            continue
        record, line_errors = parse_line(number, text, reference)
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
# Elder abuse (60+) is the one problem whose name says the victim's age.
ELDER_ABUSE = "elder_abuse"


def plausibility_warnings(record: ParsedContact, book: CodeBook) -> list[str]:
    """Return the line's implausible combinations (they are imported all the same)."""
    found = []
    fields = record.fields
    if fields["channel"] == "phone" and fields["started_at"] is not None:
        if fields["started_at"].astimezone(timezone.get_default_timezone()).weekday() >= 5:
            found.append(_("telefoon in het weekend"))
    caller = book.find(CONTACT_CODE_LISTS["caller_relation"], fields["caller_relation"] or "")
    minor_victim_calls = (
        caller is not None
        and caller.caller_role == "victim"
        and book.rollup(CONTACT_CODE_LISTS["caller_age"], fields["caller_age"]) == "minor"
    )
    for index, person in enumerate(record.persons, start=1):
        if person.fields["problem"] != ELDER_ABUSE:
            continue
        if book.rollup(PERSON_CODE_LISTS["age"], person.fields["age"]) == "minor":
            found.append(_("persoon %(n)d: ouderenmishandeling bij een minderjarige") % {"n": index})
        if minor_victim_calls:
            found.append(
                _("persoon %(n)d: een minderjarige beller als slachtoffer van ouderenmishandeling") % {"n": index}
            )
    return [_("regel %(line)d: %(warning)s") % {"line": record.line, "warning": w} for w in found]
