"""Who may read a team's contacts, and who decides it (issue 11, separation of duties).

- A team's coordinator adds counsellors to the team and ends their membership.
- Making someone a team coordinator takes two people: an administrator proposes and the
  Flemish coordinator confirms, or the reverse. Nobody confirms their own proposal, nor a
  proposal of someone who created or set the password of their account.
- Removing access is safe: one administrator or Flemish coordinator may revoke a coordinator.

The administrator alone can grant nothing (accounts.admin). Every change is an audit event.
"""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.services import audit_event
from registration.models import Team

from .models import CoordinatorProposal, Role, TeamMembership, User

DECIDING_ROLES = frozenset({Role.ADMINISTRATOR, Role.FLEMISH_COORDINATOR})

# Audit actions that change who can read a team's contacts (details carry "team": its code).
ACCESS_ACTIONS = (
    "account_invited",
    "membership_granted",
    "membership_ended",
    "account_deactivated",
    "coordinator_proposed",
    "coordinator_confirmed",
    "coordinator_refused",
    "coordinator_withdrawn",
    "role_revoked",
)
# Admin actions by which an account comes under another person's control (accounts.admin).
CONTROL_ACTIONS = ("account_created", "password_set_by_admin")


class GrantRefused(ValidationError):
    """A grant, revoke or decision the rules do not allow; the message says why."""


def _today() -> date:
    return timezone.localdate()


def _lock(user: User) -> User:
    # Serialises grants for one account: a double submit waits and then sees the first one.
    return User.objects.select_for_update().get(pk=user.pk)


def _open_memberships(user: User, *, team: Team | None = None, on: date | None = None):
    """Memberships running on the day or starting later (today by default)."""
    on = on or _today()
    memberships = TeamMembership.objects.filter(user=user).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))
    return memberships.filter(team=team) if team is not None else memberships


def _end(membership: TeamMembership, last_day: date) -> None:
    # A membership that had not started yet gets a last day before its first: it never runs.
    membership.valid_until = last_day
    membership.save(update_fields=["valid_until"])


def coordinates(coordinator: User, team: Team) -> bool:
    """Return whether the account is today a coordinator of the team."""
    return (
        coordinator.is_active
        and coordinator.role == Role.TEAM_COORDINATOR
        and coordinator.teams_on().filter(pk=team.pk).exists()
    )


# --- Team coordinators: counsellors' memberships -----------------------------------------------


@transaction.atomic
def membership_grant(*, coordinator: User, team: Team, user: User, valid_from: date) -> TeamMembership:
    """Add a counsellor to the coordinator's team from a day on (today or later); return the membership."""
    if not coordinates(coordinator, team):
        raise GrantRefused(_("Alleen de coördinator van dit team geeft toegang tot het team."))
    user = _lock(user)
    if user.role != Role.COUNSELLOR or not user.is_active:
        raise GrantRefused(_("Alleen een actieve hulpverlener kan aan een team worden toegevoegd."))
    if valid_from < _today():
        raise GrantRefused(_("Toegang begint vandaag of later, nooit in het verleden."))
    if _open_memberships(user, team=team, on=valid_from).exists():
        raise GrantRefused(_("Deze hulpverlener is al lid van het team."))
    membership = TeamMembership.objects.create(user=user, team=team, valid_from=valid_from)
    audit_event(
        coordinator,
        "membership_granted",
        details={"user_id": user.pk, "team": team.code, "membership_id": membership.pk, "valid_from": valid_from},
    )
    return membership


@transaction.atomic
def membership_end(*, coordinator: User, membership: TeamMembership, valid_until: date) -> None:
    """End a counsellor's membership of the coordinator's team after valid_until (yesterday: now)."""
    membership = TeamMembership.objects.select_for_update().select_related("user", "team").get(pk=membership.pk)
    if not coordinates(coordinator, membership.team) or membership.user.role != Role.COUNSELLOR:
        raise GrantRefused(_("Alleen de coördinator van dit team beëindigt het lidmaatschap van een hulpverlener."))
    if valid_until < _today() - timedelta(days=1):
        raise GrantRefused(_("De laatste dag kan niet vóór gisteren liggen: wie las, las."))
    if membership.valid_until is not None and valid_until >= membership.valid_until:
        raise GrantRefused(_("Het lidmaatschap eindigt al op of vóór die dag."))
    _end(membership, valid_until)
    audit_event(
        coordinator,
        "membership_ended",
        details={
            "user_id": membership.user_id,
            "team": membership.team.code,
            "membership_id": membership.pk,
            "valid_until": valid_until,
        },
    )


# --- Team coordinators: two people make one, one person may revoke ------------------------------


def _may_decide(user: User) -> bool:
    return user.is_active and user.role in DECIDING_ROLES


def controllers(user: User) -> set[int]:
    """Return the ids of accounts that created the user's account or set its password in the
    admin, and of those that did so for them, and so on: people who could be logging in as it."""
    found: set[int] = set()
    frontier = {user.pk}
    while frontier:
        actors = set(
            AuditEvent.objects.filter(action__in=CONTROL_ACTIONS, details__user_id__in=sorted(frontier))
            .exclude(actor_id__isnull=True)
            .values_list("actor_id", flat=True)
        )
        frontier = actors - found
        found |= actors
    found.discard(user.pk)
    return found


def one_person_behind(first: User, second: User) -> bool:
    """Return whether one person could act as both accounts (the same, or a common controller)."""
    return bool(({first.pk} | controllers(first)) & ({second.pk} | controllers(second)))


@transaction.atomic
def coordinator_propose(*, proposer: User, user: User, team: Team) -> CoordinatorProposal:
    """Propose the account as the team's coordinator; return the pending proposal."""
    if not _may_decide(proposer):
        raise GrantRefused(_("Alleen een beheerder of de Vlaams coördinator stelt een teamcoördinator voor."))
    user = _lock(user)
    if user.pk == proposer.pk:
        raise GrantRefused(_("Je kan jezelf niet voorstellen."))
    if not user.is_active or not team.active:
        raise GrantRefused(_("Account en team moeten actief zijn."))
    if coordinates(user, team):
        raise GrantRefused(_("Dit account is al coördinator van dit team."))
    if CoordinatorProposal.objects.filter(user=user, team=team, status=CoordinatorProposal.Status.PENDING).exists():
        raise GrantRefused(_("Er wacht al een voorstel voor dit account en dit team."))
    try:
        with transaction.atomic():
            proposal = CoordinatorProposal.objects.create(
                user=user, team=team, proposed_by=proposer, proposed_by_role=proposer.role
            )
    except IntegrityError as error:  # a concurrent double submit
        raise GrantRefused(_("Er wacht al een voorstel voor dit account en dit team.")) from error
    audit_event(
        proposer,
        "coordinator_proposed",
        details={"proposal_id": proposal.pk, "user_id": user.pk, "team": team.code},
    )
    return proposal


def _pending(proposal: CoordinatorProposal) -> CoordinatorProposal:
    proposal = (
        CoordinatorProposal.objects.select_for_update()
        .select_related("user", "team", "proposed_by")
        .get(pk=proposal.pk)
    )
    if proposal.status != CoordinatorProposal.Status.PENDING:
        raise GrantRefused(_("Over dit voorstel is al beslist."))
    return proposal


def _decide(proposal: CoordinatorProposal, decider: User, status: str) -> None:
    proposal.status = status
    proposal.decided_by = decider
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["status", "decided_by", "decided_at"])


@transaction.atomic
def coordinator_confirm(*, decider: User, proposal: CoordinatorProposal) -> None:
    """Confirm another person's proposal: the account becomes the team's coordinator (role and
    membership together); its memberships of other teams end unless it already coordinated them."""
    proposal = _pending(proposal)
    proposer, candidate, team = proposal.proposed_by, _lock(proposal.user), proposal.team
    if decider.pk == proposer.pk:
        raise GrantRefused(_("Een tweede persoon bevestigt: je kan je eigen voorstel niet bevestigen."))
    if not _may_decide(decider) or decider.role == proposal.proposed_by_role:
        raise GrantRefused(_("Een voorstel van een beheerder bevestigt de Vlaams coördinator, en omgekeerd."))
    if decider.pk == candidate.pk:
        raise GrantRefused(_("Je kan jezelf niet tot teamcoördinator maken."))
    if one_person_behind(decider, proposer):
        raise GrantRefused(
            _(
                "Wie het account van de indiener of van jou aanmaakte of er het wachtwoord van instelde, "
                "zou alleen kunnen beslissen: een ander moet bevestigen."
            )
        )
    if not _may_decide(proposer) or proposer.role != proposal.proposed_by_role:
        raise GrantRefused(_("De indiener heeft die rol niet meer: het voorstel vervalt."))
    if not candidate.is_active or not team.active:
        raise GrantRefused(_("Account en team moeten actief zijn."))

    today = _today()
    previous_role = candidate.role
    if previous_role != Role.TEAM_COORDINATOR:
        # A counsellor's memberships of other teams would otherwise make them coordinator there too.
        for membership in _open_memberships(candidate).exclude(team=team).select_related("team"):
            _end(membership, today - timedelta(days=1))
            audit_event(
                decider,
                "membership_ended",
                details={"user_id": candidate.pk, "team": membership.team.code, "membership_id": membership.pk},
            )
        candidate.role = Role.TEAM_COORDINATOR
        # A team coordinator reads contacts: no admin rights beside that.
        candidate.is_staff = candidate.is_superuser = False
        candidate.save(update_fields=["role", "is_staff", "is_superuser"])
    if not _current(candidate, team, today):
        TeamMembership.objects.create(user=candidate, team=team, valid_from=today)
    _decide(proposal, decider, CoordinatorProposal.Status.CONFIRMED)
    audit_event(
        decider,
        "coordinator_confirmed",
        details={
            "proposal_id": proposal.pk,
            "user_id": candidate.pk,
            "team": team.code,
            "proposed_by": proposer.pk,
            "role_before": previous_role,
        },
    )


def _current(user: User, team: Team, day: date) -> bool:
    return (
        TeamMembership.objects.filter(user=user, team=team, valid_from__lte=day)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))
        .exists()
    )


@transaction.atomic
def coordinator_refuse(*, decider: User, proposal: CoordinatorProposal) -> None:
    """Refuse someone else's proposal (the proposer withdraws their own)."""
    proposal = _pending(proposal)
    if not _may_decide(decider) or decider.pk == proposal.proposed_by_id:
        raise GrantRefused(_("Je eigen voorstel trek je in; weigeren doet een ander."))
    _decide(proposal, decider, CoordinatorProposal.Status.REFUSED)
    audit_event(
        decider,
        "coordinator_refused",
        details={"proposal_id": proposal.pk, "user_id": proposal.user_id, "team": proposal.team.code},
    )


@transaction.atomic
def coordinator_withdraw(*, proposer: User, proposal: CoordinatorProposal) -> None:
    """Withdraw one's own pending proposal."""
    proposal = _pending(proposal)
    if proposer.pk != proposal.proposed_by_id:
        raise GrantRefused(_("Alleen wie het voorstel deed, trekt het in."))
    _decide(proposal, proposer, CoordinatorProposal.Status.WITHDRAWN)
    audit_event(
        proposer,
        "coordinator_withdrawn",
        details={"proposal_id": proposal.pk, "user_id": proposal.user_id, "team": proposal.team.code},
    )


@transaction.atomic
def coordinator_revoke(*, actor: User, user: User) -> list[str]:
    """Take the coordinator role away at once: every membership ends yesterday and the account
    becomes a counsellor of no team. Return the codes of the teams it coordinated."""
    if not _may_decide(actor):
        raise GrantRefused(_("Alleen een beheerder of de Vlaams coördinator trekt de rol in."))
    user = _lock(user)
    if user.role != Role.TEAM_COORDINATOR:
        raise GrantRefused(_("Dit account is geen teamcoördinator."))
    yesterday = _today() - timedelta(days=1)
    teams = []
    for membership in _open_memberships(user).select_related("team"):
        _end(membership, yesterday)
        teams.append(membership.team.code)
    user.role = Role.COUNSELLOR
    user.save(update_fields=["role"])
    # One event per team, so each team's access page shows it.
    for code in sorted(set(teams)) or [""]:
        audit_event(
            actor, "role_revoked", details={"user_id": user.pk, "team": code, "role_before": Role.TEAM_COORDINATOR}
        )
    return teams
