"""The Flemish coordinator's overview: the same figures per team side by side, counts of closed
periods only, with no names and no case content reachable from it."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from dashboard.periods import Period, closed_periods
from dashboard.publication import OpenPeriod, publishable_counts
from dashboard.selectors import flemish_overview
from followup.models import FollowUpItem, Kind
from registration.models import Contact, ContactText
from tests.factories import ContactFactory, team

pytestmark = pytest.mark.django_db

TODAY = date(2025, 3, 12)
BRUSSELS = ZoneInfo("Europe/Brussels")


def figures(overview: dict, section: int) -> dict[str, list]:
    """label → the counts per team (in team order) and for all teams."""
    return {
        row.label: row.extra.get("changes") or [f.count for f in row.cells]
        for row in overview["sections"][section]["rows"]
    }


@pytest.fixture
def known():
    antwerpen, limburg = team("antwerpen"), team("limburg")
    ContactFactory(team=antwerpen, started_on=date(2025, 2, 3), channel="phone", caller_region="antwerpen")
    ContactFactory(team=antwerpen, started_on=date(2025, 2, 28), channel="phone", caller_region="limburg")
    ContactFactory(
        team=antwerpen,
        started_on=date(2025, 2, 14),
        channel="chat",
        caller_region="unknown",
        status=Contact.Status.INCOMPLETE,
    )
    ContactFactory(team=antwerpen, started_on=date(2025, 1, 20), channel="phone", caller_region=None)
    ContactFactory(team=limburg, started_on=date(2025, 2, 10), channel="phone", caller_region="limburg")
    ContactFactory(team=antwerpen, started_on=date(2024, 2, 10), channel="phone", caller_region="antwerpen")
    # Never counted: this month is not closed; a legacy record has no team.
    for day in (1, 2, 11, 12, 12):
        ContactFactory(team=antwerpen, started_on=date(2025, 3, day), channel="phone")
    ContactFactory(team=None, started_on=date(2025, 2, 10), channel="phone")

    def item(received, due, closed=None):
        FollowUpItem.objects.create(
            team=antwerpen,
            kind=Kind.EMAIL,
            received_at=datetime(*received, 10, tzinfo=BRUSSELS),
            due_on=date(*due),
            closed_at=datetime(*closed, 10, tzinfo=BRUSSELS) if closed else None,
        )

    item((2025, 2, 3), (2025, 2, 5), closed=(2025, 2, 5))  # on time
    item((2025, 2, 3), (2025, 2, 5), closed=(2025, 2, 6))  # late
    item((2025, 2, 27), (2025, 3, 3))  # still open, past its last day
    item((2025, 3, 3), (2025, 3, 5))  # arrived this month: not counted


def test_the_closed_periods_end_with_the_previous_month():
    assert [(p.start, p.end) for p in closed_periods(TODAY).values()] == [
        (date(2025, 2, 1), date(2025, 2, 28)),
        (date(2025, 1, 1), date(2025, 2, 28)),
    ]


def test_figures_per_team_side_by_side_for_closed_periods(known):
    overview = flemish_overview(TODAY)
    assert [t.code for t in overview["teams"]] == [
        "noord-west-vlaanderen",
        "oost-vlaanderen",
        "antwerpen",
        "limburg",
        "oost-brabant",
    ]
    month = figures(overview, 0)
    assert month["Contacten"] == [0, 0, 3, 1, 0, 4]
    assert month["Zelfde maand vorig jaar"] == [0, 0, 1, 0, 0, 1]
    assert month["Verschil"] == [None, None, 200.0, None, None, 300.0]
    assert month["Telefoon"] == [0, 0, 2, 1, 0, 3]
    assert month["Chat"] == [0, 0, 1, 0, 0, 1]
    assert month["Opvolgpunten binnengekomen"] == [0, 0, 3, 0, 0, 3]
    assert month["waarvan te laat afgehandeld of nog open"] == [0, 0, 2, 0, 0, 2]
    year = figures(overview, 1)
    assert year["Contacten"] == [0, 0, 4, 1, 0, 5]
    assert year["Zelfde periode vorig jaar"] == [0, 0, 1, 0, 0, 1]
    assert year["Regio: eigen regio"] == [0, 0, 1, 1, 0, 2]
    assert year["Regio: andere regio's en optie 0 (overloop)"] == [0, 0, 2, 0, 0, 2]
    assert year["Regio: leeg"] == [0, 0, 1, 0, 0, 1]
    assert year["Regio Limburg"] == [0, 0, 1, 1, 0, 2]
    assert year["Onvolledige registraties"] == [0, 0, 1, 0, 0, 1]


def test_an_open_period_never_passes_the_publication_door():
    with pytest.raises(OpenPeriod):
        publishable_counts({("contacts", "antwerpen"): 3}, period=Period("month", date(2025, 3, 1), TODAY), today=TODAY)
    closed = Period("month", date(2025, 2, 1), date(2025, 2, 28))
    assert publishable_counts({("contacts", "antwerpen"): 3}, period=closed, today=TODAY) == {
        ("contacts", "antwerpen"): 3
    }


def test_every_per_team_figure_passes_through_publishable_counts(known, monkeypatch):
    seen = []

    def door(cells, *, period, today):
        seen.append(period)
        return {cell: 1000 for cell in cells}

    monkeypatch.setattr("dashboard.selectors.publishable_counts", door)
    overview = flemish_overview(TODAY)
    assert len(seen) == 4
    shown = [f.count for section in overview["sections"] for row in section["rows"] for f in row.cells]
    assert set(shown) <= {0, 1000}
    assert 1000 in shown


def test_no_case_content_is_reachable_from_the_flemish_overview(flemish_coordinator, counsellor, login):
    last_month = timezone.localdate().replace(day=1) - timedelta(days=1)
    contact = ContactFactory(team=team(), started_on=last_month, created_by=counsellor, channel="phone")
    ContactText.objects.create(contact=contact, summary="SUMMARYMARKER")
    counsellor.first_name, counsellor.last_name = "Counsellor", "Namemarker"
    counsellor.save()
    client = login(flemish_coordinator)
    response = client.get("/dashboard/teams/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Contacten" in html
    for content in ("SUMMARYMARKER", "Namemarker", counsellor.username, str(contact.uuid), "/contacts/", "/follow-up/"):
        assert content not in html
    # Nor through the pages it could try instead.
    assert client.get("/contacts/").status_code == 403
    assert client.get(f"/contacts/{contact.uuid}/").status_code == 403
    assert client.get("/follow-up/").status_code == 403
    assert client.get("/dashboard/").status_code == 403


def test_a_team_coordinator_does_not_see_the_other_teams(coordinator, login):
    assert login(coordinator).get("/dashboard/teams/").status_code == 403


def test_the_overview_costs_the_same_queries_at_two_sizes(flemish_coordinator, login, django_assert_num_queries):
    client = login(flemish_coordinator)
    last_month = timezone.localdate().replace(day=1) - timedelta(days=1)

    def add(n):
        for i in range(n):
            ContactFactory(
                team=team(["antwerpen", "limburg", "oost-brabant"][i % 3]),
                started_on=last_month - timedelta(days=i % 40),
                channel=["phone", "chat", "email"][i % 3],
                caller_region=["antwerpen", "limburg", None][i % 3],
            )

    add(3)
    with django_assert_num_queries(OVERVIEW_QUERIES):
        assert client.get("/dashboard/teams/").status_code == 200
    add(60)
    with django_assert_num_queries(OVERVIEW_QUERIES):
        assert client.get("/dashboard/teams/").status_code == 200


# Session, user, OTP device; code labels; teams; contacts per team, channel and region; follow-ups;
# the session's save (3).
OVERVIEW_QUERIES = 10
