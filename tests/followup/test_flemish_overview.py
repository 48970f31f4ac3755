"""The Flemish coordinator's overview: the same figures per team side by side, counts of closed
periods only, with no names and no case content reachable from it."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from dashboard import monthly
from dashboard.overview import flemish_overview
from dashboard.periods import Period, closed_periods
from dashboard.publication import ALL_TEAMS, OpenPeriod, publishable_counts
from followup.models import FollowUpItem, Kind
from registration.models import Contact, ContactText
from registration.services import contact_register
from reports.models import PublicationCut
from tests.factories import ContactFactory, team
from tests.query_counts import CODES

from .conftest import registration

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
    # Every per-team count here is below 10: published as "< 10" (None). The all-teams column of a
    # one-way figure (contacts, channel, region) is exact, as the annual report publishes it; the
    # other all-teams cells are perturbed like the teams'.
    small = [None] * 5
    month = figures(overview, 0)
    assert month["Contacten"] == [*small, 4]
    assert month["Zelfde maand vorig jaar"] == [*small, 1]
    assert month["Verschil"] == [*small, 300.0]
    assert month["Telefoon"] == [*small, 3]
    assert month["Chat"] == [*small, 1]
    assert month["Opvolgpunten binnengekomen"] == [*small, None]
    assert month["waarvan te laat afgehandeld of nog open"] == [*small, None]
    year = figures(overview, 1)
    assert year["Contacten"] == [*small, 5]
    assert year["Zelfde periode vorig jaar"] == [*small, 1]
    assert year["Regio Limburg"] == [*small, 2]
    assert year["Regio: eigen regio"] == [*small, None]
    assert year["Regio: andere regio's en optie 0 (overloop)"] == [*small, None]
    assert year["Onvolledige registraties"] == [*small, None]
    # A team without records in a cell is "< 10" too: a 0 beside it would tell "< 10" holds someone.
    shown = {f.display for row in overview["sections"][1]["rows"] for f in row.cells[:-1]}
    assert shown == {"< 10"}


@pytest.fixture
def larger():
    """February 2025: Antwerpen 12 contacts, Limburg 21, Oost-Brabant 3 (phone); a year earlier 17 in Antwerpen."""
    for code, n in (("antwerpen", 12), ("limburg", 21), ("oost-brabant", 3)):
        for i in range(n):
            ContactFactory(team=team(code), started_on=date(2025, 2, 1 + i % 28), channel="phone")
    for i in range(17):
        ContactFactory(team=team("antwerpen"), started_on=date(2024, 2, 1 + i % 28), channel="phone")


def test_in_a_closed_month_every_per_team_cell_is_perturbed(larger):
    overview = flemish_overview(TODAY)
    month = figures(overview, 0)
    # 12 → 10, 21 → 20, 3 → "< 10", teams without contacts → "< 10"; all teams exact (36).
    assert month["Contacten"] == [None, None, 10, 20, None, 36]
    assert month["Telefoon"] == [None, None, 10, 20, None, 36]
    assert month["Zelfde maand vorig jaar"] == [None, None, 15, None, None, 17]
    # The change is computed from the published values: 10 against 15, not 12 against 17.
    assert month["Verschil"] == [None, None, -33.3, None, None, 111.8]
    for section in overview["sections"]:
        for row in section["rows"]:
            for figure in row.cells[:-1]:
                assert figure.count is None or (figure.count % 5 == 0 and figure.count >= 10), row.label
                assert figure.display == ("< 10" if figure.count is None else str(figure.count))


def test_a_differencing_attack_does_not_recover_a_small_count(larger):
    """All teams (exact) minus the other teams (published) is not Oost-Brabant's exact 3."""
    overview = flemish_overview(TODAY)
    for section, label in ((0, "Contacten"), (0, "Telefoon"), (1, "Contacten")):
        *per_team, all_teams = figures(overview, section)[label]
        others = [value for i, value in enumerate(per_team) if i != 4]
        # The attacker's best guess reads "< 10" as 0 …
        assert all_teams - sum(value or 0 for value in others) != 3
        # … and what they can know: each published value v ≥ 10 stands for v-2 … v+2, "< 10" for 0 … 9.
        low = all_teams - sum(value + 2 if value else 9 for value in others)
        high = all_teams - sum(value - 2 if value else 0 for value in others)
        assert low <= 3 <= high and high - low > 0


def test_a_figure_reads_the_same_twice_around_new_registrations(counsellor):
    """Today's registration (an open month) and one dated back into a closed month after the
    month's first read (the cut) show in neither read."""
    today = timezone.localdate()
    last_month = today.replace(day=1) - timedelta(days=1)
    for _ in range(12):
        ContactFactory(team=team("antwerpen"), started_on=last_month, channel="phone")
    before = flemish_overview(today)
    contact_register(user=counsellor, data=registration())
    ContactFactory(team=team("antwerpen"), started_on=last_month, channel="phone")
    after = flemish_overview(today)
    assert Contact.objects.count() == 14
    assert figures(after, 0) == figures(before, 0)
    assert figures(after, 1) == figures(before, 1)
    assert figures(after, 0)["Contacten"][2:] == [10, None, None, 12]


def test_an_open_period_never_passes_the_publication_door():
    cells = {("contacts", "antwerpen"): (13, 200)}
    with pytest.raises(OpenPeriod):
        publishable_counts(cells, period=Period("month", date(2025, 3, 1), TODAY), today=TODAY)
    closed = Period("month", date(2025, 2, 1), date(2025, 2, 28))
    published = publishable_counts(cells, period=closed, today=TODAY, columns=["limburg", ALL_TEAMS])
    assert published == {
        ("contacts", "antwerpen"): {"count": 15},
        ("contacts", "limburg"): {"count": None, "below_threshold": True},
        ("contacts", ALL_TEAMS): {"count": 0},
    }
    # The all-teams cell of a figure that is not a one-way table of the annual report is perturbed.
    assert publishable_counts({("incomplete", ALL_TEAMS): (13, 9)}, period=closed, today=TODAY) == {
        ("incomplete", ALL_TEAMS): {"count": 15}
    }


def test_every_per_team_figure_passes_through_publishable_counts(known, monkeypatch):
    seen = []

    def door(cells, *, period, today, columns):
        seen.append(period)
        return {(figure, column): {"count": 1000} for figure, _c in cells for column in columns}

    monkeypatch.setattr("dashboard.overview.publishable_counts", door)
    overview = flemish_overview(TODAY)
    assert len(seen) == 4
    shown = [f.count for section in overview["sections"] for row in section["rows"] for f in row.cells]
    assert shown and set(shown) == {1000}


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
    # Antwerpen's one contact of last month: "< 10", with the method named under the figures.
    assert "&lt; 10" in html and "cell-key perturbatie" in html and 'id="closed-months-notice"' in html
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

    # The month's first read takes the publication cut (a write, once a month); the figures
    # counted are those registered before it, so the data goes in first, then the cut.
    add(3)
    flemish_overview(timezone.localdate())
    with django_assert_num_queries(OVERVIEW_QUERIES):
        assert client.get("/dashboard/teams/").status_code == 200
    add(60)
    # As next month's cut would: the 60 count too.
    PublicationCut.objects.update(taken_at=timezone.now())
    with django_assert_num_queries(OVERVIEW_QUERIES):
        response = client.get("/dashboard/teams/")
    assert response.status_code == 200
    assert response.context["sections"][1]["rows"][0].cells[-1].count > 3


# Session, user, OTP device; code labels; teams; the month's publication cut; the pre-aggregation
# (its staged changes applied, its whole months read); the rest of the contacts per team, channel
# and region (and those registered since the cut); the incomplete ones; follow-ups. On SQLite (no
# pre-aggregation) two fewer.
OVERVIEW_QUERIES = 8 + CODES + (2 if monthly.preaggregated() else 0)


def test_follow_up_figures_hold_to_the_months_cut(monkeypatch):
    """Follow-ups are read as they stood at the month's cut: an item entered after it (a voicemail
    of last month typed in late) and an item that became late after it count from next month."""
    cells = []

    def door(tallies, *, period, today, columns):
        cells.append(dict(tallies))
        return {(figure, column): {"count": 1000} for figure, _c in tallies for column in columns}

    monkeypatch.setattr("dashboard.overview.publishable_counts", door)
    antwerpen = team("antwerpen")
    cut = datetime(2025, 3, 3, 9, tzinfo=BRUSSELS)
    PublicationCut.objects.create(month=date(2025, 3, 1), taken_at=cut)

    def item(received: datetime, due: date, *, created: datetime, closed: datetime | None = None):
        FollowUpItem.objects.create(
            team=antwerpen, kind=Kind.EMAIL, received_at=received, due_on=due, created_at=created, closed_at=closed
        )

    february = datetime(2025, 2, 27, 10, tzinfo=BRUSSELS)
    item(february, date(2025, 3, 3), created=february)  # open at the cut on its last day: not late yet
    item(february, date(2025, 2, 28), created=february, closed=datetime(2025, 3, 4, 9, tzinfo=BRUSSELS))  # late
    item(february, date(2025, 2, 28), created=february, closed=datetime(2025, 2, 28, 9, tzinfo=BRUSSELS))  # on time

    def follow_ups(today: date) -> tuple[int, int]:
        cells.clear()
        flemish_overview(today)
        month = cells[0]
        return month[("follow_ups_arrived", "antwerpen")][0], month[("follow_ups_late", "antwerpen")][0]

    assert follow_ups(date(2025, 3, 3)) == (3, 1)
    # Later in March: the first item is now past its day and a February voicemail is typed in.
    item(february, date(2025, 2, 27), created=datetime(2025, 3, 10, 9, tzinfo=BRUSSELS))
    assert follow_ups(date(2025, 3, 12)) == (3, 1)
    assert FollowUpItem.objects.count() == 4
