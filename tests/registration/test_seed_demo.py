"""The demo years: exact headline counts and the 2024 annual report's shares (001_…)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count

from referrals.models import Referral
from registration.demo import demo_years_create
from registration.models import Code, Contact, ReportedPerson, ViolenceForm

MINOR = ["under_12", "12_17", "minor_unknown"]
ADULT = ["18_64", "65_plus", "adult_unknown"]


def counts(queryset, field) -> dict:
    """Rows per value of field, counted in the database (None is Leeg)."""
    return dict(queryset.values_list(field).annotate(n=Count("pk")).order_by())


def assert_within_one_point(actual: dict, expected: dict):
    for code, share in expected.items():
        assert abs(actual.get(code, 0) - share) <= 1, (code, actual.get(code, 0), share)


@pytest.fixture(scope="module")
def demo_2024(django_db_setup, django_db_blocker):
    """2024 and the small legacy year 2012, generated once for the module and rolled back after it.

    Each test runs in its own savepoint inside this transaction (as setUpTestData does), so the
    rows are never committed and no other test module sees them.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        demo_years_create([2012, 2024], seed=1712)
        yield
        transaction.set_rollback(True)


pytestmark = pytest.mark.django_db


def test_demo_2024_has_the_annual_reports_headline_counts(demo_2024):
    contacts = Contact.objects.in_year(2024)
    assert contacts.count() == 9594
    assert ReportedPerson.objects.filter(contact__in=contacts).count() == 13281
    assert not contacts.exclude(external_id__startswith="demo-2024-").exists()


def test_demo_2012_follows_from_the_2024_growth_and_has_contacts_without_a_person(demo_2024):
    contacts = Contact.objects.in_year(2012)
    persons = ReportedPerson.objects.filter(contact__in=contacts).count()
    assert (contacts.count(), persons) == (2552, 2163)
    # 001: "+276%" contacts and "+514%" reported persons in 2024 against 2012.
    assert round((9594 / contacts.count() - 1) * 100) == 276
    assert round((13281 / persons - 1) * 100) == 514
    without = contacts.annotate(n=Count("persons")).filter(n=0).count()
    assert without >= contacts.count() - persons
    # Legacy records: some have a date only, and then no hour and no opening-hours verdict.
    bare = contacts.filter(started_at__isnull=True)
    assert bare.exists()
    assert not bare.exclude(within_opening_hours="unknown").exists()
    assert not bare.exclude(started_hour__isnull=True).exists()


def test_demo_2024_contact_shares_match_the_annual_report(demo_2024):
    contacts = Contact.objects.in_year(2024)
    total = contacts.count()
    age = counts(contacts, "caller_age")
    groups = {
        "adult": sum(age.get(c, 0) for c in ADULT),
        "minor": sum(age.get(c, 0) for c in MINOR),
        "unknown": age.get("unknown", 0) + age.get(None, 0),
    }
    assert_within_one_point({k: v * 100 / total for k, v in groups.items()}, {"adult": 89, "minor": 9, "unknown": 2})
    gender = {k: v * 100 / total for k, v in counts(contacts, "caller_gender").items()}
    assert_within_one_point(gender, {"female": 73, "male": 26, "nonbinary_other": 0.5, "unknown": 1.4})
    anonymous = {k: v * 100 / total for k, v in counts(contacts, "anonymous").items()}
    assert_within_one_point(anonymous, {"yes": 47, "no": 25, "unknown": 28})
    channel = {k: v * 100 / total for k, v in counts(contacts, "channel").items()}
    assert_within_one_point(channel, {"phone": 60, "chat": 27, "email": 13})
    adults = contacts.filter(caller_age__in=ADULT)
    adult_channel = {k: v * 100 / adults.count() for k, v in counts(adults, "channel").items()}
    assert_within_one_point(adult_channel, {"phone": 65, "chat": 22, "email": 13})


def test_demo_2024_person_shares_match_the_annual_report(demo_2024):
    persons = ReportedPerson.objects.filter(contact__started_on__year=2024)
    total = persons.count()
    gender = {k: v * 100 / total for k, v in counts(persons, "gender").items()}
    assert_within_one_point(gender, {"female": 52, "male": 30, "unknown": 18, "nonbinary_other": 0.33})
    age = {k: v * 100 / total for k, v in counts(persons, "age").items()}
    assert_within_one_point(
        age,
        {"unborn": 0.35, "0_2": 6, "3_6": 13, "7_12": 20, "13_17": 15, "minor_unknown": 8,
         "18_59": 22, "60_plus": 5, "adult_unknown": 11, "unknown": 0.02},
    )  # fmt: skip
    problem = {k: v * 100 / total for k, v in counts(persons, "problem").items()}
    printed = {
        "child_abuse": 58.08, "partner_violence": 14.53, "extrafamily_adult_violence": 4.26,
        "divorce_problems": 3.77, "intrafamily_adult_violence": 3.74, "violence_between_minors": 3.63,
        "other_problem": 3.41, "parent_abuse": 2.12, "trauma_processing": 1.90, "elder_abuse": 1.88,
        "stalking": 1.19, "other_violence": 1.19, "institutional_abuse": 0.20,
        "homo_transphobic_violence": 0.05, "ritual_honour_violence": 0.02, "not_categorised": 0.02,
    }  # fmt: skip
    assert_within_one_point(problem, printed)
    # In the order printed: every one of the sixteen is there, largest first.
    assert all(problem.get(code, 0) > 0 for code in printed)
    rollup = dict(Code.objects.of_list("context").values_list("code", "rollup"))
    rolled = {"intrafamilial": 0.0, "extrafamilial": 0.0, "unknown": 0.0}
    for code, share in counts(persons, "context").items():
        rolled[rollup.get(code, "unknown")] += share * 100 / total
    assert_within_one_point(rolled, {"intrafamilial": 85, "extrafamilial": 11, "unknown": 4})


def test_demo_2024_violence_forms_and_referrals_match_the_shares_of_mentions(demo_2024):
    forms = ViolenceForm.objects.filter(person__contact__started_on__year=2024)
    mentions = forms.count()
    form_shares = {k: v * 100 / mentions for k, v in counts(forms, "code").items()}
    assert_within_one_point(
        form_shares,
        {"emotional_violence": 38, "physical_violence": 22, "sexual_violence": 11, "emotional_neglect": 9,
         "physical_neglect": 9, "economic_violence": 6, "other": 3, "unknown": 1},
    )  # fmt: skip
    per_person = forms.values("person").annotate(n=Count("pk")).values_list("n", flat=True)
    assert set(per_person) <= {1, 2, 3}
    referrals = Referral.objects.filter(person__contact__started_on__year=2024)
    referral_shares = {k: v * 100 / referrals.count() for k, v in counts(referrals, "code").items()}
    assert_within_one_point(
        referral_shares, {"police_justice": 26.18, "caw": 17.05, "education": 14.02, "medical_psychological": 11.81}
    )
    per_person = referrals.values("person").annotate(n=Count("pk")).values_list("n", flat=True)
    assert set(per_person) <= {1, 2}


def test_demo_codes_are_valid_on_each_contacts_date(demo_2024):
    problems = {c.code: c for c in Code.objects.of_list("problem")}
    rows = ReportedPerson.objects.exclude(problem__isnull=True).values_list("problem", "contact__started_on")
    invalid = {(code, day.year) for code, day in rows if not problems[code].is_valid_on(day)}
    assert invalid == set()
    # Legacy 2012 uses the old problem list, 2024 the new one.
    assert ReportedPerson.objects.filter(contact__started_on__year=2012, problem="violence_against_adults").exists()
    assert ReportedPerson.objects.filter(contact__started_on__year=2024, problem="stalking").exists()


def test_demo_spreads_over_teams_hours_and_includes_incomplete_and_empty_values(demo_2024):
    contacts = Contact.objects.in_year(2024)
    assert contacts.values("team").distinct().count() == 5
    hours = counts(contacts, "within_opening_hours")
    assert hours["within"] > hours["outside"] > 0
    phone_hours = counts(contacts.filter(channel="phone", started_at__isnull=False), "started_hour")
    assert sum(n for h, n in phone_hours.items() if 9 <= h < 18) / sum(phone_hours.values()) > 0.9
    incomplete = contacts.filter(status=Contact.Status.INCOMPLETE).count()
    assert 0 < incomplete < total_fraction(contacts, 0.05)
    assert contacts.filter(caller_relation__isnull=True).exists()
    assert contacts.filter(caller_region="unknown").exists()


def total_fraction(queryset, fraction):
    return queryset.count() * fraction


def test_command_refuses_a_database_with_demo_data_unless_flush(demo_2024):
    with pytest.raises(CommandError, match="--flush"):
        call_command("seed_demo", "--years", "2012", stdout=StringIO())


@pytest.mark.parametrize("external_id", [None, "legacy-2020-000123"])
def test_command_refuses_a_database_with_real_contacts_even_with_flush(demo_2024, external_id):
    from tests.factories import ContactFactory

    ContactFactory(external_id=external_id)
    with pytest.raises(CommandError, match="1 contact\\(s\\) that are not demo data"):
        call_command("seed_demo", "--years", "2012", "--flush", stdout=StringIO())
    assert Contact.objects.count() == 9594 + 2552 + 1


def test_command_flush_reloads_a_year_identically_and_prints_a_line_per_year(demo_2024):
    before = list(
        Contact.objects.in_year(2012).order_by("external_id").values_list("external_id", "channel", "caller_age")[:50]
    )
    out = StringIO()
    call_command("seed_demo", "--years", "2012", "--flush", stdout=out)
    assert "2012: 2552 contacts, 2163 reported persons" in out.getvalue()
    assert Contact.objects.count() == 2552
    after = list(
        Contact.objects.in_year(2012).order_by("external_id").values_list("external_id", "channel", "caller_age")[:50]
    )
    assert after == before


def test_command_checks_the_years_before_it_flushes_anything(demo_2024):
    with pytest.raises(CommandError, match="no demo figures for 2030"):
        call_command("seed_demo", "--years", "2030", "--flush", stdout=StringIO())
    with pytest.raises(CommandError, match="ends before it starts"):
        call_command("seed_demo", "--years", "2024-2012", "--flush", stdout=StringIO())
    assert Contact.objects.count() == 9594 + 2552


def test_demo_years_2012_to_2021_add_up_to_the_published_ten_year_totals():
    from registration.demo import YEAR_TOTALS

    # 000 2.b: "De afgelopen tien jaar ... 51.699 unieke oproepen over 66.069 gemelde personen"
    # (Parliament counts person rows: reported persons plus contacts without one).
    ten_years = [YEAR_TOTALS[year] for year in range(2012, 2022)]
    assert sum(contacts for contacts, _, _ in ten_years) == 51699
    assert sum(persons + without for _, persons, without in ten_years) == 66069
    # 001: 2024 against 2023 (+2% / +4%) and against 2012 (+276% / +514%).
    (c12, p12, _), (c23, p23, _), (c24, p24, _) = YEAR_TOTALS[2012], YEAR_TOTALS[2023], YEAR_TOTALS[2024]
    assert [round((c24 / c23 - 1) * 100), round((p24 / p23 - 1) * 100)] == [2, 4]
    assert [round((c24 / c12 - 1) * 100), round((p24 / p12 - 1) * 100)] == [276, 514]
