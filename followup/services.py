"""Writes of the follow-up queue: open, take, assign, close, answer, and the rules' hook.

Each service is one transaction and records an audit event per item it opens, hands out or
closes. Events carry the item's uuid, kind, team and reason, never the number or the note.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Role, TeamMembership
from audit.services import audit_event
from registration.models import Contact, Draft, Team

from .deadlines import due_dates_for, due_on_for
from .models import CloseReason, FollowUpItem, FollowUpText, Kind
from .rules import DRAFT_LEFT_AFTER, kinds_asked_by

# The kinds a later contact closes when it names the earlier one as the contact it follows up.
CLOSED_BY_A_LATER_CONTACT = (Kind.NEW_CONTACT_EXPECTED,)
# The channel of the contact that answers an item (calling back is a phone call).
ANSWER_CHANNEL = {Kind.VOICEMAIL: "phone", Kind.EMAIL: "email"}


class ItemClosed(Exception):
    """The item was closed meanwhile: nothing was written."""


class ItemTaken(Exception):
    """A colleague has the item; only a coordinator hands it on. Nothing was written."""


def _record(actor, action: str, item: FollowUpItem, *, via: str = "web", contact_ids=(), **details) -> None:
    ids = [item.contact_id, *contact_ids] if item.contact_id else list(contact_ids)
    audit_event(
        actor,
        action,
        via=via,
        contact_ids=ids,
        details={"item": str(item.uuid), "kind": item.kind, "team": item.team_id, **details},
    )


def item_open(
    *,
    user,
    team: Team,
    kind: str,
    received_at: datetime,
    callback_number: str = "",
    note: str = "",
    via: str = "web",
) -> FollowUpItem:
    """Enter a voicemail or an e-mail for the team; return the new item."""
    with transaction.atomic():
        item = FollowUpItem.objects.create(
            team=team,
            kind=kind,
            received_at=received_at,
            due_on=due_on_for(kind, received_at),
            created_by=user,
        )
        if callback_number or note:
            FollowUpText.objects.create(item=item, callback_number=callback_number, note=note)
        _record(user, "follow_up_open", item, via=via)
        return item


def item_receive(
    *,
    user,
    team: Team,
    kind: str,
    received_at: datetime,
    callback_number: str = "",
    note: str = "",
    via: str = "api",
) -> tuple[FollowUpItem, bool]:
    """A voicemail or an e-mail handed in (the API, or the web form); return (the item, whether it is new).

    A retry of the same message (same team, kind, instant, number and note) while its item is
    open returns that item: an integration that lost the answer may send it again.
    """
    with transaction.atomic():
        # Serialise deliveries to the team: two retries at the same moment make one item.
        Team.objects.select_for_update().filter(pk=team.pk).first()
        same = (
            FollowUpItem.objects.open()
            .filter(team=team, kind=kind, received_at=received_at, created_by=user)
            .select_related("text")
        )
        for item in same:
            text = getattr(item, "text", None)
            held = (text.callback_number, text.note) if text else ("", "")
            if held == (callback_number, note):
                return item, False
        return item_open(
            user=user,
            team=team,
            kind=kind,
            received_at=received_at,
            callback_number=callback_number,
            note=note,
            via=via,
        ), True


def _locked(item: FollowUpItem) -> FollowUpItem:
    locked = FollowUpItem.objects.select_for_update().get(pk=item.pk)
    if locked.closed_at is not None:
        raise ItemClosed
    return locked


def item_take(*, user, item: FollowUpItem) -> FollowUpItem:
    """The user takes the item: colleagues see who has it. Return the item."""
    with transaction.atomic():
        item = _locked(item)
        if item.assigned_to_id not in (None, user.pk) and user.role != Role.TEAM_COORDINATOR:
            raise ItemTaken
        item.assigned_to, item.assigned_at = user, timezone.now()
        item.save(update_fields=["assigned_to", "assigned_at"])
        _record(user, "follow_up_take", item, assignee=user.pk)
        return item


def item_assign(*, user, item: FollowUpItem, assignee) -> FollowUpItem:
    """A coordinator hands the item to a team member (or back to the team, with None). Return it."""
    with transaction.atomic():
        item = _locked(item)
        item.assigned_to = assignee
        item.assigned_at = timezone.now() if assignee else None
        item.save(update_fields=["assigned_to", "assigned_at"])
        _record(user, "follow_up_assign", item, assignee=assignee.pk if assignee else None)
        return item


def _close(item: FollowUpItem, *, actor, reason: str, answered_by: Contact | None = None, via: str = "web") -> None:
    """Close a locked, open item and erase its personal data."""
    item.closed_at = timezone.now()
    item.closed_by = actor if getattr(actor, "is_authenticated", False) else None
    item.close_reason = reason
    item.answered_by = answered_by
    item.save(update_fields=["closed_at", "closed_by", "close_reason", "answered_by"])
    # The number and the note are kept only while the item is open.
    FollowUpText.objects.filter(item=item).delete()
    answered = [answered_by.pk] if answered_by else []
    _record(actor, "follow_up_close", item, via=via, contact_ids=answered, reason=reason)


def item_close(*, user, item: FollowUpItem, reason: str) -> FollowUpItem:
    """Close the item with a reason from the short list; its number and note are erased. Return it."""
    with transaction.atomic():
        item = _locked(item)
        _close(item, actor=user, reason=reason)
        return item


def item_answer_draft(*, user, item: FollowUpItem) -> Draft:
    """Start (or resume) the user's registration answering the item; registering it closes the item.

    The draft holds the date, team, channel and the contact followed up: never the number or note.
    """
    # registration.services calls this module's hooks: import it here, not at the top.
    from registration.services import draft_save

    with transaction.atomic():
        item = _locked(item)
        if item.draft_id is not None:
            draft = Draft.objects.open().owned_by(user).filter(pk=item.draft_id).first()
            if draft is not None:
                return draft
        now = timezone.localtime()
        data = {
            "started_date": [now.date().isoformat()],
            "started_time": [now.strftime("%H:%M")],
            "team": [item.team.code],
        }
        if item.kind in ANSWER_CHANNEL:
            data["channel"] = [ANSWER_CHANNEL[item.kind]]
        if item.contact_id is not None:
            data["follow_up_of"] = [str(item.contact.uuid)]
        draft = draft_save(user=user, token=uuid.uuid4(), data=data)
        item.draft = draft
        item.save(update_fields=["draft"])
        return draft


# ---------------------------------------------------------------------------- the rules' hooks


def follow_ups_after_save(*, user, contact: Contact, draft: Draft | None = None, new: bool = False) -> None:
    """Close what the saved registration answers, and open (or close) what its handling record asks.

    Called by registration.services in the transaction that registers or updates the contact;
    `new`: the contact was made in this transaction, so no item can be about it yet.
    """
    answered = FollowUpItem.objects.open().select_for_update()
    closing = Q(pk__in=[])
    if draft is not None:
        closing |= Q(draft=draft)
    if contact.follow_up_of_id is not None:
        closing |= Q(contact_id=contact.follow_up_of_id, kind__in=CLOSED_BY_A_LATER_CONTACT)
    for item in answered.filter(closing):
        _close(item, actor=user, reason=CloseReason.CONTACT_REGISTERED, answered_by=contact)

    if contact.team_id is None:
        return
    wanted = kinds_asked_by(contact)
    existing = (
        {} if new else {item.kind: item for item in FollowUpItem.objects.select_for_update().filter(contact=contact)}
    )
    now = timezone.now()
    for kind in sorted(wanted - existing.keys()):
        item = FollowUpItem.objects.create(
            team_id=contact.team_id,
            kind=kind,
            received_at=now,
            due_on=due_on_for(kind, now),
            contact=contact,
            # The counsellor who registered it has it until someone hands it on.
            assigned_to=user if kind != Kind.TEAM_CONSULTATION else None,
            assigned_at=now if kind != Kind.TEAM_CONSULTATION else None,
        )
        _record(user, "follow_up_open", item, rule=True)
    incomplete = existing.get(Kind.INCOMPLETE)
    if incomplete is None:
        return
    if Kind.INCOMPLETE not in wanted and incomplete.is_open:
        _close(incomplete, actor=user, reason=CloseReason.COMPLETED)
    elif Kind.INCOMPLETE in wanted and not incomplete.is_open:
        # Incomplete again after it was completed: the same item comes back, with a new deadline.
        incomplete.received_at, incomplete.due_on = now, due_on_for(Kind.INCOMPLETE, now)
        incomplete.closed_at, incomplete.closed_by, incomplete.close_reason = None, None, ""
        incomplete.answered_by = None
        incomplete.save()
        _record(user, "follow_up_open", incomplete, rule=True, reopened=True)


def follow_ups_after_delete(*, user, contact: Contact) -> None:
    """Close the open items about a contact that was deleted (called in its transaction)."""
    for item in FollowUpItem.objects.open().select_for_update().filter(contact=contact):
        _close(item, actor=user, reason=CloseReason.CONTACT_DELETED)


def _teams_of_owners(owner_ids: set[int], day: date) -> dict[int, list[int]]:
    """Each owner's current teams (ids, in team order): one query."""
    teams: dict[int, list[int]] = {}
    current = TeamMembership.objects.filter(valid_from__lte=day).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=day)
    )
    rows = current.filter(user_id__in=owner_ids).order_by("team__sort", "team__code").values_list("user_id", "team_id")
    for user_id, team_id in rows:
        teams.setdefault(user_id, []).append(team_id)
    return teams


def _team_of_draft(draft: Draft, owner_teams: list[int], team_ids: dict[str, int]) -> int | None:
    """The team a left draft belongs to: the edited contact's, else the typed one if the owner is in it."""
    if draft.edits_id is not None and draft.edits.team_id is not None:
        return draft.edits.team_id
    typed = (draft.data or {}).get("team") or [None]
    typed_id = team_ids.get(typed[0]) if isinstance(typed, list) else None
    if typed_id in owner_teams:
        return typed_id
    return owner_teams[0] if owner_teams else None


def follow_ups_sweep(*, now: datetime | None = None, via: str = "web") -> int:
    """Open an item for each draft left for more than a day; close those whose draft is gone.

    Return how many items were opened. Run by the queue and dashboard before they read, and by
    `manage.py sweep_follow_ups` (cron); a few queries when there is nothing to do.
    """
    now = now or timezone.now()
    # Read first, outside a transaction: most of the time there is nothing to do.
    gone = Q(draft__isnull=True) | Q(draft__registered__isnull=False) | Q(draft__discarded_at__isnull=False)
    stale = list(FollowUpItem.objects.open().filter(kind=Kind.DRAFT_LEFT).filter(gone).select_related("draft"))
    tracked = FollowUpItem.objects.filter(draft__isnull=False).values("draft_id")
    left = list(
        Draft.objects.open()
        .filter(updated_at__lt=now - DRAFT_LEFT_AFTER)
        .exclude(pk__in=tracked)
        .select_related("edits")
        .order_by("updated_at")
    )
    if not stale and not left:
        return 0
    with transaction.atomic():
        for item in FollowUpItem.objects.open().select_for_update().filter(pk__in=[i.pk for i in stale]):
            draft = next(i.draft for i in stale if i.pk == item.pk)
            registered = draft.registered if draft is not None else None
            reason = CloseReason.CONTACT_REGISTERED if registered else CloseReason.DRAFT_CLOSED
            _close(item, actor=None, reason=reason, answered_by=registered, via=via)
        if not left:
            return 0
        owner_teams = _teams_of_owners({d.owner_id for d in left}, timezone.localdate(now))
        team_ids = dict(Team.objects.values_list("code", "pk"))
        opened = 0
        for draft in left:
            team_id = _team_of_draft(draft, owner_teams.get(draft.owner_id, []), team_ids)
            if team_id is None:
                continue  # an owner without a team (an administrator's test): nobody's queue
            received_at = draft.updated_at + DRAFT_LEFT_AFTER
            try:
                with transaction.atomic():
                    item = FollowUpItem.objects.create(
                        team_id=team_id,
                        kind=Kind.DRAFT_LEFT,
                        received_at=received_at,
                        due_on=due_on_for(Kind.DRAFT_LEFT, received_at),
                        draft=draft,
                        # Only its owner can open a draft: it is theirs to finish or discard.
                        assigned_to_id=draft.owner_id,
                        assigned_at=now,
                    )
            except IntegrityError:
                continue  # a parallel sweep opened it first
            _record(None, "follow_up_open", item, via=via, rule=True)
            opened += 1
        return opened


def follow_ups_recompute_deadlines() -> int:
    """Recompute the last day of every open item (after the closure days changed); return how many moved."""
    with transaction.atomic():
        items = list(FollowUpItem.objects.open().select_for_update().exclude(due_on=None))
        due = due_dates_for(items)
        moved = [item for item in items if item.due_on != due[item.pk]]
        for item in moved:
            item.due_on = due[item.pk]
        FollowUpItem.objects.bulk_update(moved, ["due_on"])
        return len(moved)
