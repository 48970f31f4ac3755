from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from registration.models import Contact
from reports.selectors import ReportFilter, build_report, parse_period, share
from tests.factories import ContactFactory, ReportedPersonFactory, team

BRUSSELS = ZoneInfo("Europe/Brussels")
YEAR_2024 = ReportFilter(date(2024, 1, 1), date(2024, 12, 31))


def counted(table):
    """{code: count} of the rows that count something (codes of crossed tables as tuples)."""
    return {
        (tuple(r["code"]) if isinstance(r["code"], list) else r["code"]): r["count"]
        for r in table["rows"]
        if r["count"]
    }


def codes(table):
    return [r["code"] for r in table["rows"]]


@pytest.fixture
def year_2024(db):
    """Four counted contacts in 2024, one deleted, one in 2023."""
    march = ContactFactory(
        team=team("antwerpen"),
        channel="phone",
        started_at=datetime(2024, 3, 31, 23, 30, tzinfo=BRUSSELS),
        caller_age="12_17",
        caller_gender="female",
        anonymous="yes",
        caller_relation="1100",
        caller_region="antwerpen",
    )
    ReportedPersonFactory(
        contact=march,
        gender="female",
        age="7_12",
        problem="child_abuse",
        context="school",
        violence_forms=["physical_violence", "sexual_violence"],
        referrals=["caw", "police_justice"],
    )
    ReportedPersonFactory(
        contact=march,
        gender="male",
        age=None,
        problem="partner_violence",
        context="nuclear_family",
        violence_forms=["physical_violence"],
    )
    # 00:30 on 1 April in Brussels is still 31 March in UTC.
    ContactFactory(
        team=team("limburg"),
        channel="chat",
        started_at=datetime(2024, 3, 31, 22, 30, tzinfo=ZoneInfo("UTC")),
        caller_age="18_64",
        caller_gender="male",
        anonymous="no",
        caller_relation="2100",
    )
    # A legacy record: a date only, every coded field empty, no team.
    empty = ContactFactory(team=None, channel=None, started_on=date(2024, 7, 15), status=Contact.Status.INCOMPLETE)
    ReportedPersonFactory(contact=empty)
    december = ContactFactory(
        team=team("antwerpen"),
        channel="email",
        started_at=datetime(2024, 12, 31, 10, 0, tzinfo=BRUSSELS),
        caller_age="unknown",
        caller_gender="unknown",
        caller_relation="9999",
    )
    # A retired code (until 2021-06-30) in a legacy-style record still counts.
    ReportedPersonFactory(contact=december, age="60_plus", problem="violence_against_adults", context="unknown")
    deleted = ContactFactory(team=team("antwerpen"), started_on=date(2024, 5, 5))
    ReportedPersonFactory(contact=deleted, problem="child_abuse", violence_forms=["other"])
    deleted.deleted_at = timezone.now()
    deleted.save()
    ReportedPersonFactory(contact=ContactFactory(started_on=date(2023, 12, 31)), problem="stalking")


def test_totals_count_contacts_persons_and_contacts_without_person(year_2024):
    report = build_report(YEAR_2024)
    assert report["period"] == {"from": "2024-01-01", "to": "2024-12-31"}
    assert report["team"] is None
    assert report["tables"]["totals"]["rows"] == [
        {"code": "contacts", "label": "Contacten", "count": 4},
        {"code": "persons", "label": "Gemelde personen", "count": 4},
        {"code": "contacts_without_person", "label": "Contacten zonder gemelde persoon", "count": 1},
    ]


def test_totals_keep_their_three_rows_when_nothing_is_counted(db):
    rows = build_report(YEAR_2024)["tables"]["totals"]["rows"]
    assert [(r["code"], r["count"]) for r in rows] == [
        ("contacts", 0),
        ("persons", 0),
        ("contacts_without_person", 0),
    ]


def test_contact_tables_keep_leeg_and_every_code_in_list_order(year_2024):
    tables = build_report(YEAR_2024)["tables"]
    channel = tables["channel"]
    assert channel["unit"] == "contact"
    assert channel["total"] == 4
    assert channel["rows"] == [
        {"code": "phone", "label": "Telefoon", "count": 1, "share": 25.0},
        {"code": "chat", "label": "Chat", "count": 1, "share": 25.0},
        {"code": "email", "label": "E-mail", "count": 1, "share": 25.0},
        {"code": None, "label": "Leeg", "count": 1, "share": 25.0},
    ]
    assert codes(tables["caller_age"]) == [
        "under_12",
        "12_17",
        "minor_unknown",
        "18_64",
        "65_plus",
        "adult_unknown",
        "unknown",
        None,
    ]
    assert counted(tables["caller_age"]) == {"12_17": 1, "18_64": 1, "unknown": 1, None: 1}
    assert counted(tables["caller_gender"]) == {"female": 1, "male": 1, "unknown": 1, None: 1}
    assert counted(tables["anonymous"]) == {"yes": 1, "no": 1, None: 2}
    assert counted(tables["caller_relation"]) == {"1100": 1, "2100": 1, "9999": 1, None: 1}
    assert counted(tables["caller_region"]) == {"antwerpen": 1, None: 3}
    assert counted(tables["team"]) == {"antwerpen": 2, "limburg": 1, None: 1}
    assert codes(tables["team"])[-1] is None


def test_derived_contact_dimensions_have_no_leeg_row(year_2024):
    tables = build_report(YEAR_2024)["tables"]
    assert codes(tables["caller_age_group"]) == ["minor", "adult", "unknown"]
    assert counted(tables["caller_age_group"]) == {"minor": 1, "adult": 1, "unknown": 2}
    assert codes(tables["caller_role"]) == ["victim", "perpetrator", "bystander", "unknown"]
    assert counted(tables["caller_role"]) == {"victim": 1, "perpetrator": 1, "unknown": 2}
    assert codes(tables["caller_relation_group"]) == [
        "self",
        "close_to_victim",
        "perpetrator_side",
        "work_leisure",
        "unknown",
    ]
    assert counted(tables["caller_relation_group"]) == {"self": 1, "perpetrator_side": 1, "unknown": 2}
    # Only the phone call and the chat have a time; the chat came in at night.
    assert counted(tables["within_opening_hours"]) == {"outside": 2, "unknown": 1, "within": 1}


def test_month_and_hour_follow_brussels_time(year_2024):
    tables = build_report(YEAR_2024)["tables"]
    assert counted(tables["month"]) == {"03": 1, "04": 1, "07": 1, "12": 1}
    assert counted(tables["hour"]) == {"23": 1, "00": 1, "10": 1, None: 1}
    assert codes(tables["hour"])[-1] is None
    assert counted(tables["month_x_channel"]) == {
        ("03", "phone"): 1,
        ("04", "chat"): 1,
        ("07", None): 1,
        ("12", "email"): 1,
    }
    assert tables["month_x_channel"]["total"] == 4
    assert tables["month_x_channel"]["rows"][0]["code"] == ["01", "phone"]


def test_per_person_tables_carry_leeg_and_the_contacts_without_person(year_2024):
    tables = build_report(YEAR_2024)["tables"]
    problem = tables["problem"]
    assert problem["unit"] == "person"
    # 4 reported persons + 1 contact without one.
    assert problem["total"] == 5
    assert counted(problem) == {
        "child_abuse": 1,
        "partner_violence": 1,
        "violence_against_adults": 1,
        None: 1,
        "without_person": 1,
    }
    assert problem["rows"][-2:] == [
        {"code": None, "label": "Leeg", "count": 1, "share": 20.0},
        {"code": "without_person", "label": "Meldingen zonder gemelde persoon", "count": 1, "share": 20.0},
    ]
    for key in ("context", "context_rollup", "person_age", "person_gender"):
        assert tables[key]["total"] == 5, key
        assert tables[key]["rows"][-1]["code"] == "without_person", key
        assert tables[key]["rows"][-1]["count"] == 1, key
    assert counted(tables["person_age"]) == {"7_12": 1, "60_plus": 1, None: 2, "without_person": 1}
    assert counted(tables["person_gender"]) == {"female": 1, "male": 1, None: 2, "without_person": 1}
    assert counted(tables["context"]) == {
        "school": 1,
        "nuclear_family": 1,
        "unknown": 1,
        None: 1,
        "without_person": 1,
    }
    assert codes(tables["context_rollup"]) == ["intrafamilial", "extrafamilial", "unknown", "without_person"]
    assert counted(tables["context_rollup"]) == {
        "intrafamilial": 1,
        "extrafamilial": 1,
        "unknown": 2,
        "without_person": 1,
    }


def test_retired_codes_appear_only_when_counted(year_2024):
    problem_codes = codes(build_report(YEAR_2024)["tables"]["problem"])
    # Retired before 2024 but counted: in the list's sort order.
    assert "violence_against_adults" in problem_codes
    assert problem_codes.index("violence_against_adults") < problem_codes.index("intrafamily_adult_violence")
    # Retired and not counted: absent.
    assert "honour_violence" not in problem_codes
    assert "ritual_violence" not in problem_codes
    assert "ritual_honour_violence" in problem_codes


def test_multi_valued_tables_count_persons_per_code_and_mentions_in_total(year_2024):
    tables = build_report(YEAR_2024)["tables"]
    forms = tables["violence_forms"]
    assert forms["total"] == 3
    assert counted(forms) == {"physical_violence": 2, "sexual_violence": 1}
    physical = next(r for r in forms["rows"] if r["code"] == "physical_violence")
    assert physical["share"] == share(2, 3) == 66.67
    assert physical["share_of_persons"] == share(2, 4) == 50.0
    assert None not in codes(forms)
    referrals = tables["referrals"]
    assert referrals["total"] == 2
    assert counted(referrals) == {"caw": 1, "police_justice": 1}
    assert codes(referrals)[0] == "police_justice"


def test_cross_of_contact_and_person_dimension_keeps_contacts_without_person(year_2024):
    tables = build_report(YEAR_2024, extra_crosses=[("channel", "problem")])["tables"]
    cross = tables["channel_x_problem"]
    assert cross["unit"] == "person"
    assert counted(cross) == {
        ("phone", "child_abuse"): 1,
        ("phone", "partner_violence"): 1,
        ("chat", "without_person"): 1,
        (None, None): 1,
        ("email", "violence_against_adults"): 1,
    }
    assert cross["total"] == 5


def test_cross_of_two_person_dimensions_counts_reported_persons_only(year_2024):
    cross = build_report(YEAR_2024)["tables"]["problem_x_person_age"]
    assert cross["total"] == 4
    assert counted(cross) == {
        ("child_abuse", "7_12"): 1,
        ("partner_violence", None): 1,
        (None, None): 1,
        ("violence_against_adults", "60_plus"): 1,
    }
    assert all("without_person" not in r["code"] for r in cross["rows"])


def test_required_cross_tables_are_present(year_2024):
    tables = build_report(YEAR_2024)["tables"]
    for key in (
        "month_x_channel",
        "month_x_caller_gender",
        "caller_age_group_x_channel",
        "caller_gender_x_channel",
        "problem_x_person_age",
        "within_opening_hours_x_channel",
    ):
        assert key in tables
    assert counted(tables["caller_age_group_x_channel"]) == {
        ("minor", "phone"): 1,
        ("adult", "chat"): 1,
        ("unknown", "email"): 1,
        ("unknown", None): 1,
    }
    assert counted(tables["within_opening_hours_x_channel"]) == {
        ("outside", "phone"): 1,
        ("outside", "chat"): 1,
        ("within", "email"): 1,
        ("unknown", None): 1,
    }


def test_team_filter_counts_only_that_team(year_2024):
    report = build_report(ReportFilter(date(2024, 1, 1), date(2024, 12, 31), ("antwerpen",)))
    assert report["team"] == "antwerpen"
    tables = report["tables"]
    assert [r["count"] for r in tables["totals"]["rows"]] == [2, 3, 0]
    assert codes(tables["team"]) == ["antwerpen"]
    assert counted(tables["problem"]) == {"child_abuse": 1, "partner_violence": 1, "violence_against_adults": 1}


def test_period_filter_uses_the_local_date(year_2024):
    march = build_report(ReportFilter(date(2024, 3, 1), date(2024, 3, 31)))["tables"]
    assert [r["count"] for r in march["totals"]["rows"]] == [1, 2, 0]
    assert codes(march["month"]) == ["03"]
    april = build_report(ReportFilter(date(2024, 4, 1), date(2024, 4, 30)))["tables"]
    assert [r["count"] for r in april["totals"]["rows"]] == [1, 0, 1]


def test_a_deleted_contact_leaves_the_figures(year_2024):
    tables = build_report(YEAR_2024)["tables"]
    assert "other" not in counted(tables["violence_forms"])
    assert counted(tables["month"]).get("05") is None


def test_range_report_adds_year_tables_with_the_comparable_series(db):
    before = ContactFactory(started_on=date(2020, 6, 1), caller_age="under_12", caller_relation="1100")
    ReportedPersonFactory(contact=before, problem="violence_against_adults")
    ReportedPersonFactory(contact=before, problem="honour_violence")
    after = ContactFactory(started_on=date(2022, 2, 1), caller_relation="1800")
    ReportedPersonFactory(contact=after, problem="intrafamily_adult_violence")
    ReportedPersonFactory(contact=after, problem="extrafamily_adult_violence")
    ReportedPersonFactory(contact=after, problem="ritual_honour_violence")
    ContactFactory(started_on=date(2021, 9, 1))

    report = build_report(parse_period("2020-2022"))
    tables = report["tables"]
    assert report["period"] == {"from": "2020-01-01", "to": "2022-12-31"}
    series = tables["year_x_problem_series"]
    assert series["series"] == "comparable"
    assert counted(series) == {
        ("2020", "violence_against_adults"): 1,
        ("2020", "ritual_honour_violence"): 1,
        ("2021", "without_person"): 1,
        ("2022", "violence_against_adults"): 2,
        ("2022", "ritual_honour_violence"): 1,
    }
    series_codes = {r["code"][1] for r in series["rows"]}
    assert "intrafamily_adult_violence" not in series_codes
    assert "honour_violence" not in series_codes
    assert counted(tables["problem_series"]) == {
        "violence_against_adults": 3,
        "ritual_honour_violence": 2,
        "without_person": 1,
    }
    assert counted(tables["year_x_totals"]) == {
        ("2020", "contacts"): 1,
        ("2020", "persons"): 2,
        ("2020", "person_rows"): 2,
        ("2021", "contacts"): 1,
        ("2021", "contacts_without_person"): 1,
        ("2021", "person_rows"): 1,
        ("2022", "contacts"): 1,
        ("2022", "persons"): 3,
        ("2022", "person_rows"): 3,
    }
    assert counted(tables["year_x_caller_role"]) == {
        ("2020", "victim"): 1,
        ("2021", "unknown"): 1,
        ("2022", "bystander"): 1,
    }
    assert counted(tables["year"]) == {"2020": 1, "2021": 1, "2022": 1}


@pytest.mark.parametrize(
    ("count", "total", "expected"),
    [(1, 8, 12.5), (1, 3, 33.33), (2, 3, 66.67), (1, 800, 0.13), (0, 0, 0.0), (6407, 11305, 56.67)],
)
def test_share_rounds_half_up_to_two_decimals(count, total, expected):
    assert share(count, total) == expected


@pytest.mark.parametrize("text", ["", "24", "2024-2020", "abcd", "2020-21"])
def test_parse_period_refuses_what_is_not_a_year_or_range(text):
    with pytest.raises(ValueError):
        parse_period(text)


def _make_contacts(n, day):
    for i in range(n):
        contact = ContactFactory(started_on=day, channel=["phone", "chat", "email"][i % 3])
        ReportedPersonFactory(contact=contact, problem="child_abuse", violence_forms=["other"], referrals=["caw"])


def test_a_whole_report_takes_a_constant_number_of_queries(db, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _make_contacts(2, date(2024, 2, 1))
    with CaptureQueriesContext(connection) as small:
        build_report(YEAR_2024)
    _make_contacts(30, date(2024, 6, 1))
    with django_assert_max_num_queries(len(small.captured_queries)):
        build_report(YEAR_2024)
    # On PostgreSQL the count includes recounting the changed months into the pre-aggregated counts.
    assert len(small.captured_queries) <= 60


@pytest.mark.postgres
def test_preaggregated_report_shows_a_new_registration_at_once(db, django_assert_max_num_queries):
    _make_contacts(3, date(2024, 2, 1))
    first = build_report(YEAR_2024)["tables"]
    assert first["totals"]["rows"][0]["count"] == 3
    # Nothing changed: the report is read from the pre-aggregated counts in a handful of queries.
    with django_assert_max_num_queries(8):
        build_report(YEAR_2024)
    contact = ContactFactory(started_on=date(2024, 2, 9), channel="chat", team=team("limburg"))
    ReportedPersonFactory(contact=contact, problem="stalking", violence_forms=["other"])
    after = build_report(YEAR_2024)["tables"]
    assert after["totals"]["rows"][0]["count"] == 4
    assert counted(after["problem"])["stalking"] == 1
    assert counted(after["channel"]) == {"phone": 1, "chat": 2, "email": 1}
    assert counted(after["violence_forms"]) == {"other": 4}
    contact.deleted_at = timezone.now()
    contact.save()
    assert build_report(YEAR_2024)["tables"]["totals"]["rows"][0]["count"] == 3
    limburg = build_report(ReportFilter(date(2024, 1, 1), date(2024, 12, 31), ("limburg",)))["tables"]
    assert limburg["totals"]["rows"][0]["count"] == 0


@pytest.mark.postgres
def test_preaggregated_report_follows_a_contact_moved_to_another_month_and_team(db):
    # The cube follows each change incrementally (reports.cube; more in tests/reports/test_cube.py).
    moved = ContactFactory(started_on=date(2024, 3, 20), team=team("antwerpen"))
    ContactFactory(started_on=date(2024, 3, 21), team=team("antwerpen"))
    assert counted(build_report(YEAR_2024)["tables"]["month"]) == {"03": 2}
    moved.started_on = date(2024, 4, 30)
    moved.team = team("limburg")
    moved.save()
    tables = build_report(YEAR_2024)["tables"]
    assert counted(tables["month"]) == {"03": 1, "04": 1}
    assert counted(tables["team_x_month"]) == {("antwerpen", "03"): 1, ("limburg", "04"): 1}
