"""Reads for grants: who can read a team's contacts today, and every change to that list."""

from django.db.models import Case, CharField, IntegerField, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.models import AuditEvent
from registration.models import Team

from .access import RECORD_ROLES
from .grants import ACCESS_ACTIONS
from .models import CoordinatorProposal, Role, TeamMembership, User


def coordinated_team(coordinator: User, code: str) -> Team | None:
    """Return the team with this code if the account coordinates it today, else None."""
    if coordinator.role != Role.TEAM_COORDINATOR:
        return None
    return coordinator.teams_on().filter(code=code).first()


def team_readers(team: Team) -> QuerySet[TeamMembership]:
    """Return the current memberships that let an active account read the team's contacts,
    with the account, by name (one row per account and membership)."""
    today = timezone.localdate()
    return (
        TeamMembership.objects.filter(team=team, valid_from__lte=today, user__is_active=True)
        .exclude(valid_until__lt=today)
        .filter(user__role__in=RECORD_ROLES)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username", "valid_from")
    )


def team_future_members(team: Team) -> QuerySet[TeamMembership]:
    """Return memberships of the team that start after today (granted, not yet running)."""
    return (
        TeamMembership.objects.filter(team=team, valid_from__gt=timezone.localdate(), user__is_active=True)
        .select_related("user")
        .order_by("valid_from", "user__username")
    )


ACTION_LABELS = {
    "account_invited": _("uitgenodigd als hulpverlener"),
    "membership_granted": _("toegang gegeven"),
    "membership_ended": _("toegang beëindigd"),
    "account_deactivated": _("account gedeactiveerd"),
    "coordinator_proposed": _("voorgesteld als teamcoördinator"),
    "coordinator_confirmed": _("bevestigd als teamcoördinator"),
    "coordinator_refused": _("voorstel teamcoördinator geweigerd"),
    "coordinator_withdrawn": _("voorstel teamcoördinator ingetrokken"),
    "role_revoked": _("rol teamcoördinator ingetrokken"),
}


def team_access_history(team: Team) -> QuerySet[AuditEvent]:
    """Return the audit events that changed who can read the team's contacts, newest first, each
    with `label` (what happened) and `subject_username` (whose access changed)."""
    return (
        AuditEvent.objects.filter(action__in=ACCESS_ACTIONS, details__team=team.code)
        .annotate(subject_id=Cast(KT("details__user_id"), IntegerField()))
        .annotate(
            subject_username=Subquery(User.objects.filter(pk=OuterRef("subject_id")).values("username")[:1]),
            label=Case(
                *[When(action=action, then=Value(str(label))) for action, label in ACTION_LABELS.items()],
                output_field=CharField(),
            ),
        )
        .order_by("-at", "-id")
    )


def endable_membership(team: Team, membership_id: int) -> TeamMembership | None:
    """Return a counsellor's running or future membership of the team, or None."""
    return (
        TeamMembership.objects.filter(pk=membership_id, team=team, user__role=Role.COUNSELLOR)
        .exclude(valid_until__lt=timezone.localdate())
        .select_related("user", "team")
        .first()
    )


def pending_proposals() -> QuerySet[CoordinatorProposal]:
    """Return the proposals waiting for a second person, oldest first."""
    return (
        CoordinatorProposal.objects.filter(status=CoordinatorProposal.Status.PENDING)
        .select_related("user", "team", "proposed_by")
        .order_by("proposed_at", "id")
    )


def decided_proposals(limit: int = 20) -> list[CoordinatorProposal]:
    """Return the latest decided proposals, newest first."""
    return list(
        CoordinatorProposal.objects.exclude(status=CoordinatorProposal.Status.PENDING)
        .select_related("user", "team", "proposed_by", "decided_by")
        .order_by("-decided_at", "-id")[:limit]
    )


def current_coordinators() -> QuerySet[TeamMembership]:
    """Return the running memberships of team coordinators, by team."""
    today = timezone.localdate()
    return (
        TeamMembership.objects.filter(user__role=Role.TEAM_COORDINATOR, valid_from__lte=today, user__is_active=True)
        .exclude(valid_until__lt=today)
        .select_related("user", "team")
        .order_by("team__sort", "team__code", "user__username")
    )
