"""Reads of the follow-up queue. Every page starts from `items_visible_to(user)`: the items of the
user's teams (registration.selectors.teams_of), so another team's item answers 404."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from accounts.models import Role, User, membership_current_on
from registration.selectors import teams_of

from .models import FollowUpItem, FollowUpText


def items_visible_to(user) -> QuerySet[FollowUpItem]:
    """Return the items of the user's teams (none for roles without records)."""
    return FollowUpItem.objects.filter(team__in=teams_of(user))


def queue_for(
    user,
    *,
    today: date,
    state: str = "open",
    kind: str | None = None,
    overdue: bool = False,
    mine: bool = False,
    unassigned: bool = False,
    team: str | None = None,
) -> QuerySet[FollowUpItem]:
    """Return the user's teams' items for the queue: open ones by deadline, or the latest closed ones."""
    items = items_visible_to(user).select_related("team", "assigned_to", "contact", "answered_by")
    if team:
        items = items.filter(team__code=team)
    if kind:
        items = items.filter(kind=kind)
    if mine:
        items = items.filter(assigned_to=user)
    if unassigned:
        items = items.filter(assigned_to__isnull=True)
    if state == "closed":
        return items.closed().order_by("-closed_at", "-id")
    items = items.open()
    if overdue:
        items = items.filter(due_on__lt=today)
    return items.in_queue_order()


def item_for(user, item_uuid) -> FollowUpItem | None:
    """Return the item with this uuid if it belongs to one of the user's teams."""
    return (
        items_visible_to(user)
        .select_related("team", "assigned_to", "contact", "answered_by", "created_by", "draft")
        .filter(uuid=item_uuid)
        .first()
    )


def text_of(item: FollowUpItem) -> FollowUpText | None:
    """Return the item's number and note while it is open (None once erased)."""
    return FollowUpText.objects.filter(item=item).first()


def assignable_members(team) -> QuerySet[User]:
    """Return the team's current counsellors and coordinators: who an item can be handed to."""
    return (
        User.objects.filter(
            membership_current_on(timezone.localdate()),
            memberships__team=team,
            role__in=[Role.COUNSELLOR, Role.TEAM_COORDINATOR],
            is_active=True,
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def follow_up_counts(team_ids: list[int], today: date) -> dict[int, dict[str, dict[str, int]]]:
    """Return per team and kind the open, overdue and unassigned items (one query)."""
    rows = (
        FollowUpItem.objects.open()
        .filter(team_id__in=team_ids)
        .values("team_id", "kind")
        .annotate(
            open=Count("id"),
            overdue=Count("id", filter=Q(due_on__lt=today)),
            unassigned=Count("id", filter=Q(assigned_to__isnull=True)),
        )
        .order_by()
    )
    counts: dict[int, dict[str, dict[str, int]]] = {team_id: {} for team_id in team_ids}
    for row in rows:
        counts[row["team_id"]][row["kind"]] = {k: row[k] for k in ("open", "overdue", "unassigned")}
    return counts
