"""The team coordinator's dashboard: figures against data with known counts (the overflow
included), each figure's link, and a query count that does not grow with the data."""

from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from accounts.models import Role
from dashboard import monthly
from dashboard.periods import a_year_earlier, closed_periods, current_periods
from dashboard.team import team_dashboard
from followup import services
from followup.models import CloseReason, FollowUpItem, Kind
from registration.models import Contact
from tests.factories import ContactFactory, UserFactory, team
from tests.query_counts import CODES

pytestmark = pytest.mark.django_db

TODAY = date(2025, 3, 12)  # a Wednesday


def query_of(url: str) -> dict:
    parts = urlsplit(url)
    return {"path": parts.path, **{k: v[0] for k, v in parse_qs(parts.query).items()}}


@pytest.fixture
def known(counsellor, coordinator):
    """Team Antwerpen's contacts around Wednesday 12 March 2025, with their counts written out."""
    antwerpen = team("antwerpen")

    def add(day, channel, region, by, n=1, **extra):
        for _ in range(n):
            ContactFactory(
                team=antwerpen, started_on=day, channel=channel, caller_region=region, created_by=by, **extra
            )

    add(date(2025, 3, 12), "phone", "antwerpen", counsellor, n=2)  # this week
    add(date(2025, 3, 10), "chat", "limburg", counsellor)  # this week, overflow from Limburg
    add(date(2025, 3, 3), "email", "unknown", coordinator, status=Contact.Status.INCOMPLETE)  # this month, option 0
    add(date(2025, 1, 15), "phone", None, None)  # this year, imported: no user, region Leeg
    # A year earlier: the week 52 weeks back is Mon 11 – Wed 13 March 2024.
    add(date(2024, 3, 13), "phone", "antwerpen", None)
    add(date(2024, 3, 5), "chat", "antwerpen", None)
    add(date(2024, 2, 1), "phone", "antwerpen", None)
    add(date(2024, 3, 14), "phone", "antwerpen", None)  # after the comparable periods
    # Never counted: another team's contact, a deleted one, one after today.
    ContactFactory(team=team("limburg"), started_on=date(2025, 3, 12), channel="phone")
    ContactFactory(team=antwerpen, started_on=date(2025, 3, 12), channel="phone", deleted_at=timezone.now())
    ContactFactory(team=antwerpen, started_on=date(2025, 3, 13), channel="phone")
    return antwerpen


def test_the_periods_and_their_counterparts_a_year_earlier():
    periods = current_periods(TODAY)
    assert [(p.start, p.end) for p in periods.values()] == [
        (date(2025, 3, 10), TODAY),
        (date(2025, 3, 1), TODAY),
        (date(2025, 1, 1), TODAY),
    ]
    assert [(a_year_earlier(p).start, a_year_earlier(p).end) for p in periods.values()] == [
        (date(2024, 3, 11), date(2024, 3, 13)),
        (date(2024, 3, 1), date(2024, 3, 12)),
        (date(2024, 1, 1), date(2024, 3, 12)),
    ]
    assert [(p.start, p.end) for p in closed_periods(date(2025, 1, 7)).values()] == [
        (date(2024, 12, 1), date(2024, 12, 31)),
        (date(2024, 1, 1), date(2024, 12, 31)),
    ]


def test_contacts_this_week_month_and_year_against_last_year(known):
    figures = team_dashboard(known, TODAY)
    # No contact without a channel: no Leeg column.
    assert [c for c, _label in figures["channels"]] == ["phone", "chat", "email"]
    rows = {row.extra["period"].key: row for row in figures["comparison"]}
    assert [(k, r.total.count, r.extra["earlier_total"].count, r.extra["change"]) for k, r in rows.items()] == [
        ("week", 3, 1, 200.0),
        ("month", 4, 1, 300.0),
        ("year", 5, 2, 150.0),
    ]
    assert [f.count for f in rows["week"].cells] == [2, 1, 0]
    assert [f.count for f in rows["year"].cells] == [3, 1, 1]
    week = {row.extra["day"]: row.total.count for row in figures["week_days"]}
    assert week == {date(2025, 3, 10): 1, date(2025, 3, 11): 0, date(2025, 3, 12): 2}
    assert len(figures["month_days"]) == 12
    assert [(row.extra["month"].month, row.total.count) for row in figures["year_months"]] == [(1, 1), (2, 0), (3, 4)]


def test_contacts_per_counsellor(known, counsellor, coordinator):
    counsellor.first_name, counsellor.last_name = "An", "Peeters"
    counsellor.save()
    figures = team_dashboard(known, TODAY)
    rows = [(row.label, [f.count for f in row.cells]) for row in figures["counsellors"]]
    assert rows == [
        ("An Peeters", [3, 3, 3]),
        ("coordinator_a", [0, 1, 1]),
        ("Zonder gebruiker (ingevoerd door import)", [0, 0, 1]),
    ]
    link = query_of(figures["counsellors"][0].cells[1].url)
    assert link == {
        "path": "/contacts/",
        "team": "antwerpen",
        "date_from": "2025-03-01",
        "date_to": "2025-03-12",
        "counsellor": str(counsellor.pk),
    }
    assert figures["counsellors"][2].cells[2].url is None


def test_contacts_per_caller_region_with_the_overflow(known):
    figures = team_dashboard(known, TODAY)
    rows = {row.label: ([f.count for f in row.cells], row.extra["group"]) for row in figures["regions"]}
    assert rows == {
        "West-Vlaanderen": ([0, 0, 0], "overflow"),
        "Oost-Vlaanderen": ([0, 0, 0], "overflow"),
        "Antwerpen": ([2, 2, 2], "own"),
        "Limburg": ([1, 1, 1], "overflow"),
        "Vlaams-Brabant en Brussel": ([0, 0, 0], "overflow"),
        "Onbekend (optie 0)": ([0, 1, 1], "overflow"),
        "Leeg": ([0, 0, 1], "empty"),
    }
    subtotals = [(row.label, [f.count for f in row.cells]) for row in figures["region_subtotals"]]
    assert subtotals == [
        ("Eigen regio", [2, 2, 2]),
        ("Andere regio's en optie 0 (overloop)", [1, 2, 2]),
        ("Regio leeg", [0, 0, 1]),
    ]
    limburg = next(row for row in figures["regions"] if row.label == "Limburg")
    assert query_of(limburg.cells[2].url) == {
        "path": "/contacts/",
        "team": "antwerpen",
        "date_from": "2025-01-01",
        "date_to": "2025-03-12",
        "caller_region": "limburg",
    }


def test_follow_ups_incomplete_registrations_and_drafts_left(known, counsellor):
    antwerpen = known
    late = FollowUpItem.objects.create(team=antwerpen, kind=Kind.VOICEMAIL, due_on=TODAY - timedelta(days=1))
    FollowUpItem.objects.create(team=antwerpen, kind=Kind.EMAIL, due_on=TODAY, assigned_to=counsellor)
    FollowUpItem.objects.create(team=antwerpen, kind=Kind.DRAFT_LEFT, due_on=TODAY + timedelta(days=1))
    FollowUpItem.objects.create(
        team=antwerpen, kind=Kind.EMAIL, due_on=TODAY - timedelta(days=9), closed_at=timezone.now()
    )
    FollowUpItem.objects.create(team=team("limburg"), kind=Kind.EMAIL, due_on=TODAY - timedelta(days=1))
    figures = team_dashboard(antwerpen, TODAY)
    assert [f.count for f in figures["follow_up_total"].cells] == [3, 1, 2]
    by_kind = {row.label: [f.count for f in row.cells] for row in figures["follow_ups"]}
    assert by_kind["Voicemail: terugbellen"] == [1, 1, 1]
    assert by_kind["E-mail: beantwoorden"] == [1, 0, 0]
    assert figures["incomplete"].count == 1
    assert figures["drafts_left"].count == 1
    assert query_of(figures["follow_up_total"].cells[1].url) == {
        "path": "/follow-up/",
        "team": "antwerpen",
        "overdue": "on",
    }
    assert query_of(figures["incomplete"].url) == {
        "path": "/contacts/",
        "team": "antwerpen",
        "date_from": "2025-01-01",
        "date_to": "2025-03-12",
        "incomplete": "on",
    }
    assert late.is_overdue_on(TODAY)


def test_each_figures_link_lists_exactly_what_it_counts(coordinator, counsellor, login):
    today = timezone.localdate()
    antwerpen = team("antwerpen")
    for channel, region in [("phone", "antwerpen"), ("chat", "limburg"), ("phone", "unknown")]:
        ContactFactory(team=antwerpen, started_on=today, channel=channel, caller_region=region, created_by=counsellor)
    ContactFactory(team=antwerpen, started_on=today, channel="email", created_by=coordinator)
    ContactFactory(team=antwerpen, started_on=today, status=Contact.Status.INCOMPLETE, created_by=coordinator)
    services.item_open(user=counsellor, team=antwerpen, kind=Kind.EMAIL, received_at=timezone.now() - timedelta(days=9))
    client = login(coordinator)
    response = client.get("/dashboard/")
    assert response.status_code == 200
    figures = response.context
    links = [
        *[f for row in figures["comparison"] for f in [*row.cells, row.total]],
        *[f for row in figures["counsellors"] for f in row.cells],
        *[f for row in figures["regions"] for f in row.cells],
        *[f for row in figures["follow_ups"] for f in row.cells],
        *figures["follow_up_total"].cells,
        figures["incomplete"],
    ]
    checked = 0
    for figure in links:
        if figure.url is None:
            continue
        listed = client.get(figure.url)
        assert listed.status_code == 200, figure.url
        assert listed.context["page"].paginator.count == figure.count, figure.url
        checked += 1
    assert checked > 30


def test_the_coordinator_starts_the_day_on_the_dashboard(coordinator, counsellor, login):
    assert login(coordinator).get("/")["Location"] == "/dashboard/"
    assert login(counsellor).get("/")["Location"] == "/contacts/"


def test_a_coordinator_sees_only_their_teams(coordinator, login):
    client = login(coordinator)
    assert client.get("/dashboard/?team=limburg").status_code == 404
    assert client.get("/dashboard/?team=antwerpen").context["team"].code == "antwerpen"


def test_counsellors_and_the_flemish_coordinator_do_not_open_the_team_dashboard(counsellor, flemish_coordinator, login):
    assert login(counsellor).get("/dashboard/").status_code == 403
    assert login(flemish_coordinator).get("/dashboard/").status_code == 403


def _data(n: int, members) -> None:
    antwerpen = team("antwerpen")
    today = timezone.localdate()
    regions = ["antwerpen", "limburg", "unknown", None]
    for i in range(n):
        ContactFactory(
            team=antwerpen,
            started_on=today - timedelta(days=(i * 7) % 400),
            channel=["phone", "chat", "email", None][i % 4],
            caller_region=regions[i % 4],
            created_by=members[i % len(members)],
            status=Contact.Status.INCOMPLETE if i % 5 == 0 else Contact.Status.COMPLETE,
        )
        # Every kind but a left draft (without its draft, the sweep would close it: a write, not a read).
        kind = [k for k in Kind.values if k != Kind.DRAFT_LEFT][i % 5]
        item = FollowUpItem.objects.create(team=antwerpen, kind=kind, due_on=today - timedelta(i % 3))
        if i % 4 == 0:
            services.item_close(user=members[0], item=item, reason=CloseReason.DUPLICATE)


def test_the_dashboard_costs_the_same_queries_at_two_sizes(coordinator, counsellor, login, django_assert_num_queries):
    client = login(coordinator)
    _data(5, [counsellor, coordinator])
    with django_assert_num_queries(DASHBOARD_QUERIES):
        assert client.get("/dashboard/").status_code == 200
    more = [UserFactory(role=Role.COUNSELLOR, teams=["antwerpen"]) for _ in range(4)]
    _data(80, [counsellor, coordinator, *more])
    with django_assert_num_queries(DASHBOARD_QUERIES):
        response = client.get("/dashboard/")
    assert sum(row.total.count for row in response.context["year_months"]) > 5


# Session, user, OTP device; teams; the sweep (2 reads); code labels; the pre-aggregation (its
# staged changes applied, its whole months read); the rest of the contacts per day, channel and
# region; per counsellor (with the incomplete ones), the counsellors' names (none to look up
# without a contact this year: one query fewer); follow-ups. On SQLite (no pre-aggregation) two
# fewer.
DASHBOARD_QUERIES = 10 + CODES + (2 if monthly.preaggregated() else 0)
