"""Who grants access to a team's contacts (issue 11): the team's coordinator for counsellors, two
people for a team coordinator; every grant and revoke an audit event; the access page."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import grant_selectors, grants
from accounts.models import CoordinatorProposal, Role, TeamMembership, User
from audit.models import AuditEvent
from audit.services import audit_event
from registration.models import Team
from tests.conftest import verify_two_factor
from tests.factories import ContactFactory, UserFactory


def today():
    return timezone.localdate()


def team(code):
    return Team.objects.get(code=code)


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    verify_two_factor(client, user)
    return client


@pytest.fixture
def coordinator_b(db):
    return UserFactory(username="coordinator_b", role=Role.TEAM_COORDINATOR, teams=["limburg"])


@pytest.fixture
def second_admin(db):
    return UserFactory(username="admin2", role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)


def events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


# --- A team coordinator grants and ends counsellors' access ------------------------------------------


def test_coordinator_adds_a_counsellor_of_another_team_from_a_start_date(login, coordinator, counsellor_b):
    start = today() + timedelta(days=3)
    response = login(coordinator).post(
        reverse("team:grant-add", args=["antwerpen"]), {"username": "COUNSELLOR_B ", "valid_from": start.isoformat()}
    )
    assert response.status_code == 302
    membership = TeamMembership.objects.get(user=counsellor_b, team__code="antwerpen")
    assert (membership.valid_from, membership.valid_until) == (start, None)
    # Not yet: the membership starts in three days.
    assert [t.code for t in counsellor_b.teams_on()] == ["limburg"]
    assert [t.code for t in counsellor_b.teams_on(start)] == ["antwerpen", "limburg"]
    [event] = events("membership_granted")
    assert event.actor_id == coordinator.pk
    assert event.details == {
        "user_id": counsellor_b.pk,
        "team": "antwerpen",
        "membership_id": membership.pk,
        "valid_from": start.isoformat(),
    }


def test_a_grant_never_starts_in_the_past(login, coordinator, counsellor_b):
    response = login(coordinator).post(
        reverse("team:grant-add", args=["antwerpen"]),
        {"username": "counsellor_b", "valid_from": (today() - timedelta(days=1)).isoformat()},
    )
    assert response.status_code == 200
    assert "nooit in het verleden" in response.content.decode()
    assert not TeamMembership.objects.filter(user=counsellor_b, team__code="antwerpen").exists()


def test_a_double_submitted_grant_makes_one_membership_and_one_event(login, coordinator, counsellor_b):
    client = login(coordinator)
    data = {"username": "counsellor_b", "valid_from": today().isoformat()}
    assert client.post(reverse("team:grant-add", args=["antwerpen"]), data).status_code == 302
    second = client.post(reverse("team:grant-add", args=["antwerpen"]), data)
    assert second.status_code == 200
    assert "al lid van het team" in second.content.decode()
    assert TeamMembership.objects.filter(user=counsellor_b, team__code="antwerpen").count() == 1
    assert len(events("membership_granted")) == 1


@pytest.mark.parametrize("username", ["coordinator_b", "flemish", "admin", "nobody", "counsellor_b\x00"])
def test_only_an_existing_active_counsellor_can_be_added(login, coordinator, coordinator_b, username, request):
    request.getfixturevalue("flemish_coordinator")
    request.getfixturevalue("administrator")
    response = login(coordinator).post(
        reverse("team:grant-add", args=["antwerpen"]), {"username": username, "valid_from": today().isoformat()}
    )
    assert response.status_code in (200, 400)
    assert TeamMembership.objects.filter(team__code="antwerpen").count() == 1  # the coordinator's own
    assert not events("membership_granted")


def test_coordinator_of_team_a_cannot_grant_or_end_for_team_b(login, coordinator, counsellor, counsellor_b):
    client = login(coordinator)
    data = {"username": "counsellor", "valid_from": today().isoformat()}
    assert client.get(reverse("team:grant-add", args=["limburg"])).status_code == 404
    assert client.post(reverse("team:grant-add", args=["limburg"]), data).status_code == 404
    assert client.get(reverse("team:access", args=["limburg"])).status_code == 404
    membership_b = counsellor_b.memberships.get()
    end = {"valid_until": today().isoformat()}
    assert client.post(reverse("team:grant-end", args=["limburg", membership_b.pk]), end).status_code == 404
    # Team B's membership under team A's address: not found either.
    assert client.post(reverse("team:grant-end", args=["antwerpen", membership_b.pk]), end).status_code == 404
    assert client.get(reverse("team:access", args=["no-such-team"])).status_code == 404
    membership_b.refresh_from_db()
    assert membership_b.valid_until is None
    assert not AuditEvent.objects.filter(action__in=["membership_granted", "membership_ended"]).exists()


def test_the_service_refuses_a_grant_by_someone_who_does_not_coordinate_the_team(coordinator, counsellor_b):
    with pytest.raises(grants.GrantRefused):
        grants.membership_grant(coordinator=coordinator, team=team("limburg"), user=counsellor_b, valid_from=today())
    flemish = UserFactory(role=Role.FLEMISH_COORDINATOR, teams=["limburg"])
    with pytest.raises(grants.GrantRefused):
        grants.membership_grant(coordinator=flemish, team=team("limburg"), user=counsellor_b, valid_from=today())


def test_coordinator_ends_a_counsellors_access_at_once(login, coordinator, counsellor):
    membership = counsellor.memberships.get()
    contact = ContactFactory(team=team("antwerpen"), created_by=counsellor)
    detail = reverse("registration:contact-detail", args=[contact.uuid])
    assert logged_in(counsellor).get(detail).status_code == 200
    client = login(coordinator)
    page = client.get(reverse("team:grant-end", args=["antwerpen", membership.pk]))
    assert page.status_code == 200
    yesterday = today() - timedelta(days=1)
    response = client.post(
        reverse("team:grant-end", args=["antwerpen", membership.pk]), {"valid_until": yesterday.isoformat()}
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.valid_until == yesterday
    assert list(counsellor.teams_on()) == []
    assert logged_in(counsellor).get(detail).status_code == 404
    [event] = events("membership_ended")
    assert (event.actor_id, event.details["user_id"], event.details["team"]) == (
        coordinator.pk,
        counsellor.pk,
        "antwerpen",
    )


def test_an_end_cannot_be_backdated_nor_touch_a_coordinators_membership(login, coordinator, counsellor):
    client = login(coordinator)
    membership = counsellor.memberships.get()
    response = client.post(
        reverse("team:grant-end", args=["antwerpen", membership.pk]),
        {"valid_until": (today() - timedelta(days=10)).isoformat()},
    )
    assert response.status_code == 200
    membership.refresh_from_db()
    assert membership.valid_until is None
    own = coordinator.memberships.get()
    assert client.get(reverse("team:grant-end", args=["antwerpen", own.pk])).status_code == 404


# --- The access page ---------------------------------------------------------------------------------


def test_access_page_lists_exactly_who_reads_the_teams_contacts_today(login, coordinator, counsellor, counsellor_b):
    antwerpen = team("antwerpen")
    ended = UserFactory(username="vertrokken", teams=["antwerpen"])
    TeamMembership.objects.filter(user=ended).update(valid_until=today() - timedelta(days=1))
    later = UserFactory(username="later")
    TeamMembership.objects.create(user=later, team=antwerpen, valid_from=today() + timedelta(days=5))
    UserFactory(username="gedeactiveerd", teams=["antwerpen"], is_active=False)
    UserFactory(username="vlaams.lid", role=Role.FLEMISH_COORDINATOR, teams=["antwerpen"])
    UserFactory(username="beheerder.lid", role=Role.ADMINISTRATOR, teams=["antwerpen"])
    until_today = UserFactory(username="tot.vandaag", teams=["antwerpen"])
    TeamMembership.objects.filter(user=until_today).update(valid_until=today())

    response = login(coordinator).get(reverse("team:access", args=["antwerpen"]))
    assert response.status_code == 200
    readers = {(m.user.username, m.user.role) for m in response.context["readers"]}
    assert readers == {
        ("counsellor_a", Role.COUNSELLOR),
        ("coordinator_a", Role.TEAM_COORDINATOR),
        ("tot.vandaag", Role.COUNSELLOR),
    }
    assert [m.user.username for m in response.context["future"]] == ["later"]
    html = response.content.decode()
    assert "Teamcoördinator" in html and "Hulpverlener" in html
    assert "counsellor_b" not in html


def test_access_page_shows_every_change_of_the_team_newest_first(login, coordinator, counsellor, counsellor_b):
    grants.membership_grant(coordinator=coordinator, team=team("antwerpen"), user=counsellor_b, valid_from=today())
    grants.membership_end(
        coordinator=coordinator, membership=counsellor.memberships.get(), valid_until=today() - timedelta(days=1)
    )
    audit_event(coordinator, "membership_granted", details={"user_id": counsellor.pk, "team": "limburg"})
    audit_event(coordinator, "contact_view", details={"team": "antwerpen"})
    response = login(coordinator).get(reverse("team:access", args=["antwerpen"]))
    rows = [(e.action, e.subject_username) for e in response.context["history"]]
    assert rows == [("membership_ended", "counsellor_a"), ("membership_granted", "counsellor_b")]
    html = response.content.decode()
    assert "toegang beëindigd" in html and "toegang gegeven" in html


def test_the_team_page_links_to_the_access_page(login, coordinator):
    html = login(coordinator).get(reverse("team:list")).content.decode()
    assert reverse("team:access", args=["antwerpen"]) in html


def test_access_history_is_one_query_whatever_its_length(coordinator, counsellor, django_assert_num_queries):
    for _ in range(30):
        audit_event(coordinator, "membership_granted", details={"user_id": counsellor.pk, "team": "antwerpen"})
    antwerpen = team("antwerpen")
    with django_assert_num_queries(1):
        rows = list(grant_selectors.team_access_history(antwerpen))
    assert len(rows) == 30
    assert {row.subject_username for row in rows} == {"counsellor_a"}


# --- Two people make a team coordinator --------------------------------------------------------------


def propose(client, username, team_code="limburg"):
    return client.post(reverse("team:coordinator-propose"), {"username": username, "team": str(team(team_code).pk)})


def test_admin_proposes_and_the_flemish_coordinator_confirms(login, administrator, flemish_coordinator, counsellor):
    assert propose(login(administrator), "counsellor_a").status_code == 302
    proposal = CoordinatorProposal.objects.get()
    # Nothing changes before the second person.
    counsellor.refresh_from_db()
    assert counsellor.role == Role.COUNSELLOR
    response = logged_in(flemish_coordinator).post(reverse("team:coordinator-confirm", args=[proposal.pk]))
    assert response.status_code == 302
    counsellor.refresh_from_db()
    assert counsellor.role == Role.TEAM_COORDINATOR
    # Coordinator of the proposed team only: the counsellor's old team membership has ended.
    assert [t.code for t in counsellor.teams_on()] == ["limburg"]
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by) == (CoordinatorProposal.Status.CONFIRMED, flemish_coordinator)
    [proposed] = events("coordinator_proposed")
    [confirmed] = events("coordinator_confirmed")
    assert proposed.actor_id == administrator.pk and confirmed.actor_id == flemish_coordinator.pk
    assert confirmed.details["team"] == "limburg" and confirmed.details["user_id"] == counsellor.pk
    assert [e.details["team"] for e in events("membership_ended")] == ["antwerpen"]


def test_flemish_coordinator_proposes_and_an_admin_confirms(login, administrator, flemish_coordinator, counsellor):
    assert propose(login(flemish_coordinator), "counsellor_a").status_code == 302
    proposal = CoordinatorProposal.objects.get()
    grants.coordinator_confirm(decider=administrator, proposal=proposal)
    counsellor.refresh_from_db()
    assert counsellor.role == Role.TEAM_COORDINATOR


def test_one_person_alone_cannot_make_a_team_coordinator(login, administrator, second_admin, counsellor):
    client = login(administrator)
    propose(client, "counsellor_a")
    proposal = CoordinatorProposal.objects.get()
    # The proposer confirms their own proposal: refused, with a message.
    response = client.post(reverse("team:coordinator-confirm", args=[proposal.pk]), follow=True)
    assert "je eigen voorstel niet bevestigen" in response.content.decode()
    # Another administrator is the same side: the Flemish coordinator must confirm.
    with pytest.raises(grants.GrantRefused):
        grants.coordinator_confirm(decider=second_admin, proposal=proposal)
    counsellor.refresh_from_db()
    assert counsellor.role == Role.COUNSELLOR
    assert CoordinatorProposal.objects.get().status == CoordinatorProposal.Status.PENDING
    assert not events("coordinator_confirmed")


def test_an_admin_cannot_confirm_through_a_flemish_account_it_created(login, administrator, counsellor):
    data = {
        "username": "vlaams.pop",
        "usable_password": "true",
        "password1": "Een-heel-nieuw-wachtwoord-2026",
        "password2": "Een-heel-nieuw-wachtwoord-2026",
        "role": Role.FLEMISH_COORDINATOR,
    }
    client = login(administrator)
    assert client.post(reverse("admin:accounts_user_add"), data).status_code == 302
    puppet = User.objects.get(username="vlaams.pop")
    propose(client, "counsellor_a")
    with pytest.raises(grants.GrantRefused):
        grants.coordinator_confirm(decider=puppet, proposal=CoordinatorProposal.objects.get())
    # Nor the other way round: the puppet proposes, its creator confirms.
    grants.coordinator_withdraw(proposer=administrator, proposal=CoordinatorProposal.objects.get())
    proposal = grants.coordinator_propose(proposer=puppet, user=counsellor, team=team("limburg"))
    with pytest.raises(grants.GrantRefused):
        grants.coordinator_confirm(decider=administrator, proposal=proposal)
    counsellor.refresh_from_db()
    assert counsellor.role == Role.COUNSELLOR


def test_an_admin_cannot_confirm_through_a_chain_of_accounts_it_controls(administrator, second_admin, counsellor):
    # admin created admin2 (in the admin), admin2 created the Flemish account: admin is behind both.
    flemish = UserFactory(username="vlaams2", role=Role.FLEMISH_COORDINATOR)
    audit_event(administrator, "account_created", details={"user_id": second_admin.pk, "role": "administrator"})
    audit_event(second_admin, "account_created", details={"user_id": flemish.pk, "role": "flemish_coordinator"})
    proposal = grants.coordinator_propose(proposer=administrator, user=counsellor, team=team("limburg"))
    with pytest.raises(grants.GrantRefused):
        grants.coordinator_confirm(decider=flemish, proposal=proposal)


def test_nobody_confirms_themselves_as_coordinator(administrator, flemish_coordinator):
    proposal = grants.coordinator_propose(proposer=administrator, user=flemish_coordinator, team=team("limburg"))
    with pytest.raises(grants.GrantRefused):
        grants.coordinator_confirm(decider=flemish_coordinator, proposal=proposal)
    with pytest.raises(grants.GrantRefused):
        grants.coordinator_propose(proposer=administrator, user=administrator, team=team("limburg"))


def test_a_proposal_can_be_withdrawn_or_refused_and_then_not_confirmed(
    login, administrator, flemish_coordinator, counsellor, counsellor_b
):
    first = grants.coordinator_propose(proposer=administrator, user=counsellor, team=team("limburg"))
    # The proposer withdraws; refusing one's own proposal is not a second opinion.
    with pytest.raises(grants.GrantRefused):
        grants.coordinator_refuse(decider=administrator, proposal=first)
    assert login(administrator).post(reverse("team:coordinator-withdraw", args=[first.pk])).status_code == 302
    with pytest.raises(grants.GrantRefused):
        grants.coordinator_confirm(decider=flemish_coordinator, proposal=first)
    second = grants.coordinator_propose(proposer=administrator, user=counsellor_b, team=team("antwerpen"))
    with pytest.raises(grants.GrantRefused):
        grants.coordinator_withdraw(proposer=flemish_coordinator, proposal=second)
    grants.coordinator_refuse(decider=flemish_coordinator, proposal=second)
    with pytest.raises(grants.GrantRefused):
        grants.coordinator_confirm(decider=flemish_coordinator, proposal=second)
    assert [p.status for p in CoordinatorProposal.objects.order_by("id")] == ["withdrawn", "refused"]
    assert len(events("coordinator_withdrawn")) == len(events("coordinator_refused")) == 1
    for user in (counsellor, counsellor_b):
        user.refresh_from_db()
        assert user.role == Role.COUNSELLOR


def test_a_double_submitted_proposal_makes_one(login, administrator, counsellor):
    client = login(administrator)
    assert propose(client, "counsellor_a").status_code == 302
    again = propose(client, "counsellor_a")
    assert again.status_code == 200
    assert "wacht al een voorstel" in again.content.decode()
    assert CoordinatorProposal.objects.count() == 1


@pytest.mark.parametrize("username", ["", "niemand", "x" * 5000])
def test_a_proposal_for_no_account_is_refused_next_to_the_field(login, administrator, counsellor, username):
    response = propose(login(administrator), username)
    assert response.status_code == 200
    assert "username" in response.context["form"].errors
    assert CoordinatorProposal.objects.count() == 0


@pytest.mark.parametrize("raw", ["counsellor_a%00", "counsellor_a%ED%A0%80", "counsellor_a%FF"])
def test_a_proposal_with_bad_bytes_is_refused_without_error(login, administrator, counsellor, raw):
    body = f"username={raw}&team={team('limburg').pk}"
    response = login(administrator).post(
        reverse("team:coordinator-propose"), body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code in (200, 400)
    assert CoordinatorProposal.objects.count() == 0


def test_proposals_are_the_business_of_administrators_and_the_flemish_coordinator_only(login, coordinator, counsellor):
    assert propose(login(coordinator), "counsellor_a").status_code == 403
    with pytest.raises(grants.GrantRefused):
        grants.coordinator_propose(proposer=coordinator, user=counsellor, team=team("limburg"))


def test_the_coordinators_page_offers_confirm_to_the_other_side_only(
    login, administrator, flemish_coordinator, counsellor
):
    proposal = grants.coordinator_propose(proposer=administrator, user=counsellor, team=team("limburg"))
    confirm = reverse("team:coordinator-confirm", args=[proposal.pk])
    assert confirm not in login(administrator).get(reverse("team:coordinators")).content.decode()
    assert confirm in logged_in(flemish_coordinator).get(reverse("team:coordinators")).content.decode()


# --- One person may revoke ---------------------------------------------------------------------------


def test_one_person_revokes_a_team_coordinator_at_once(login, flemish_coordinator, coordinator):
    other_team = TeamMembership.objects.create(user=coordinator, team=team("limburg"), valid_from=today())
    response = login(flemish_coordinator).post(reverse("team:coordinator-revoke", args=[coordinator.pk]))
    assert response.status_code == 302
    coordinator.refresh_from_db()
    assert coordinator.role == Role.COUNSELLOR
    assert list(coordinator.teams_on()) == []
    other_team.refresh_from_db()
    assert other_team.valid_until == today() - timedelta(days=1)
    revoked = events("role_revoked")
    assert sorted(e.details["team"] for e in revoked) == ["antwerpen", "limburg"]
    assert {e.actor_id for e in revoked} == {flemish_coordinator.pk}
    assert logged_in(coordinator).get(reverse("team:list")).status_code == 403


def test_revoke_applies_to_team_coordinators_only(login, administrator, counsellor):
    assert login(administrator).post(reverse("team:coordinator-revoke", args=[counsellor.pk])).status_code == 404
    counsellor.refresh_from_db()
    assert [t.code for t in counsellor.teams_on()] == ["antwerpen"]


def test_an_invitation_and_a_deactivation_show_in_the_teams_access_history(login, coordinator, counsellor):
    client = login(coordinator)
    client.post(
        reverse("team:invite"),
        {"username": "nieuw", "first_name": "An", "last_name": "Peeters", "email": "an@example.org"},
    )
    client.post(reverse("team:deactivate", args=[counsellor.pk]))
    response = client.get(reverse("team:access", args=["antwerpen"]))
    rows = [(e.action, e.subject_username) for e in response.context["history"]]
    assert rows == [("account_deactivated", "counsellor_a"), ("account_invited", "nieuw")]
    readers = {m.user.username for m in response.context["readers"]}
    assert readers == {"coordinator_a", "nieuw"}


def test_the_coordinators_page_lists_pending_proposals_and_current_coordinators(
    login, administrator, coordinator, counsellor_b
):
    grants.coordinator_propose(proposer=administrator, user=counsellor_b, team=team("antwerpen"))
    response = login(administrator).get(reverse("team:coordinators"))
    assert response.status_code == 200
    assert [(p.user.username, p.team.code) for p in response.context["pending"]] == [("counsellor_b", "antwerpen")]
    assert [(m.user.username, m.team.code) for m in response.context["coordinators"]] == [
        ("coordinator_a", "antwerpen")
    ]
    assert reverse("team:coordinator-withdraw", args=[response.context["pending"][0].pk]) in response.content.decode()
