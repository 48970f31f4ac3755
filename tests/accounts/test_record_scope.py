"""Counsellor B (team Limburg) can reach no contact of team A by any road: 404, as for a guess."""

import uuid

import pytest

from registration.models import Contact, Team
from tests.factories import ContactFactory, ReportedPersonFactory


@pytest.fixture
def contact_a(counsellor):
    contact = ContactFactory(team=Team.objects.get(code="antwerpen"), created_by=counsellor)
    ReportedPersonFactory(contact=contact, problem="child_abuse")
    return contact


@pytest.mark.parametrize("suffix", ["", "edit/", "delete/"])
def test_counsellor_of_other_team_gets_404_on_a_contact_page(login, counsellor_b, contact_a, suffix):
    client = login(counsellor_b)
    assert client.get(f"/contacts/{contact_a.uuid}/{suffix}").status_code == 404
    assert client.get(f"/contacts/{uuid.uuid4()}/{suffix}").status_code == 404


@pytest.mark.parametrize("suffix", ["edit/", "delete/"])
def test_counsellor_of_other_team_cannot_change_or_delete_by_post(login, counsellor_b, contact_a, suffix):
    client = login(counsellor_b)
    assert client.post(f"/contacts/{contact_a.uuid}/{suffix}", {"version": contact_a.version}).status_code == 404
    assert Contact.objects.filter(pk=contact_a.pk, version=contact_a.version).exists()


def test_counsellor_of_other_team_gets_404_from_the_api(login, counsellor_b, contact_a):
    client = login(counsellor_b)
    assert client.get(f"/api/contacts/{contact_a.uuid}/").status_code == 404
    assert client.get(f"/api/contacts/{uuid.uuid4()}/").status_code == 404
    listing = client.get("/api/contacts/").json()
    assert listing["count"] == 0
    assert str(contact_a.uuid) not in str(listing)


def test_counsellor_of_own_team_sees_the_contact_in_the_api(login, counsellor, contact_a):
    client = login(counsellor)
    listing = client.get("/api/contacts/").json()
    assert [row["uuid"] for row in listing["results"]] == [str(contact_a.uuid)]
    detail = client.get(f"/api/contacts/{contact_a.uuid}/").json()
    assert detail["team"] == "antwerpen"
    assert [p["problem"] for p in detail["persons"]] == ["child_abuse"]
    assert "summary" not in detail


@pytest.mark.parametrize("query", ["", "?team=antwerpen", "?problem=child_abuse", "?channel=phone"])
def test_counsellor_of_other_team_cannot_find_the_contact_by_search(login, counsellor_b, contact_a, query):
    response = login(counsellor_b).get(f"/contacts/{query}")
    assert response.status_code == 200
    assert str(contact_a.uuid) not in response.content.decode()


def test_counsellor_of_own_team_finds_the_contact_by_search(login, counsellor, contact_a):
    response = login(counsellor).get("/contacts/?problem=child_abuse")
    assert response.status_code == 200
    assert str(contact_a.uuid) in response.content.decode()


def test_counsellors_get_no_reports_or_report_downloads(login, counsellor_b, contact_a):
    client = login(counsellor_b)
    assert client.get("/reports/").status_code == 403
    assert client.get("/reports/csv/problem/").status_code == 403
    assert client.get(f"/reports/export/{uuid.uuid4()}/download/").status_code == 403


def test_flemish_coordinator_reaches_no_contact_at_all(login, flemish_coordinator, contact_a):
    client = login(flemish_coordinator)
    assert client.get(f"/contacts/{contact_a.uuid}/").status_code == 403
    assert client.get(f"/api/contacts/{contact_a.uuid}/").status_code == 403
    assert client.get("/api/contacts/").status_code == 403


def test_administrator_sees_no_contacts_in_the_admin(login, administrator, contact_a):
    client = login(administrator)
    assert client.get("/admin/registration/contact/").status_code == 404
    assert client.get("/admin/registration/reportedperson/").status_code == 404
    assert client.get("/admin/registration/contacttext/").status_code == 404
    assert client.get("/contacts/").status_code == 403


def test_an_ended_membership_gives_no_scope_even_if_a_colleague_is_still_in_the_team(db):
    from datetime import date

    from accounts.models import TeamMembership
    from registration.selectors import contacts_visible_to
    from tests.factories import UserFactory

    leaver = UserFactory(teams=[])
    TeamMembership.objects.create(
        user=leaver, team=Team.objects.get(code="antwerpen"), valid_from=date(2012, 1, 1), valid_until=date(2020, 1, 1)
    )
    UserFactory(teams=["antwerpen"])
    ContactFactory(team=Team.objects.get(code="antwerpen"))
    assert list(leaver.teams_on()) == []
    assert contacts_visible_to(leaver).count() == 0
