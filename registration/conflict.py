"""A colleague saved the contact while the user was editing it: what changed, field by field.

Three states are compared: `was` (what the user's form started from, signed in the form), `now`
(what is stored) and `yours` (what the user sent). A field the colleague changed and the user did
not is taken over on the screen; where both changed it, the user's input stays and both are shown.
Reported persons are matched by their uuid and compared field by field, forms of violence and
referrals included, so no colleague's change is dropped without being shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .models import PERSON_CODE_LISTS, PERSON_MULTI_CODE_LISTS
from .selectors import input_state

if TYPE_CHECKING:
    from django.http import QueryDict

    from .services import RegistrationInput

PERSON_FIELDS = (*PERSON_CODE_LISTS, *PERSON_MULTI_CODE_LISTS)
# The stored state names the date and time as the model does; the form asks for them apart.
FORM_FIELD_OF = {"started_on": "started_date", "started_at": "started_time"}


@dataclass
class Change:
    """One difference between the stored contact and the user's input."""

    field: str  # a field of the contact or of a reported person; "persons" for a whole person
    was: Any
    now: Any
    yours: Any
    taken: bool  # the screen now holds the colleague's version
    person: int | None = None  # the reported person's number (1, 2 …); None for the contact
    uuid: str | None = None  # the reported person's uuid
    # For a whole person: "added" or "removed" by the colleague, or "removed_by_you".
    event: str = "changed"


def _codes(person: dict | None) -> dict | None:
    return None if person is None else {name: person[name] for name in PERSON_FIELDS}


def your_persons(data: RegistrationInput) -> list[dict]:
    """The user's reported persons as the stored state writes them, with their uuid (None: new)."""
    persons = input_state(data)["persons"]
    return [{"uuid": str(p.uuid) if p.uuid else None, **codes} for p, codes in zip(data.persons, persons, strict=True)]


def compare(was: dict | None, now: dict, data: RegistrationInput) -> list[Change]:
    """What the colleague changed since `was` (or, without it, where the input differs from `now`)."""
    yours = input_state(data)
    changes = []
    for name, stored in now.items():
        if name == "persons":
            continue
        before = was.get(name) if was else None
        mine = yours.get(name)
        if mine == stored or (was is not None and before == stored):
            continue
        changes.append(Change(name, before, stored, mine, taken=was is not None and mine == before))
    return changes + _compare_persons(was, now, your_persons(data))


def _compare_persons(was: dict | None, now: dict, mine: list[dict]) -> list[Change]:
    before_by = {p["uuid"]: p for p in (was or {}).get("persons", [])}
    mine_by = {p["uuid"]: p for p in mine if p["uuid"]}
    changes = []
    for number, stored in enumerate(now["persons"], start=1):
        uuid = stored["uuid"]
        before, yours = before_by.get(uuid), mine_by.get(uuid)
        if was is not None and before is None:
            if yours is None:
                changes.append(Change("persons", None, _codes(stored), None, True, number, uuid, "added"))
            continue
        if yours is None:
            if was is None or _codes(stored) != _codes(before):
                changes.append(
                    Change("persons", _codes(before), _codes(stored), None, False, number, uuid, "removed_by_you")
                )
            continue
        for name in PERSON_FIELDS:
            old = before[name] if before else None
            if yours[name] == stored[name] or (before is not None and old == stored[name]):
                continue
            taken = before is not None and yours[name] == old
            changes.append(Change(name, old, stored[name], yours[name], taken, number, uuid))
    if was is not None:
        stored_uuids = {p["uuid"] for p in now["persons"]}
        for number, before in enumerate(was.get("persons", []), start=1):
            yours = mine_by.get(before["uuid"])
            if before["uuid"] in stored_uuids or yours is None:
                continue
            taken = _codes(yours) == _codes(before)
            changes.append(
                Change("persons", _codes(before), None, _codes(yours), taken, number, before["uuid"], "removed")
            )
    return changes


def take_over(post: QueryDict, changes: list[Change], *, summary: str) -> QueryDict:
    """The user's submitted form with the colleague's changes the user did not touch (a copy).

    `summary` is the stored free text: the state holds only its digest.
    """
    post = post.copy()
    total = int(post.get("persons-TOTAL_FORMS") or 0)
    index_of = {post.get(f"persons-{i}-uuid"): i for i in range(total) if post.get(f"persons-{i}-uuid")}
    for change in (c for c in changes if c.taken):
        if change.person is None:
            key = FORM_FIELD_OF.get(change.field, change.field)
            _put(post, key, summary if change.field == "summary" else change.now)
        elif change.event == "added":
            prefix = f"persons-{total}-"
            post[prefix + "uuid"] = change.uuid
            for name in PERSON_FIELDS:
                _put(post, prefix + name, change.now[name])
            total += 1
        elif change.event == "removed":
            post[f"persons-{index_of[change.uuid]}-DELETE"] = "on"
        else:
            _put(post, f"persons-{index_of[change.uuid]}-{change.field}", change.now)
    post["persons-TOTAL_FORMS"] = str(total)
    return post


def _put(post: QueryDict, key: str, value) -> None:
    if isinstance(value, list):
        post.setlist(key, [str(v) for v in value])
    else:
        post[key] = "" if value is None else str(value)
