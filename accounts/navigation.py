"""The main menu. Which role sees an entry is not written here: an entry shows when the access
table (accounts.access.ROLE_RULES) lets the role open its page, so the menu never offers a page
the gate refuses, nor hides one it allows.
"""

from dataclasses import dataclass

from django.urls import resolve, reverse
from django.utils.translation import gettext_lazy as _

from .access import roles_for

# In menu order. A role starts on the first entry it may open (accounts.views.home).
MAIN_MENU = (
    # First, so a team coordinator starts the day on it (only they may open it).
    ("dashboard:team", _("Vandaag")),
    ("registration:contact-list", _("Contacten")),
    ("registration:contact-new", _("Nieuwe registratie")),
    ("registration:draft-list", _("Mijn concepten")),
    ("followup:queue", _("Opvolging")),
    ("reports:report", _("Rapporten")),
    ("dashboard:teams", _("Teams naast elkaar")),
    ("team:list", _("Team")),
    ("audit:trail", _("Audittrail")),
    ("admin:index", _("Beheer")),
    # After "Beheer", so an administrator still starts in the admin.
    ("team:coordinators", _("Teamcoördinatoren")),
)


@dataclass(frozen=True)
class MenuEntry:
    url_name: str
    url: str
    label: str


def menu_for(role: str) -> list[MenuEntry]:
    """Return the main-menu entries whose page the role may open, in menu order."""
    entries = []
    for url_name, label in MAIN_MENU:
        url = reverse(url_name)
        if role in roles_for(resolve(url)):
            entries.append(MenuEntry(url_name, url, label))
    return entries
