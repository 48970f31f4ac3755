"""What the registration form starts from and what a draft keeps.

A new registration starts now; an edit starts from the stored contact, its version and its
signed state; a resumed draft from the fields the browser sent. The draft's state is the
form's own fields, as lists of strings, checked here before it is stored.
"""

from __future__ import annotations

import uuid
from datetime import date

from django.core import signing
from django.utils import timezone

from .models import PERSON_CODE_LISTS, PERSON_MULTI_CODE_LISTS, REGISTRATION_FIELDS, Contact
from .selectors import contact_state, contacts_visible_to, person_codes, summary_of

BASE_SALT = "registration.base-state"
# The most reported persons one registration holds (the formset's limit too).
MAX_PERSONS = 50


def sign_state(state: dict) -> str:
    return signing.dumps(state, salt=BASE_SALT, compress=True)


def signed_state(raw: str | None) -> dict | None:
    """The state a form started from, if its signature holds."""
    if not raw:
        return None
    try:
        return signing.loads(raw, salt=BASE_SALT)
    except signing.BadSignature:
        return None


def person_values(single, many) -> dict:
    """A reported person's coded fields (Leeg as None) and its multi-choice lists."""
    return {
        **{name: single.get(name) or None for name in PERSON_CODE_LISTS},
        **{name: as_list(many.get(name)) for name in PERSON_MULTI_CODE_LISTS},
    }


def initial_from_contact(contact: Contact) -> tuple[dict, list[dict]]:
    """The edit form's initial values: the contact as stored, the version and state it starts from."""
    local = timezone.localtime(contact.started_at) if contact.started_at else None
    initial = {
        "token": uuid.uuid4(),
        "version": contact.version,
        "base": sign_state(contact_state(contact)),
        "started_date": contact.started_on,
        "started_time": local.time().replace(second=0, microsecond=0) if local else None,
    }
    for name in REGISTRATION_FIELDS:
        value = getattr(contact, name)
        if name == "team":
            value = contact.team.code if contact.team_id else ""
        elif name == "follow_up_of":
            value = str(contact.follow_up_of.uuid) if contact.follow_up_of_id else ""
        initial[name] = value
    initial["summary"] = summary_of(contact)
    persons = [{"uuid": p.uuid, **person_codes(p)} for p in contact.persons.all()]
    return initial, persons


def initial_from_draft(data: dict) -> tuple[dict, list[dict]]:
    """The form's initial values from a draft's stored state (the browser's form fields)."""
    # An edit's draft also carries the version it started from and the signed base state.
    names = ["started_date", "started_time", "summary", "version", "base", *REGISTRATION_FIELDS]
    initial = {name: _first(data.get(name)) for name in names}
    initial["actions"] = as_list(data.get("actions"))
    try:
        total = int(_first(data.get("persons-TOTAL_FORMS")) or 0)
    except (TypeError, ValueError):
        total = 0
    persons = []
    for index in range(min(total, MAX_PERSONS)):
        prefix = f"persons-{index}-"
        stored = {key.removeprefix(prefix): value for key, value in data.items() if key.startswith(prefix)}
        first = {key: _first(value) for key, value in stored.items()}
        if first.get("DELETE"):
            continue
        persons.append({"uuid": first.get("uuid") or None, **person_values(first, stored)})
    return {k: v for k, v in initial.items() if v not in (None, "")}, persons


def _first(value):
    """A stored form value's first item (a draft keeps every field as a list)."""
    return value[0] if isinstance(value, list) and value else value


def as_list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


# Limits on what a browser may store as a draft: the form's own fields, nothing else.
DRAFT_MAX_VALUE = 20_000
DRAFT_MAX_KEYS = 2_000


def draft_state(raw) -> dict | None:
    """A draft's state from the page's autosave (field → values), or None when it is not one."""
    if not isinstance(raw, dict) or len(raw) > DRAFT_MAX_KEYS:
        return None
    state = {}
    for key, value in raw.items():
        if not isinstance(key, str) or len(key) > 100 or key == "csrfmiddlewaretoken":
            continue
        values = value if isinstance(value, list) else [value]
        if not all(isinstance(v, str) and len(v) <= DRAFT_MAX_VALUE for v in values):
            return None
        state[key] = values
    return state


def draft_state_of_post(post) -> dict:
    """A submitted form as a draft's state (the csrf token is not part of what the user typed)."""
    return {key: post.getlist(key) for key in post if key != "csrfmiddlewaretoken"}


def parse_uuid(raw) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(raw)) if raw else None
    except ValueError:
        return None


def new_registration_initial(user, follow_up_of: str | None = None) -> dict:
    """A new registration starts now, for the user's team, following up a contact they may open."""
    now = timezone.localtime()
    initial = {
        "token": uuid.uuid4(),
        "started_date": now.date(),
        "started_time": now.time().replace(second=0, microsecond=0),
    }
    team = user.default_team()
    if team is not None:
        initial["team"] = team.code
    target = parse_uuid(follow_up_of)
    if target is not None and contacts_visible_to(user).filter(uuid=target).exists():
        initial["follow_up_of"] = str(target)
    return initial


def initial_day(initial: dict, fallback: date | None) -> date | None:
    """The day whose codes a resumed draft offers: its typed date, else the fallback."""
    raw = initial.get("started_date")
    try:
        return date.fromisoformat(raw) if isinstance(raw, str) else fallback
    except ValueError:
        return fallback
