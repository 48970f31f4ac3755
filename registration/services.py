"""Writes of single registrations: register, update (optimistic locking), soft delete, drafts.

Each service is one transaction. Free text (the summary) goes to ContactText, never to a log.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from followup.services import follow_ups_after_delete, follow_ups_after_save
from referrals.models import Referral

from .models import (
    CALLER_FIELDS,
    PERSON_CODE_LISTS,
    REGISTRATION_FIELDS,
    Contact,
    ContactText,
    Draft,
    ReportedPerson,
    ViolenceForm,
)
from .selectors import contact_state, contacts_with_registration

# What a registration needs before it counts as complete (volledig): the channel, the caller
# fields and, for every reported person, each coded field and at least one form of violence.
# Anything else may stay Leeg.
REQUIRED_FOR_COMPLETE = ("channel", *CALLER_FIELDS)


@dataclass
class PersonInput:
    gender: str | None = None
    age: str | None = None
    problem: str | None = None
    context: str | None = None
    violence_forms: list[str] = field(default_factory=list)
    referrals: list[str] = field(default_factory=list)
    # The person's uuid when the input edits an existing reported person.
    uuid: uuid.UUID | None = None


@dataclass
class RegistrationInput:
    """Cleaned input of one registration: coded fields, persons and the free-text summary."""

    started_on: date
    started_at: datetime | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    persons: list[PersonInput] = field(default_factory=list)
    summary: str = ""


class ConcurrentEdit(Exception):
    """Someone saved the contact after the user started editing: nothing was written."""

    def __init__(self, contact: Contact, current_state: dict[str, Any]):
        super().__init__("concurrent edit")
        self.contact = contact
        self.current_state = current_state


def status_for(data: RegistrationInput) -> str:
    """Complete when the caller fields and every person's coded fields are filled."""
    if any(not data.fields.get(name) for name in REQUIRED_FOR_COMPLETE):
        return Contact.Status.INCOMPLETE
    for person in data.persons:
        if any(not getattr(person, name) for name in PERSON_CODE_LISTS) or not person.violence_forms:
            return Contact.Status.INCOMPLETE
    return Contact.Status.COMPLETE


def _apply(contact: Contact, data: RegistrationInput) -> None:
    contact.started_at = data.started_at
    # The local (Brussels) date of the instant decides year, month and code validity.
    contact.started_on = timezone.localtime(data.started_at).date() if data.started_at else data.started_on
    for name in REGISTRATION_FIELDS:
        value = data.fields.get(name)
        if name == "actions":
            value = list(value or [])
        elif value == "":
            value = None
        setattr(contact, name, value)
    contact.status = status_for(data)
    contact.refresh_derived()


def _write_persons(contact: Contact, persons: list[PersonInput], *, new: bool = False) -> None:
    """Store the persons of the input; `new`: the contact was just created, so it has none yet.

    A new contact's persons and their codes are only inserted: none to look up, compare or delete.
    """
    if new:
        for position, item in enumerate(persons):
            person = ReportedPerson(contact=contact, position=position)
            for name in PERSON_CODE_LISTS:
                setattr(person, name, getattr(item, name) or None)
            person.save()
            if item.violence_forms:
                ViolenceForm.objects.bulk_create(
                    [ViolenceForm(person=person, code=code) for code in dict.fromkeys(item.violence_forms)]
                )
            if item.referrals:
                Referral.objects.bulk_create(
                    [Referral(person=person, code=code) for code in dict.fromkeys(item.referrals)]
                )
        return
    existing = {p.uuid: p for p in ReportedPerson.all_objects.filter(contact=contact)}
    keep = []
    for position, item in enumerate(persons):
        person = existing.get(item.uuid) if item.uuid else None
        if person is None:
            person = ReportedPerson(contact=contact)
        person.position = position
        for name in PERSON_CODE_LISTS:
            setattr(person, name, getattr(item, name) or None)
        person.save()
        keep.append(person.pk)
        ViolenceForm.objects.filter(person=person).exclude(code__in=item.violence_forms).delete()
        have = set(ViolenceForm.objects.filter(person=person).values_list("code", flat=True))
        ViolenceForm.objects.bulk_create(
            [ViolenceForm(person=person, code=code) for code in dict.fromkeys(item.violence_forms) if code not in have]
        )
        Referral.objects.filter(person=person).exclude(code__in=item.referrals).delete()
        have = set(Referral.objects.filter(person=person).values_list("code", flat=True))
        Referral.objects.bulk_create(
            [Referral(person=person, code=code) for code in dict.fromkeys(item.referrals) if code not in have]
        )
    ReportedPerson.all_objects.filter(contact=contact).exclude(pk__in=keep).delete()


def _write_text(contact: Contact, summary: str, *, new: bool = False) -> None:
    summary = summary or ""
    if new:
        if summary:
            ContactText.objects.create(contact=contact, summary=summary)
        return
    if summary:
        ContactText.objects.update_or_create(contact=contact, defaults={"summary": summary})
    else:
        ContactText.objects.filter(contact=contact).update(summary="")


def contact_register(*, user, data: RegistrationInput, token: uuid.UUID | None = None) -> Contact:
    """Create a contact with its persons and summary; return it.

    With a token (the form's idempotency key, also its draft's token) a repeated call
    returns the contact the first call created instead of creating another one.
    """
    with transaction.atomic():
        draft = None
        if token is not None:
            draft = _lock_draft(user, token)
            if draft.registered_id is not None:
                return draft.registered
        contact = Contact(created_by=user)
        _apply(contact, data)
        contact.save()
        _write_persons(contact, data.persons, new=True)
        _write_text(contact, data.summary, new=True)
        if draft is not None:
            draft.registered = contact
            draft.data = {}  # the contact holds it now; don't keep a second copy of the free text
            draft.save(update_fields=["registered", "data", "updated_at"])
        # Closes the follow-up items this contact answers; opens those its handling record asks for.
        follow_ups_after_save(user=user, contact=contact, draft=draft, new=True)
        return contact


def _lock_draft(user, token: uuid.UUID) -> Draft:
    try:
        with transaction.atomic():
            draft, _created = Draft.objects.select_for_update().get_or_create(token=token, defaults={"owner": user})
    except IntegrityError:
        # A parallel request created it first; now that it committed, wait for its lock.
        draft = Draft.objects.select_for_update().get(token=token)
    if draft.owner_id != user.pk:
        raise Draft.DoesNotExist
    return draft


def contact_update(*, user, contact: Contact, version: int, data: RegistrationInput) -> Contact:
    """Save the user's changes if nobody saved since `version`; else raise ConcurrentEdit."""
    with transaction.atomic():
        locked = Contact.objects.select_for_update().filter(pk=contact.pk).first()
        if locked is None:
            raise Contact.DoesNotExist
        if locked.version != version:
            current = contacts_with_registration(user).get(pk=contact.pk)
            raise ConcurrentEdit(current, contact_state(current))
        _apply(locked, data)
        locked.version = F("version") + 1
        locked.save()
        locked.refresh_from_db(fields=["version"])
        _write_persons(locked, data.persons)
        _write_text(locked, data.summary)
        Draft.objects.filter(owner=user, edits=locked).delete()
        follow_ups_after_save(user=user, contact=locked)
        return locked


def contact_delete(*, user, contact: Contact) -> None:
    """Soft-delete the contact: it leaves every list and count at once."""
    with transaction.atomic():
        Contact.objects.filter(pk=contact.pk).update(
            deleted_at=timezone.now(), version=F("version") + 1, updated_at=timezone.now()
        )
        follow_ups_after_delete(user=user, contact=contact)


def draft_save(*, user, token: uuid.UUID, data: dict, edits: Contact | None = None) -> Draft | None:
    """Store the form state of the user's draft; return it, or None once it became a contact."""
    with transaction.atomic():
        draft = Draft.objects.select_for_update().filter(token=token).first()
        if draft is None:
            # Two autosaves of a new draft at once: INSERT … ON CONFLICT DO NOTHING, so the second
            # waits for the first and then updates its row, with no duplicate-key error (whose
            # logged statement would carry the draft) on either side.
            Draft.objects.bulk_create([Draft(token=token, owner=user, edits=edits, data=data)], ignore_conflicts=True)
            draft = Draft.objects.select_for_update().get(token=token)
            if draft.owner_id == user.pk and draft.data == data:
                return draft
        if draft.owner_id != user.pk:
            raise Draft.DoesNotExist
        if draft.registered_id is not None or draft.discarded_at is not None:
            return None
        draft.data = data
        draft.save(update_fields=["data", "updated_at"])
        return draft


def draft_discard(*, user, token: uuid.UUID) -> None:
    """Close one of the user's drafts without registering it; its state is dropped."""
    with transaction.atomic():
        Draft.objects.filter(owner=user, token=token, registered__isnull=True).update(
            discarded_at=timezone.now(), data={}
        )
