from datetime import date

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COUNSELLOR = "counsellor", _("Hulpverlener")
    TEAM_COORDINATOR = "team_coordinator", _("Teamcoördinator")
    FLEMISH_COORDINATOR = "flemish_coordinator", _("Vlaams coördinator")
    ADMINISTRATOR = "administrator", _("Beheerder")


class User(AbstractUser):
    role = models.CharField(_("rol"), max_length=32, choices=Role.choices, default=Role.COUNSELLOR)

    def teams_on(self, day: date | None = None):
        """The teams this user belongs to on a given (local) day, today by default."""
        from registration.models import Team

        day = day or timezone.localdate()
        # One filter() call: all conditions must hold for the same membership row.
        return Team.objects.filter(
            Q(memberships__valid_until__isnull=True) | Q(memberships__valid_until__gte=day),
            memberships__user=self,
            memberships__valid_from__lte=day,
        ).distinct()

    def default_team(self):
        return self.teams_on().order_by("sort", "code").first()


class TeamMembership(models.Model):
    """A user's membership of a team, with dates: counsellors move between teams."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    team = models.ForeignKey("registration.Team", on_delete=models.PROTECT, related_name="memberships")
    valid_from = models.DateField(_("vanaf"), default=date(2012, 1, 1))
    valid_until = models.DateField(_("tot en met"), null=True, blank=True)

    class Meta:
        verbose_name = _("teamlidmaatschap")
        verbose_name_plural = _("teamlidmaatschappen")
        indexes = [models.Index(fields=["user", "team"])]

    def __str__(self) -> str:
        return f"{self.user} – {self.team}"
