"""When a registration or a draft asks for follow-up: the codes these rules read, named once.

Only registrations saved in the application run these rules (followup.services is called by
registration.services); an import of legacy records opens no items, or every incomplete
record of past years would land in today's queue.
"""

from __future__ import annotations

from datetime import timedelta

from registration.models import Contact, RiskLevel, YesNoUnknown

from .models import Kind

# The handling action that, by its definition, follows a team consultation (domain.md: "in very
# concerning situations, after team consultation — notify help or police itself").
TEAM_CONSULTATION_ACTION = "notify"
# A draft nobody touched for this long is "left" and becomes an item.
DRAFT_LEFT_AFTER = timedelta(days=1)


def awaits_team_consultation(contact: Contact) -> bool:
    """Very concerning: concerning with a high risk, or the counsellor chose to notify (which needs the team)."""
    very_concerning = contact.concerning == YesNoUnknown.YES and contact.risk_level == RiskLevel.HIGH
    return very_concerning or TEAM_CONSULTATION_ACTION in (contact.actions or [])


def kinds_asked_by(contact: Contact) -> set[str]:
    """Return the kinds of item this registration asks for as it is stored now."""
    kinds = set()
    if contact.new_contact_expected == YesNoUnknown.YES:
        kinds.add(Kind.NEW_CONTACT_EXPECTED)
    if awaits_team_consultation(contact):
        kinds.add(Kind.TEAM_CONSULTATION)
    if contact.status == Contact.Status.INCOMPLETE:
        kinds.add(Kind.INCOMPLETE)
    return kinds
