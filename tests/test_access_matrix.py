"""Every URL the project serves × every role → the exact status (issue 5).

URLs are enumerated from the resolver: a new URL without a rule here fails
test_every_url_has_a_rule. Parameters are filled with real ids of team A's records (or a
guessed id), so the matrix also proves record scope.
"""

import re
import uuid
from datetime import date

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import Group

from accounts.models import Role
from audit.models import AuditEvent
from followup.models import FollowUpItem
from registration.models import Closure, Code, OpeningHours, Team
from tests.factories import ContactFactory, UserFactory
from tests.url_routes import all_routes

ROLES = ["anonymous", "unverified", "counsellor_a", "counsellor_b", "coordinator_a", "flemish", "administrator"]

R, F = 302, 403  # redirect to login or two-factor; forbidden page for the role
# Record roles (counsellor, team coordinator) only; 200 for all three record users.
RECORD = (R, R, 200, 200, 200, F, F)
ANY_VERIFIED_200 = (R, R, 200, 200, 200, 200, 200)

# GET status per role, in the order of ROLES.
RULES: dict[str, tuple[int, ...]] = {
    # Each role is sent to its start page: contacts, the reports, or the admin.
    "home": (R, R, R, R, R, R, R),
    "login": (200, R, R, R, R, R, R),
    "logout": (R, 405, 405, 405, 405, 405, 405),
    "set_language": (R, R, R, R, R, R, R),
    "accounts:two-factor": (R, R, R, R, R, R, R),
    "accounts:otp-setup": (R, 200, R, R, R, R, R),
    "accounts:otp-verify": (R, R, 200, 200, 200, 200, 200),
    "accounts:backup-codes": (R, R, 200, 200, 200, 200, 200),
    "accounts:password-change": (R, R, 200, 200, 200, 200, 200),
    # The invitation link answers everyone (a garbled link: a page saying so; logged in: log out first).
    "accounts:invitation-accept": (200, 200, 200, 200, 200, 200, 200),
    "team:list": (R, R, F, F, 200, F, F),
    "team:invite": (R, R, F, F, 200, F, F),
    "team:deactivate": (R, R, F, F, 405, F, F),
    "team:reset-two-factor": (R, R, F, F, 405, F, F),
    "team:invitation-resend": (R, R, F, F, 405, F, F),
    # Who reads the team's contacts and the coordinator's grants; making coordinators takes two people.
    "team:access": (R, R, F, F, 200, F, F),
    "team:grant-add": (R, R, F, F, 200, F, F),
    "team:grant-end": (R, R, F, F, 200, F, F),
    "team:coordinators": (R, R, F, F, F, 200, 200),
    "team:coordinator-propose": (R, R, F, F, F, 405, 405),
    "team:coordinator-confirm": (R, R, F, F, F, 405, 405),
    "team:coordinator-refuse": (R, R, F, F, F, 405, 405),
    "team:coordinator-withdraw": (R, R, F, F, F, 405, 405),
    "team:coordinator-revoke": (R, R, F, F, F, 405, 405),
    "audit:trail": (R, R, F, F, 200, F, F),
    "api:contact-list": (F, F, 200, 200, 200, F, F),
    "api:contact-detail": (F, F, 200, 404, 200, F, F),
    "api:follow-up": (F, F, 200, 200, 200, F, F),
    "api:schema": (F, F, 200, 200, 200, 200, 200),
    "api:docs": (F, F, 200, 200, 200, 200, 200),
    "registration:contact-list": RECORD,
    "registration:contact-new": RECORD,
    "registration:session-status": RECORD,
    "registration:draft-list": RECORD,
    "registration:draft-resume": (R, R, 404, 404, 404, F, F),
    "registration:draft-autosave": (R, R, 405, 405, 405, F, F),
    "registration:draft-discard": (R, R, 404, 404, 404, F, F),
    "registration:contact-detail": (R, R, 200, 404, 200, F, F),
    "registration:contact-edit": (R, R, 200, 404, 200, F, F),
    "registration:contact-delete": (R, R, 200, 404, 200, F, F),
    # Figures: the Flemish coordinator and team coordinators only (issue 5).
    "reports:report": (R, R, F, F, 200, 200, F),
    "reports:print-css": (R, R, F, F, 200, 200, F),
    "reports:table-csv": (R, R, F, F, 200, 200, F),
    "reports:export": (R, R, F, F, 405, 405, F),
    "reports:export-status": (R, R, F, F, 404, 404, F),
    "reports:export-download": (R, R, F, F, 404, 404, F),
    "reports:api-report": (F, F, F, F, 200, 200, F),
    # The follow-up queue (issue 14): the team's record roles; handing out is the coordinator's.
    "followup:queue": RECORD,
    "followup:item-new": RECORD,
    "followup:item-detail": (R, R, 200, 404, 200, F, F),
    "followup:item-take": (R, R, 405, 405, 405, F, F),
    "followup:item-assign": (R, R, F, F, 405, F, F),
    "followup:item-close": (R, R, 405, 405, 405, F, F),
    "followup:item-register": (R, R, 405, 405, 405, F, F),
    # The team coordinator's start page; the Flemish coordinator's per-team counts.
    "dashboard:team": (R, R, F, F, 200, F, F),
    "dashboard:teams": (R, R, F, F, F, 200, F),
}

# The Django admin: administrators only; everyone else is refused before the admin runs.
ADMIN_OTHERS = (R, R, F, F, F, F)
ADMIN_RULES: dict[str, int] = {
    "admin:index": 200,
    "admin:login": R,
    "admin:logout": 405,
    "admin:password_change": 200,
    "admin:password_change_done": 200,
    "admin:autocomplete": F,
    "admin:jsi18n": 200,
    "admin:view_on_site": 404,
    "admin:app_list": 200,
    "admin:<catch-all>": 404,
    # Read-only audit trail: it can be looked at, never added to, changed or deleted.
    "admin:audit_auditevent_add": F,
    "admin:audit_auditevent_delete": F,
    # Nobody adds login attempts by hand.
    "admin:axes_accessattempt_add": F,
    "admin:axes_accesslog_add": F,
    "admin:axes_accessfailurelog_add": F,
    # A counsellor's password is set by its owner only: the admin sends back to the account (issue 11).
    "admin:auth_user_password_change": R,
    # A counsellor is deactivated, never deleted; a team with contacts is retired (issue 11).
    "admin:accounts_user_delete": F,
    "admin:registration_team_delete": R,
}
ADMIN_MODEL_VIEW = re.compile(r"^admin:\w+_(changelist|add|history|delete|change|<redirect>)$")
ADMIN_MODEL_STATUS = {"changelist": 200, "add": 200, "history": 200, "delete": 200, "change": 200, "<redirect>": R}


ALL_URLS = all_routes()


def expected(key: str) -> tuple[int, ...] | None:
    if key in RULES:
        return RULES[key]
    if key.startswith("admin:"):
        if key in ADMIN_RULES:
            return (*ADMIN_OTHERS, ADMIN_RULES[key])
        match = ADMIN_MODEL_VIEW.match(key)
        if match:
            return (*ADMIN_OTHERS, ADMIN_MODEL_STATUS[match.group(1)])
    return None


def test_every_url_has_a_rule():
    missing = [f"{key} ({route})" for key, route in ALL_URLS if expected(key) is None]
    assert missing == [], "URLs without an access rule in tests/test_access_matrix.py: " + ", ".join(missing)


def test_every_rule_names_a_served_url():
    # The other way round: a rule left behind by a removed URL, or a walk that found no URLs, fails here.
    served = {key for key, _route in ALL_URLS}
    assert sorted(set(RULES) - served) == []
    assert sorted(set(ADMIN_RULES) - served) == []


@pytest.fixture
def world(db):
    """The records the URL parameters point at: team A's contact, a member, admin objects."""
    counsellor_a = UserFactory(username="counsellor_a", role=Role.COUNSELLOR, teams=["antwerpen"])
    contact_a = ContactFactory(team=Team.objects.get(code="antwerpen"), created_by=counsellor_a)
    item_a = FollowUpItem.objects.create(team=contact_a.team, kind="email")
    event = AuditEvent.objects.create(action="contact_view")
    Closure.objects.get_or_create(date=date(2030, 12, 25), defaults={"name": "Kerstmis"})
    group = Group.objects.create(name="unused")
    attempt = AccessAttempt.objects.create(username="x", ip_address="10.0.0.1", failures_since_start=1)
    log = AccessLog.objects.create(username="x", ip_address="10.0.0.1")
    failure = AccessFailureLog.objects.create(username="x", ip_address="10.0.0.1")
    users = {
        "counsellor_a": counsellor_a,
        "counsellor_b": UserFactory(username="counsellor_b", role=Role.COUNSELLOR, teams=["limburg"]),
        "coordinator_a": UserFactory(username="coordinator_a", role=Role.TEAM_COORDINATOR, teams=["antwerpen"]),
        "flemish": UserFactory(username="flemish", role=Role.FLEMISH_COORDINATOR),
        "administrator": UserFactory(
            username="administrator", role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True
        ),
    }
    object_ids = {
        "registration_team": Team.objects.get(code="antwerpen").pk,
        "registration_code": Code.objects.order_by("pk").first().pk,
        "registration_openinghours": OpeningHours.objects.order_by("pk").first().pk,
        "registration_closure": Closure.objects.order_by("pk").first().pk,
        "accounts_user": counsellor_a.pk,
        "audit_auditevent": event.pk,
        "auth_group": group.pk,
        "axes_accessattempt": attempt.pk,
        "axes_accesslog": log.pk,
        "axes_accessfailurelog": failure.pk,
    }
    return {"users": users, "contact_a": contact_a, "item_a": item_a, "object_ids": object_ids}


def concrete_path(key: str, route: str, world) -> str | None:
    """Fill the route's parameters with ids of team A's records (None: no path to test)."""
    contact_a = world["contact_a"]
    counsellor_a = world["users"]["counsellor_a"]
    if key == "admin:<catch-all>":
        return "/admin/no-such-page/"
    if key == "admin:app_list":
        return "/admin/registration/"
    if key == "admin:view_on_site":
        return f"/admin/r/1/{world['object_ids']['registration_team']}/"
    path = route
    model = re.match(r"admin/(\w+)/(\w+)/", route)
    object_id = None
    if model:
        object_id = world["object_ids"].get(f"{model.group(1)}_{model.group(2)}", 999999)
    replacements = {
        "<uuid:uuid>": str(contact_a.uuid),
        "<uuid:item>": str(world["item_a"].uuid),
        "<uuid:token>": str(uuid.uuid4()),  # a guessed draft token
        "<uuid:export_id>": str(uuid.uuid4()),  # a guessed export id
        "<str:period>": str(date.today().year),
        "<str:key>": "problem",
        "<int:user_id>": str(world["users"]["counsellor_a"].pk),
        "<slug:team>": "antwerpen",
        "<int:membership_id>": str(counsellor_a.memberships.get().pk),
        "<int:proposal_id>": "999999",
        "<path:object_id>": str(object_id),
        "<id>": str(object_id),
        "<int:pk>": str(object_id),
        "<str:uidb64>": "MQ",  # an invitation link for user 1 with a guessed token
        "<str:token>": "cz1v2e-0123456789abcdef0123456789abcdef",
    }
    for placeholder, value in replacements.items():
        path = path.replace(placeholder, value)
    assert "<" not in path and "(?P" not in path, f"no value for a parameter of {key}: {route}"
    return "/" + path


def client_for(role: str, world, client, login, login_unverified):
    if role == "anonymous":
        return client
    if role == "unverified":
        return login_unverified(world["users"]["counsellor_a"])
    return login(world["users"][role])


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(role, world, client, login, login_unverified):
    browser = client_for(role, world, client, login, login_unverified)
    column = ROLES.index(role)
    wrong = []
    for key, route in ALL_URLS:
        rule = expected(key)
        if rule is None:
            continue  # reported by test_every_url_has_a_rule
        path = concrete_path(key, route, world)
        status = browser.get(path).status_code
        if status != rule[column]:
            wrong.append(f"{key} {path}: expected {rule[column]}, got {status}")
    assert wrong == []
