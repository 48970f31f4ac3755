"""Separation of duties in the Django admin (issue 11): each attack of an administrator who would
give themselves (or anyone) access to contacts, replayed and refused."""

import re
import uuid

import pytest
from django.contrib.auth.hashers import check_password
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role, TeamMembership, User
from audit.models import AuditEvent
from registration.models import Contact, Draft, Team
from tests.factories import DEMO_PASSWORD, ContactFactory, UserFactory

CHANGE = "admin:accounts_user_change"
NEW_PASSWORD = "Een-heel-nieuw-wachtwoord-2026"


@pytest.fixture
def admin_client(login, administrator):
    return login(administrator)


def inline_membership(team_code="antwerpen", prefix="memberships"):
    """Inline formset data that would add a membership, as a crafted POST would send it."""
    return {
        f"{prefix}-TOTAL_FORMS": "1",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
        f"{prefix}-0-team": str(Team.objects.get(code=team_code).pk),
        f"{prefix}-0-valid_from": "2020-01-01",
        f"{prefix}-0-user": "",
        f"{prefix}-0-id": "",
    }


def change_data(user, **overrides):
    """Everything the change form of an editable account posts, with crafted extras."""
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "is_staff": "on",
        "is_superuser": "on",
        "role": Role.COUNSELLOR,
        "password": "x",
        "date_joined_0": "2020-01-01",
        "date_joined_1": "10:00:00",
        **inline_membership(),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# --- Memberships and roles -------------------------------------------------------------------------


def test_admin_cannot_give_itself_a_membership_or_a_record_role_by_a_crafted_post(admin_client, administrator):
    response = admin_client.post(reverse(CHANGE, args=[administrator.pk]), change_data(administrator))
    # The form saves what it may (nothing harmful) and ignores role and inline data.
    assert response.status_code == 302
    administrator.refresh_from_db()
    assert administrator.role == Role.ADMINISTRATOR
    assert TeamMembership.objects.filter(user=administrator).count() == 0


def test_admin_cannot_add_a_membership_to_a_counsellor(admin_client, counsellor):
    data = change_data(
        counsellor, role=Role.TEAM_COORDINATOR, email="admin@example.org", **inline_membership("limburg")
    )
    admin_client.post(reverse(CHANGE, args=[counsellor.pk]), data)
    counsellor.refresh_from_db()
    assert counsellor.role == Role.COUNSELLOR
    assert counsellor.email == ""
    assert counsellor.is_staff is False and counsellor.is_superuser is False
    assert [m.team.code for m in counsellor.memberships.all()] == ["antwerpen"]


def test_admin_cannot_change_another_admins_role(admin_client):
    other = UserFactory(username="beheerder2", role=Role.ADMINISTRATOR, is_staff=True)
    response = admin_client.post(reverse(CHANGE, args=[other.pk]), change_data(other, role=Role.TEAM_COORDINATOR))
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.role == Role.ADMINISTRATOR
    assert other.memberships.count() == 0


def test_counsellors_admin_page_shows_memberships_read_only_with_no_field_for_role_password_or_team(
    admin_client, counsellor
):
    html = admin_client.get(reverse(CHANGE, args=[counsellor.pk])).content.decode()
    assert "CAW Antwerpen" in html or "Antwerpen" in html  # the membership, shown
    assert 'name="memberships-0-team"' not in html
    assert 'name="role"' not in html
    assert 'name="email"' not in html
    assert 'name="is_superuser"' not in html
    assert 'name="is_active"' in html  # deactivating stays possible
    assert "../password/" not in html
    assert reverse("admin:auth_user_password_change", args=[counsellor.pk]) not in html


# --- Passwords and two-factor ----------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.COUNSELLOR, Role.TEAM_COORDINATOR, Role.FLEMISH_COORDINATOR])
def test_admin_cannot_set_the_password_of_an_account_that_reads_contacts_or_confirms(admin_client, role):
    target = UserFactory(username="doelwit", role=role, teams=["antwerpen"] if role != Role.FLEMISH_COORDINATOR else [])
    url = reverse("admin:auth_user_password_change", args=[target.pk])
    assert admin_client.get(url).status_code == 302
    response = admin_client.post(
        url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true", "set_password": "1"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse(CHANGE, args=[target.pk])
    target.refresh_from_db()
    assert check_password(DEMO_PASSWORD, target.password)
    assert not check_password(NEW_PASSWORD, target.password)
    page = admin_client.get(response["Location"]).content.decode()
    assert "stelt alleen de eigenaar zelf in" in page


def test_admin_may_set_another_administrators_password_and_it_is_audited(admin_client, administrator):
    other = UserFactory(username="beheerder2", role=Role.ADMINISTRATOR, is_staff=True)
    response = admin_client.post(
        reverse("admin:auth_user_password_change", args=[other.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true", "set_password": "1"},
    )
    assert response.status_code == 302
    other.refresh_from_db()
    assert check_password(NEW_PASSWORD, other.password)
    event = AuditEvent.objects.get(action="password_set_by_admin")
    assert (event.actor_id, event.details) == (administrator.pk, {"user_id": other.pk})


def _reset_two_factor(admin_client, *users):
    return admin_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_two_factor", "_selected_action": [str(u.pk) for u in users]},
        follow=True,
    )


def test_admin_cannot_reset_a_counsellors_two_factor(admin_client, counsellor, coordinator):
    for user in (counsellor, coordinator):
        TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    response = _reset_two_factor(admin_client, counsellor, coordinator)
    assert TOTPDevice.objects.filter(user__in=[counsellor, coordinator]).count() == 2
    assert "Niet gewist voor 2 account(s)" in response.content.decode()
    assert not AuditEvent.objects.filter(action="two_factor_reset").exists()


def test_admin_may_reset_the_two_factor_of_a_flemish_coordinator(admin_client, flemish_coordinator):
    TOTPDevice.objects.create(user=flemish_coordinator, name="app", confirmed=True)
    _reset_two_factor(admin_client, flemish_coordinator)
    assert not TOTPDevice.objects.filter(user=flemish_coordinator).exists()
    assert AuditEvent.objects.filter(action="two_factor_reset", details__user_id=flemish_coordinator.pk).exists()


# --- Creating accounts -----------------------------------------------------------------------------


def add_data(**overrides):
    data = {
        "username": "nieuw.account",
        "usable_password": "true",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "role": Role.FLEMISH_COORDINATOR,
        "first_name": "An",
        "last_name": "Peeters",
        "email": "an@example.org",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("role", [Role.COUNSELLOR, Role.TEAM_COORDINATOR])
def test_admin_cannot_create_an_account_with_a_record_role(admin_client, role):
    response = admin_client.post(reverse("admin:accounts_user_add"), add_data(role=role))
    assert response.status_code == 200
    assert "role" in response.context["adminform"].form.errors
    assert not User.objects.filter(username="nieuw.account").exists()


def test_admin_creates_a_flemish_coordinator_without_membership_even_with_inline_data(admin_client, administrator):
    response = admin_client.post(reverse("admin:accounts_user_add"), {**add_data(), **inline_membership()})
    assert response.status_code == 302
    user = User.objects.get(username="nieuw.account")
    assert (user.role, user.is_staff, user.is_superuser) == (Role.FLEMISH_COORDINATOR, False, False)
    assert user.memberships.count() == 0
    event = AuditEvent.objects.get(action="account_created")
    assert (event.actor_id, event.details) == (administrator.pk, {"user_id": user.pk, "role": "flemish_coordinator"})


def test_admin_creates_an_administrator_with_admin_rights(admin_client):
    admin_client.post(reverse("admin:accounts_user_add"), add_data(role=Role.ADMINISTRATOR))
    user = User.objects.get(username="nieuw.account")
    assert (user.role, user.is_staff) == (Role.ADMINISTRATOR, True)


@pytest.mark.parametrize(
    "username",
    [
        "hv.аntwerpen",  # Cyrillic а
        "hv.antwerpen\u200b",  # zero-width space
        "ｈｖ.antwerpen",  # fullwidth letters
        "hv antwerpen",
        "hv\x00antwerpen",
        "ab",
    ],
)
def test_admin_refuses_unsafe_usernames(admin_client, username):
    response = admin_client.post(reverse("admin:accounts_user_add"), add_data(username=username))
    if "\x00" in username:
        assert response.status_code == 400  # refused before any view (helpline.bad_bytes)
    else:
        assert response.status_code == 200
        assert "username" in response.context["adminform"].form.errors
    assert User.objects.filter(role=Role.FLEMISH_COORDINATOR).count() == 0


def test_admin_refuses_a_lookalike_of_an_existing_username(admin_client, counsellor):
    response = admin_client.post(reverse("admin:accounts_user_add"), add_data(username="COUNSELLOR_A"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["username"] == ["Deze gebruikersnaam is al in gebruik."]


# --- Deactivating, never deleting ------------------------------------------------------------------


def test_admin_deactivates_a_counsellor_but_cannot_reactivate_it(admin_client, administrator, counsellor):
    url = reverse(CHANGE, args=[counsellor.pk])
    assert admin_client.post(url, {**inline_membership(), "memberships-TOTAL_FORMS": "0"}).status_code == 302
    counsellor.refresh_from_db()
    assert counsellor.is_active is False
    event = AuditEvent.objects.get(action="account_deactivated")
    assert event.actor_id == administrator.pk
    assert event.details == {"user_id": counsellor.pk, "team": "antwerpen", "via_admin": True}

    response = admin_client.post(url, {"is_active": "on", **inline_membership(), "memberships-TOTAL_FORMS": "0"})
    assert response.status_code == 200
    counsellor.refresh_from_db()
    assert counsellor.is_active is False


def test_admin_cannot_delete_an_account_that_reads_contacts(admin_client, counsellor):
    ContactFactory(created_by=counsellor)
    url = reverse("admin:accounts_user_delete", args=[counsellor.pk])
    assert admin_client.get(url).status_code == 403
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    bulk = admin_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "delete_selected", "_selected_action": [str(counsellor.pk)], "post": "yes"},
    )
    assert bulk.status_code in (200, 302)
    assert User.objects.filter(pk=counsellor.pk).exists()


# --- Teams -----------------------------------------------------------------------------------------


def test_a_team_with_contacts_cannot_be_deleted_and_its_page_names_no_contact(admin_client, counsellor):
    team = Team.objects.get(code="antwerpen")
    contact = ContactFactory(team=team, created_by=counsellor)
    url = reverse("admin:registration_team_delete", args=[team.pk])
    response = admin_client.get(url, follow=True)
    html = response.content.decode()
    assert response.redirect_chain[0] == (reverse("admin:registration_team_change", args=[team.pk]), 302)
    assert "op rust" in html
    assert str(contact.uuid)[:8] not in html
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    bulk = admin_client.post(
        reverse("admin:registration_team_changelist"),
        {"action": "delete_selected", "_selected_action": [str(team.pk)], "post": "yes"},
        follow=True,
    )
    assert str(contact.uuid)[:8] not in bulk.content.decode()
    assert Team.objects.filter(pk=team.pk).exists()


def test_a_team_without_contacts_or_members_can_still_be_deleted(admin_client):
    team = Team.objects.create(code="proef", name="Proefteam")
    url = reverse("admin:registration_team_delete", args=[team.pk])
    assert admin_client.get(url).status_code == 200
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not Team.objects.filter(pk=team.pk).exists()


def test_a_team_with_only_a_deleted_contact_is_still_retired_not_deleted(admin_client):
    team = Team.objects.create(code="proef", name="Proefteam")
    contact = ContactFactory(team=team)
    Contact.all_objects.filter(pk=contact.pk).update(deleted_at=timezone.now())
    assert not Contact.objects.filter(team=team).exists()
    assert admin_client.get(reverse("admin:registration_team_delete", args=[team.pk])).status_code == 302


def test_no_admin_page_names_a_contact(admin_client, counsellor, coordinator):
    team = Team.objects.get(code="antwerpen")
    contact = ContactFactory(team=team, created_by=counsellor)
    Draft.objects.create(owner=counsellor, edits=contact, token=uuid.uuid4())
    marker = str(contact.uuid)[:8]
    pages = [
        reverse("admin:index"),
        reverse("admin:accounts_user_changelist"),
        reverse(CHANGE, args=[counsellor.pk]),
        reverse("admin:accounts_user_delete", args=[counsellor.pk]),
        reverse("admin:accounts_user_history", args=[counsellor.pk]),
        reverse("admin:registration_team_changelist"),
        reverse("admin:registration_team_change", args=[team.pk]),
        reverse("admin:registration_team_delete", args=[team.pk]),
        reverse("admin:registration_team_history", args=[team.pk]),
        reverse("admin:audit_auditevent_changelist"),
    ]
    for page in pages:
        html = admin_client.get(page, follow=True).content.decode()
        assert marker not in html, page
        assert not re.search(r"Contact \d\d/\d\d/\d{4}", html), page


def test_the_admin_log_is_not_an_admin_page(admin_client):
    assert admin_client.get("/admin/admin/logentry/").status_code == 404


def test_admin_edits_an_administrator_account_but_never_its_role(admin_client, administrator):
    html = admin_client.get(reverse(CHANGE, args=[administrator.pk])).content.decode()
    assert 'name="email"' in html
    assert 'name="role"' not in html
    assert 'name="memberships-0-team"' not in html


def test_the_add_form_offers_only_roles_that_read_no_contacts(admin_client):
    html = admin_client.get(reverse("admin:accounts_user_add")).content.decode()
    options = re.findall(r'<option value="(\w+)"', re.search(r'<select name="role".*?</select>', html, re.S).group(0))
    assert options == ["administrator", "flemish_coordinator"]
    assert "memberships-TOTAL_FORMS" not in html
