"""The dashboards read whole months from the reports' pre-aggregation (dashboard.monthly) and the
rest live: the same figures as counting everything live (REPORT_PREAGGREGATE = False), key sums
included, after an edit, a deletion and a registration dated back after the month's cut."""

from datetime import date

import pytest
from django.db.models import Sum
from django.utils import timezone

from dashboard import monthly
from dashboard.overview import flemish_overview
from dashboard.periods import Period
from dashboard.team import team_dashboard
from registration.models import Contact
from reports.cube import grouping_name
from reports.selectors.publication import Publication
from reports.selectors.tables import standard_groupings
from tests.factories import ContactFactory, team
from tests.query_counts import CODES

pytestmark = pytest.mark.django_db

# A Wednesday. The Flemish overview's closed month is February 2025 and a year earlier 1–28
# February 2024 (29 February left out): not a whole month, counted live beside the cube's January.
TODAY = date(2025, 3, 12)


def test_a_period_splits_into_its_whole_months_and_the_rest():
    assert Period("year", date(2025, 1, 1), TODAY).split_months() == (
        [date(2025, 1, 1), date(2025, 2, 1)],
        [Period("year", date(2025, 3, 1), TODAY)],
    )
    assert Period("x", date(2024, 1, 15), date(2024, 4, 30)).split_months() == (
        [date(2024, 2, 1), date(2024, 3, 1), date(2024, 4, 1)],
        [Period("x", date(2024, 1, 15), date(2024, 1, 31))],
    )
    leap = Period("month", date(2024, 2, 1), date(2024, 2, 28))
    assert leap.split_months() == ([], [leap])
    assert Period("month", date(2023, 2, 1), date(2023, 2, 28)).split_months() == ([date(2023, 2, 1)], [])
    week = Period("week", date(2025, 3, 10), TODAY)
    assert week.split_months() == ([], [week])


def test_the_groupings_the_dashboard_reads_are_kept_by_the_pre_aggregation():
    kept = {grouping_name(g.key) for g in standard_groupings()}
    assert set(monthly.GROUPINGS) <= kept
    assert sorted(monthly.GROUPINGS.values()) == ["caller_region", "channel"]


@pytest.fixture
def known(counsellor):
    """Contacts of team Antwerpen (and one of Limburg) over this year and last, with counts written
    out; an edit, a deletion and a registration after the month's cut among them."""
    antwerpen = team("antwerpen")

    def add(day, channel="phone", region="antwerpen", n=1, **extra):
        fields = {"team": antwerpen, "started_on": day, "channel": channel, "caller_region": region}
        return [ContactFactory(created_by=counsellor, **{**fields, **extra}) for _ in range(n)]

    # January 2025: 6 (one incomplete); February: 4 (one moved there from January, see below); March: 3.
    add(date(2025, 1, 6), n=3)
    add(date(2025, 1, 7), "chat", "limburg")
    add(date(2025, 1, 31), "email", None)
    add(date(2025, 1, 8), status=Contact.Status.INCOMPLETE)
    add(date(2025, 2, 3), "chat", "unknown", n=2)
    add(date(2025, 2, 28), "phone", "limburg")
    (moved,) = add(date(2025, 1, 20))
    add(date(2025, 3, 3), "email", "unknown")
    add(date(2025, 3, 10))
    add(date(2025, 3, 12))
    # Last year: January 2, February 2 (one on the 29th), 5 March; 13 March falls in the week 52
    # weeks back (11–13 March 2024) only; 20 March 2024 in no period.
    add(date(2024, 1, 10), n=2)
    add(date(2024, 2, 10))
    add(date(2024, 2, 29), "chat")
    add(date(2024, 3, 5))
    add(date(2024, 3, 13), "chat")
    add(date(2024, 3, 20))
    add(date(2024, 12, 31))  # in the week of 1 January 2025 only
    ContactFactory(team=team("limburg"), started_on=date(2025, 2, 10), channel="phone", caller_region="limburg")
    # An edit: from 20 January (phone) to 10 February (chat, overflow from Limburg).
    moved.started_on, moved.channel, moved.caller_region = date(2025, 2, 10), "chat", "limburg"
    moved.save()
    # A deletion.
    (gone,) = add(date(2025, 2, 14), "email")
    Contact.objects.filter(pk=gone.pk).update(deleted_at=timezone.now())
    # The month's cut, then a registration dated back into February: the Flemish overview leaves
    # it out until next month; the team coordinator sees it at once.
    cut = Publication(TODAY).registered_before
    (late,) = add(date(2025, 2, 20), "chat", "oost-vlaanderen")
    assert late.created_at >= cut
    return antwerpen


@pytest.fixture
def both_ways(settings, monkeypatch):
    """both_ways(f) -> (f() read through the pre-aggregation, f() counted live), checking that the
    first did read whole months from the pre-aggregation."""
    served = []
    read = monthly.month_cells

    def spy(team_ids, months):
        cells = read(team_ids, months)
        served.append(len(cells))
        return cells

    monkeypatch.setattr(monthly, "month_cells", spy)

    def run(f):
        settings.REPORT_PREAGGREGATE = True
        cube = f()
        assert served and served[-1] > 0, "the pre-aggregation served nothing"
        settings.REPORT_PREAGGREGATE = False
        calls = len(served)
        live = f()
        assert len(served) == calls, "the live count read the pre-aggregation"
        return cube, live

    return run


@pytest.mark.postgres
def test_the_team_dashboard_reads_the_same_figures_from_the_pre_aggregation(known, both_ways):
    cube, live = both_ways(lambda: team_dashboard(known, TODAY))
    assert cube == live  # every figure, link, row and label
    rows = {row.extra["period"].key: row for row in cube["comparison"]}
    assert [(k, r.total.count, r.extra["earlier_total"].count) for k, r in rows.items()] == [
        ("week", 2, 1),
        ("month", 3, 1),
        ("year", 14, 5),
    ]
    assert [(row.extra["month"].month, row.total.count) for row in cube["year_months"]] == [(1, 6), (2, 5), (3, 3)]
    # The channels over the year: phone 7, chat 5 (the moved one and the late one among them), email 2.
    assert [c for c, _label in cube["channels"]] == ["phone", "chat", "email"]
    assert [f.count for f in rows["year"].cells] == [7, 5, 2]
    regions = {row.label: [f.count for f in row.cells] for row in cube["regions"]}
    assert regions["Limburg"] == [0, 0, 3]
    assert regions["Oost-Vlaanderen"] == [0, 0, 1]
    assert regions["Leeg"] == [0, 0, 1]
    assert cube["incomplete"].count == 1


@pytest.mark.postgres
def test_the_flemish_overview_reads_the_same_counts_and_key_sums_from_the_pre_aggregation(
    known, both_ways, monkeypatch
):
    """Cell-key perturbation depends on each cell's key sum: the cells that go through the
    publication door are the same, count and key sum, either way."""
    import dashboard.overview

    door, passed = dashboard.overview.publishable_counts, []

    def record(cells, **kwargs):
        passed.append(dict(cells))
        return door(cells, **kwargs)

    monkeypatch.setattr(dashboard.overview, "publishable_counts", record)
    cube, live = both_ways(lambda: flemish_overview(TODAY))
    # A cell counting nothing may be there or not (the door counts a missing cell as 0).
    passed = [{cell: tally for cell, tally in cells.items() if tally != (0, 0)} for cells in passed]
    assert passed[:4] == passed[4:]
    month, year, month_ly, year_ly = passed[:4]  # in the order the page passes them
    assert cube == live

    def exact(start, end, **filters) -> tuple[int, int]:
        """Counted here, independently: registered before the cut, not deleted."""
        found = Contact.objects.filter(
            started_on__gte=start,
            started_on__lte=end,
            created_at__lt=Publication(TODAY).registered_before,
            team__isnull=False,
            **filters,
        )
        return found.count(), found.aggregate(k=Sum("record_key"))["k"] or 0

    antwerpen = {"team__code": "antwerpen"}
    assert month[("contacts", "antwerpen")] == exact(date(2025, 2, 1), date(2025, 2, 28), **antwerpen)
    assert month[("contacts", "antwerpen")][0] == 4
    assert month[("contacts", "all")][0] == 5
    assert month[("channel:chat", "antwerpen")] == exact(
        date(2025, 2, 1), date(2025, 2, 28), channel="chat", **antwerpen
    )
    assert month_ly[("contacts", "antwerpen")] == exact(date(2024, 2, 1), date(2024, 2, 28), **antwerpen)
    assert month_ly[("contacts", "antwerpen")][0] == 1
    assert year[("contacts", "antwerpen")] == exact(date(2025, 1, 1), date(2025, 2, 28), **antwerpen)
    assert year[("contacts", "antwerpen")][0] == 10
    assert year[("region:limburg", "antwerpen")] == exact(
        date(2025, 1, 1), date(2025, 2, 28), caller_region="limburg", **antwerpen
    )
    assert year[("region_group:overflow", "antwerpen")][0] == 5  # Limburg 3, option 0 2
    assert year[("incomplete", "antwerpen")] == exact(
        date(2025, 1, 1), date(2025, 2, 28), status=Contact.Status.INCOMPLETE, **antwerpen
    )
    assert year_ly[("contacts", "antwerpen")] == exact(date(2024, 1, 1), date(2024, 2, 28), **antwerpen)
    assert year_ly[("contacts", "antwerpen")][0] == 3


@pytest.mark.parametrize("today", [date(2025, 1, 1), date(2024, 2, 29), TODAY, date(2025, 12, 31)])
def test_the_pages_cost_the_same_queries_on_any_day(today, known, django_assert_num_queries):
    """A day without whole months to read (1 January) costs what a day with eleven does."""
    extra = 2 if monthly.preaggregated() else 0
    # Code labels; the pre-aggregation (2); the rest per day; per counsellor, their names; follow-ups.
    with django_assert_num_queries(4 + CODES + extra):
        team_dashboard(known, today)
    # Code labels; teams; the cut; the pre-aggregation (2); the rest; the incomplete; follow-ups.
    assert Publication(today).registered_before  # the month's cut, taken once a month: a write, not a read
    with django_assert_num_queries(5 + CODES + extra):
        flemish_overview(today)
