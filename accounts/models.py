from datetime import date

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registration.models import HELPLINE_START, Team


class Role(models.TextChoices):
    COUNSELLOR = "counsellor", _("Hulpverlener")
    TEAM_COORDINATOR = "team_coordinator", _("Teamcoördinator")
    FLEMISH_COORDINATOR = "flemish_coordinator", _("Vlaams coördinator")
    ADMINISTRATOR = "administrator", _("Beheerder")


def membership_current_on(day: date) -> Q:
    """A filter, through `memberships__`, on a membership running on the day (for User and Team).

    Use it in one filter() call: across a multi-valued relation, separate calls could match the
    start date of one membership and the end date of another.
    """
    return Q(memberships__valid_from__lte=day) & (
        Q(memberships__valid_until__isnull=True) | Q(memberships__valid_until__gte=day)
    )


class User(AbstractUser):
    role = models.CharField(_("rol"), max_length=32, choices=Role.choices, default=Role.COUNSELLOR)

    def teams_on(self, day: date | None = None):
        """The teams this user belongs to on a given (local) day, today by default."""
        day = day or timezone.localdate()
        return Team.objects.filter(membership_current_on(day), memberships__user=self).distinct()

    def default_team(self):
        return self.teams_on().order_by("sort", "code").first()


class TeamMembership(models.Model):
    """A user's membership of a team, with dates: counsellors move between teams."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    team = models.ForeignKey("registration.Team", on_delete=models.PROTECT, related_name="memberships")
    valid_from = models.DateField(_("vanaf"), default=HELPLINE_START)
    valid_until = models.DateField(_("tot en met"), null=True, blank=True)

    class Meta:
        verbose_name = _("teamlidmaatschap")
        verbose_name_plural = _("teamlidmaatschappen")
        indexes = [models.Index(fields=["user", "team"])]

    def __str__(self) -> str:
        return f"{self.user} – {self.team}"


class CoordinatorProposal(models.Model):
    """A proposal to make an account a team's coordinator: it takes effect only when a second
    person of the other role (administrator ↔ Flemish coordinator) confirms it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("wacht op bevestiging")
        CONFIRMED = "confirmed", _("bevestigd")
        REFUSED = "refused", _("geweigerd")
        WITHDRAWN = "withdrawn", _("ingetrokken")

    user = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="coordinator_proposals", verbose_name=_("account")
    )
    team = models.ForeignKey("registration.Team", on_delete=models.PROTECT, related_name="+", verbose_name=_("team"))
    proposed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("voorgesteld door")
    )
    # The proposer's role when proposing: the confirmer must hold the other one.
    proposed_by_role = models.CharField(max_length=32, choices=Role.choices)
    proposed_at = models.DateTimeField(_("voorgesteld op"), default=timezone.now)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("beslist door")
    )
    decided_at = models.DateTimeField(_("beslist op"), null=True, blank=True)

    class Meta:
        ordering = ["-proposed_at", "-id"]
        verbose_name = _("voorstel teamcoördinator")
        verbose_name_plural = _("voorstellen teamcoördinator")
        constraints = [
            # One open proposal per account and team: a double submit cannot make two.
            models.UniqueConstraint(
                fields=["user", "team"], condition=Q(status="pending"), name="one_pending_proposal_per_user_team"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.team} ({self.get_status_display()})"
