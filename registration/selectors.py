"""Reads of registrations. Every page, API view, search and export that shows contacts
starts from `contacts_visible_to(user)`: scope lives here and nowhere else."""

from django.db.models import QuerySet

from accounts.models import Role

from .models import Contact, Team

# Roles that work with individual records of their own teams.
RECORD_ROLES = {Role.COUNSELLOR, Role.TEAM_COORDINATOR}


def teams_of(user) -> QuerySet[Team]:
    """Return the teams whose records the user may see today."""
    if not user.is_authenticated or user.role not in RECORD_ROLES:
        return Team.objects.none()
    return user.teams_on()


def contacts_visible_to(user) -> QuerySet[Contact]:
    """Return the contacts the user may open: their teams' contacts, never deleted ones."""
    return Contact.objects.filter(team__in=teams_of(user))
