"""Which role may open which page: the one table the access middleware reads.

A page is looked up by "namespace:url_name", then by namespace, then by its bare url name.
A page with no rule is refused (403) to everyone: a new page cannot forget its access rule.
The main menu (accounts.navigation) is built from this table too.
Record-level scope (which contacts) is not decided here but in
registration.selectors.contacts_visible_to, and answers 404.
"""

from .models import Role

ANY_VERIFIED = frozenset(Role.values)
RECORD_ROLES = frozenset({Role.COUNSELLOR, Role.TEAM_COORDINATOR})

ROLE_RULES: dict[str, frozenset[str]] = {
    # Contacts, drafts, search and registration pages: people who work with records.
    "registration": RECORD_ROLES,
    "api": RECORD_ROLES,
    # The API schema and docs carry no case data.
    "api:schema": ANY_VERIFIED,
    "api:docs": ANY_VERIFIED,
    # The team's follow-up queue (issue 14); handing an item to someone is the coordinator's.
    "followup": RECORD_ROLES,
    "followup:item-assign": frozenset({Role.TEAM_COORDINATOR}),
    # Integrations hand in voicemails and e-mails as a record user of the team (followup/api.py).
    "api:follow-up": RECORD_ROLES,
    # The team coordinator's start page; the Flemish coordinator's per-team counts (no names).
    "dashboard:team": frozenset({Role.TEAM_COORDINATOR}),
    "dashboard:teams": frozenset({Role.FLEMISH_COORDINATOR}),
    # Figures: the Flemish coordinator (all teams) and team coordinators (their team).
    "reports": frozenset({Role.TEAM_COORDINATOR, Role.FLEMISH_COORDINATOR}),
    # Team management and the audit trail of the team's contacts.
    "team": frozenset({Role.TEAM_COORDINATOR}),
    # Making team coordinators takes an administrator and the Flemish coordinator (accounts.grants).
    "team:coordinators": frozenset({Role.ADMINISTRATOR, Role.FLEMISH_COORDINATOR}),
    "team:coordinator-propose": frozenset({Role.ADMINISTRATOR, Role.FLEMISH_COORDINATOR}),
    "team:coordinator-confirm": frozenset({Role.ADMINISTRATOR, Role.FLEMISH_COORDINATOR}),
    "team:coordinator-refuse": frozenset({Role.ADMINISTRATOR, Role.FLEMISH_COORDINATOR}),
    "team:coordinator-withdraw": frozenset({Role.ADMINISTRATOR, Role.FLEMISH_COORDINATOR}),
    "team:coordinator-revoke": frozenset({Role.ADMINISTRATOR, Role.FLEMISH_COORDINATOR}),
    "audit": frozenset({Role.TEAM_COORDINATOR}),
    # Accounts, teams, code lists, opening hours. The admin site also requires is_staff.
    "admin": frozenset({Role.ADMINISTRATOR}),
    # Pages every verified user may reach.
    "home": ANY_VERIFIED,
    "accounts": ANY_VERIFIED,
    "set_language": ANY_VERIFIED,
    "login": ANY_VERIFIED,
    "logout": ANY_VERIFIED,
}

# Pages a logged-in user who has not yet passed the two-factor step may reach.
UNVERIFIED_ALLOWED = frozenset(
    {
        "login",
        "logout",
        "set_language",
        "accounts:two-factor",
        "accounts:otp-setup",
        "accounts:otp-verify",
        # Answers a logged-in visitor only "log out first" (accounts.views.invitation_accept).
        "accounts:invitation-accept",
    }
)
# Pages an anonymous visitor may reach. The invitation link checks its own single-use token.
ANONYMOUS_ALLOWED = frozenset({"login", "set_language", "accounts:invitation-accept"})


def page_key(match) -> str:
    """Return "namespace:url_name" (or the bare name) of a resolved URL."""
    namespace = match.namespaces[0] if match.namespaces else ""
    return f"{namespace}:{match.url_name}" if namespace else (match.url_name or "")


def roles_for(match) -> frozenset[str]:
    """Return the roles that may open the resolved page (empty: nobody)."""
    key = page_key(match)
    for candidate in (key, key.split(":", 1)[0]):
        if candidate in ROLE_RULES:
            return ROLE_RULES[candidate]
    return frozenset()
