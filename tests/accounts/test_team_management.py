from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import selectors
from accounts.models import Role, User
from audit.models import AuditEvent
from registration.models import Team
from tests.factories import UserFactory


def test_coordinator_lists_the_teams_members_with_their_two_factor_state(login, coordinator, counsellor, counsellor_b):
    TOTPDevice.objects.create(user=counsellor, name="app", confirmed=True)
    response = login(coordinator).get(reverse("team:list"))
    assert response.status_code == 200
    rows = {row["user"].username: row["enrolled"] for row in response.context["rows"]}
    # The coordinator's own device comes from login(); counsellor_b is in another team.
    assert rows == {"counsellor_a": True, "coordinator_a": True}


def test_coordinator_invites_a_counsellor_into_the_team(login, coordinator):
    client = login(coordinator)
    response = client.post(
        reverse("team:invite"),
        {"username": "nieuw", "first_name": "An", "last_name": "Peeters", "email": "an@example.org"},
    )
    assert response.status_code == 200
    user = User.objects.get(username="nieuw")
    assert user.role == Role.COUNSELLOR
    assert [t.code for t in user.teams_on()] == ["antwerpen"]
    # Nobody is given a password: the invitee chooses one through the mailed link (test_invitations.py).
    assert user.has_usable_password() is False
    assert "password" not in response.context
    assert AuditEvent.objects.get(action="account_invited").details == {"user_id": user.pk, "team": "antwerpen"}


def test_invite_refuses_a_taken_username_next_to_the_field(login, coordinator, counsellor):
    response = login(coordinator).post(
        reverse("team:invite"),
        {"username": "COUNSELLOR_A", "first_name": "An", "last_name": "Peeters", "email": "an@example.org"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"username": ["Deze gebruikersnaam is al in gebruik."]}
    assert 'value="Peeters"' in response.content.decode()


def test_coordinator_deactivates_a_counsellor_and_ends_their_session(login, coordinator, counsellor, client):
    from django.test import Client

    other = Client()
    other.force_login(counsellor)
    response = login(coordinator).post(reverse("team:deactivate", args=[counsellor.pk]))
    assert response.status_code == 302
    counsellor.refresh_from_db()
    assert counsellor.is_active is False
    assert other.get("/contacts/").status_code == 302


def test_coordinator_resets_a_counsellors_two_factor(login, coordinator, counsellor):
    TOTPDevice.objects.create(user=counsellor, name="app", confirmed=True)
    StaticDevice.objects.create(user=counsellor, name="backup", confirmed=True)
    assert login(coordinator).post(reverse("team:reset-two-factor", args=[counsellor.pk])).status_code == 302
    assert TOTPDevice.objects.filter(user=counsellor).count() == 0
    assert StaticDevice.objects.filter(user=counsellor).count() == 0
    assert AuditEvent.objects.get(action="two_factor_reset").details == {"user_id": counsellor.pk}


def test_coordinator_cannot_touch_accounts_outside_the_team(login, coordinator, counsellor_b):
    other_coordinator = UserFactory(role=Role.TEAM_COORDINATOR, teams=["antwerpen"])
    client = login(coordinator)
    for target in (counsellor_b, other_coordinator, coordinator):
        assert client.post(reverse("team:deactivate", args=[target.pk])).status_code == 404
        assert client.post(reverse("team:reset-two-factor", args=[target.pk])).status_code == 404
    assert client.post(reverse("team:deactivate", args=[999999])).status_code == 404
    counsellor_b.refresh_from_db()
    assert counsellor_b.is_active is True


def test_counsellors_cannot_manage_the_team(login, counsellor, coordinator):
    client = login(counsellor)
    assert client.get(reverse("team:list")).status_code == 403
    assert client.post(reverse("team:reset-two-factor", args=[coordinator.pk])).status_code == 403


def test_a_deactivation_is_recorded_under_the_team_the_coordinator_and_counsellor_share(db, login):
    coordinator = UserFactory(role=Role.TEAM_COORDINATOR, teams=["antwerpen", "limburg", "oost-vlaanderen"])
    member = UserFactory(role=Role.COUNSELLOR, teams=["oost-brabant", "limburg"])
    assert login(coordinator).post(reverse("team:deactivate", args=[member.pk])).status_code == 302
    assert AuditEvent.objects.get(action="account_deactivated").details == {"user_id": member.pk, "team": "limburg"}


def test_finding_a_manageable_member_takes_two_queries_however_many_teams(db, django_assert_num_queries):
    coordinator = UserFactory(role=Role.TEAM_COORDINATOR, teams=["antwerpen", "limburg", "oost-vlaanderen"])
    member = UserFactory(role=Role.COUNSELLOR, teams=["oost-vlaanderen", "limburg"])
    first_shared = Team.objects.filter(code__in=["oost-vlaanderen", "limburg"]).first()
    with django_assert_num_queries(2):
        assert selectors.manageable_member(coordinator, member.pk) == (member, first_shared)


def test_a_coordinator_manages_neither_themselves_nor_other_coordinators(coordinator):
    other_coordinator = UserFactory(role=Role.TEAM_COORDINATOR, teams=["antwerpen"])
    assert selectors.manageable_member(coordinator, coordinator.pk) is None
    assert selectors.manageable_member(coordinator, other_coordinator.pk) is None
