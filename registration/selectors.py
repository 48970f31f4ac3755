"""Reads of registrations. Every page, API view, search and export that shows contacts
starts from `contacts_visible_to(user)`: scope lives here and nowhere else."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from accounts.models import Role, User

from . import paging
from .models import (
    PERSON_CODE_LISTS,
    PERSON_MULTI_CODE_LISTS,
    REGISTRATION_FIELDS,
    Contact,
    ContactText,
    Draft,
    ReportedPerson,
    Team,
)

if TYPE_CHECKING:
    from .services import RegistrationInput

# Roles that work with individual records of their own teams.
RECORD_ROLES = {Role.COUNSELLOR, Role.TEAM_COORDINATOR}


def teams_of(user) -> QuerySet[Team]:
    """Return the teams whose records the user may see today."""
    if not user.is_authenticated or user.role not in RECORD_ROLES:
        return Team.objects.none()
    return user.teams_on()


def contacts_visible_to(user, *, team: str | None = None, teams: list[Team] | None = None) -> QuerySet[Contact]:
    """Return the contacts the user may open: their teams' contacts, never deleted ones.

    With `team` (a team code) only that team's, if it is one of the user's: one condition, so
    PostgreSQL does not count the team twice when it estimates how many rows a filter leaves.
    `teams` is `list(teams_of(user))` when the caller already read it (the list does, for its
    filter): the query then names the team ids themselves, and PostgreSQL plans for the team it
    knows (an ordered index scan of contact_team_list_order) instead of for a subquery's.
    """
    if teams is None:
        mine = teams_of(user) if team is None else teams_of(user).filter(code=team)
        return Contact.objects.filter(team__in=mine)
    ids = sorted(t.pk for t in teams if team is None or t.code == team)
    return Contact.objects.filter(team_id__in=ids) if len(ids) != 1 else Contact.objects.filter(team_id=ids[0])


def persons_with_codes() -> Prefetch:
    """The prefetch of a contact's reported persons with their multi-choice codes."""
    return Prefetch("persons", queryset=ReportedPerson.objects.prefetch_related("violence_forms", "referrals"))


def contacts_with_registration(user) -> QuerySet[Contact]:
    """Return the visible contacts with everything their registration shows (persons, codes, text)."""
    return (
        contacts_visible_to(user).select_related("team", "follow_up_of", "text").prefetch_related(persons_with_codes())
    )


# What a row of the list shows (registration.display.contact_rows) and its cursor needs: the rows
# are read without the other columns.
LIST_COLUMNS = ("id", "uuid", "team_id", "status", "channel", "started_at", "started_on", "team__name")


def contact_list_for_user(
    user,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    channel: str | None = None,
    team: str | None = None,
    problem: str | None = None,
    incomplete: bool = False,
    caller_region: str | None = None,
    counsellor: str | None = None,
    teams: list[Team] | None = None,
) -> QuerySet[Contact]:
    """Return the visible contacts matching the list's filters, newest first, with their persons' problems.

    `teams`: the user's teams as `list(teams_of(user))`, when the caller has read them already.
    """
    contacts = (
        contacts_visible_to(user, team=team or None, teams=teams)
        .select_related("team")
        .only(*LIST_COLUMNS)
        .in_period(date_from, date_to)
    )
    if channel:
        contacts = contacts.filter(channel=channel)
    if incomplete:
        contacts = contacts.filter(status=Contact.Status.INCOMPLETE)
    if caller_region:
        contacts = contacts.filter(caller_region=caller_region)
    if counsellor:
        contacts = contacts.filter(created_by_id=counsellor)
    if problem:
        # all_objects: the outer query already leaves deleted contacts out; the persons' default
        # manager would join the contact table again for every candidate row.
        contacts = contacts.filter(Exists(ReportedPerson.all_objects.filter(contact=OuterRef("pk"), problem=problem)))
    persons = ReportedPerson.all_objects.only("id", "contact_id", "problem", "position")
    return contacts.order_by(*paging.ORDER).prefetch_related(Prefetch("persons", persons))


def registrants_of(user) -> list[tuple[str, str]]:
    """Return (id, name) of everyone who is or was a member of the user's teams: who registered their contacts."""
    members = User.objects.filter(memberships__team__in=teams_of(user)).distinct()
    return [
        (str(u.pk), u.get_full_name() or u.get_username())
        for u in members.order_by("last_name", "first_name", "username")
    ]


def follow_ups_visible_to(user, contact: Contact) -> list[Contact]:
    """Return the later contacts the user may open that follow up this one."""
    return list(contacts_visible_to(user).filter(follow_up_of=contact).only("uuid", "started_on"))


def follow_up_of_visible_to(user, contact: Contact) -> Contact | None:
    """Return the contact this one follows up, if the user may open it."""
    earlier = contact.follow_up_of
    if earlier is None or not contacts_visible_to(user).filter(pk=earlier.pk).exists():
        return None
    return earlier


def draft_of(user, token) -> Draft | None:
    """Return the user's draft with this token, whatever became of it (open, registered, discarded)."""
    return Draft.objects.owned_by(user).filter(token=token).select_related("registered").first()


def open_drafts_of(user) -> QuerySet[Draft]:
    """Return the user's drafts not yet registered or discarded, most recent first."""
    return Draft.objects.owned_by(user).open()


def can_edit(user, contact: Contact) -> bool:
    """Return whether the user may change the contact: the rule for edits, in one place.

    A counsellor edits their own registrations; a team coordinator edits any contact of
    their teams. Both only within `contacts_visible_to(user)`.
    """
    if not user.is_authenticated or contact.deleted_at is not None:
        return False
    if contact.team_id is None or not teams_of(user).filter(pk=contact.team_id).exists():
        return False
    if user.role == Role.TEAM_COORDINATOR:
        return True
    if user.role == Role.COUNSELLOR:
        return contact.created_by_id == user.pk
    return False


def contact_editable_by(user, uuid) -> Contact | None:
    """Return the contact with this uuid if the user may open and change it."""
    contact = contacts_visible_to(user).filter(uuid=uuid).first() if uuid else None
    return contact if contact is not None and can_edit(user, contact) else None


def summary_of(contact: Contact) -> str:
    """Return the contact's free text ("" when it has none)."""
    try:
        return contact.text.summary
    except ContactText.DoesNotExist:
        return ""


def summary_digest(text: str) -> str:
    """A short digest of the free text, so a state can be compared without carrying the text."""
    return hashlib.sha256((text or "").encode()).hexdigest()[:16]


def person_codes(person: ReportedPerson) -> dict[str, Any]:
    """Return a reported person's codes: each coded field, and each multi-choice list sorted."""
    return {
        **{name: getattr(person, name) for name in PERSON_CODE_LISTS},
        **{name: sorted(row.code for row in getattr(person, name).all()) for name in PERSON_MULTI_CODE_LISTS},
    }


def contact_state(contact: Contact) -> dict[str, Any]:
    """Return the comparable state of a contact (codes and ids only; the summary as a digest)."""
    state: dict[str, Any] = {
        "started_on": contact.started_on.isoformat(),
        "started_at": timezone.localtime(contact.started_at).strftime("%H:%M") if contact.started_at else None,
    }
    for name in REGISTRATION_FIELDS:
        if name in ("team", "follow_up_of"):
            related = getattr(contact, name)
            state[name] = (related.code if name == "team" else str(related.uuid)) if related else None
        elif name == "actions":
            state[name] = sorted(contact.actions or [])
        else:
            state[name] = getattr(contact, name)
    state["summary"] = summary_digest(summary_of(contact))
    state["persons"] = [{"uuid": str(person.uuid), **person_codes(person)} for person in contact.persons.all()]
    return state


def input_state(data: RegistrationInput) -> dict[str, Any]:
    """Return the state an input would store, in contact_state's shape without person uuids."""
    state: dict[str, Any] = {
        "started_on": (timezone.localtime(data.started_at).date() if data.started_at else data.started_on).isoformat(),
        "started_at": timezone.localtime(data.started_at).strftime("%H:%M") if data.started_at else None,
    }
    for name in REGISTRATION_FIELDS:
        value = data.fields.get(name)
        if name == "team":
            value = value.code if value else None
        elif name == "follow_up_of":
            value = str(value.uuid) if value else None
        elif name == "actions":
            value = sorted(value or [])
        elif value == "":
            value = None
        state[name] = value
    state["summary"] = summary_digest(data.summary)
    state["persons"] = [
        {
            **{name: getattr(p, name) or None for name in PERSON_CODE_LISTS},
            **{name: sorted(set(getattr(p, name))) for name in PERSON_MULTI_CODE_LISTS},
        }
        for p in data.persons
    ]
    return state


def without_person_uuids(state: dict) -> dict:
    """Return a state as an input compares with it: persons by their codes, not their uuids."""
    return {**state, "persons": [{k: v for k, v in p.items() if k != "uuid"} for p in state.get("persons", [])]}


def is_stored(data: RegistrationInput, state: dict) -> bool:
    """Return whether saving the input would change nothing in the stored state (a repeated save)."""
    return input_state(data) == without_person_uuids(state)
