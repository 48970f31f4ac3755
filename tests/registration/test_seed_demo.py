"""The demo years: exact headline counts and the 2024 annual report's shares (seed 001)."""

from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count

from referrals.models import Referral
from registration.demo import demo_years_create
from registration.models import HANDLING_CHOICES, Code, Contact, ReportedPerson, ViolenceForm
from tests import annual_report_2024 as published
from tests.annual_report_2024 import assert_shares_match


def counts(queryset, field) -> dict:
    """Rows per value of field, counted in the database (None is Leeg)."""
    return dict(queryset.values_list(field).annotate(n=Count("pk")).order_by())


def shares(queryset, field) -> dict:
    """Percent of the queryset's rows per value of field."""
    total = queryset.count()
    return {code: n * 100 / total for code, n in counts(queryset, field).items()}


def age_codes(list_name: str, group: str) -> list[str]:
    """The age codes of list_name that roll up into group (minor, adult, unknown): data."""
    return list(Code.objects.of_list(list_name).filter(rollup=group).values_list("code", flat=True))


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
    assert contacts.count() == published.CONTACTS
    assert ReportedPerson.objects.filter(contact__in=contacts).count() == published.PERSONS
    assert not contacts.exclude(external_id__startswith="demo-2024-").exists()


def test_demo_2012_follows_from_the_2024_growth_and_has_contacts_without_a_person(demo_2024):
    contacts = Contact.objects.in_year(2012)
    persons = ReportedPerson.objects.filter(contact__in=contacts).count()
    assert (contacts.count(), persons) == (2552, 2163)
    # 001: "276% toegenomen" contacts and "514%" reported persons in 2024 against 2012.
    assert round((published.CONTACTS / contacts.count() - 1) * 100) == 276
    assert round((published.PERSONS / persons - 1) * 100) == 514
    without = contacts.annotate(n=Count("persons")).filter(n=0).count()
    assert without == 420
    # Legacy records: some have a date only, and then no hour and no opening-hours verdict.
    bare = contacts.filter(started_at__isnull=True)
    assert bare.count() == 1167
    assert not bare.exclude(within_opening_hours="unknown").exists()
    assert not bare.exclude(started_hour__isnull=True).exists()


def test_demo_2024_contact_shares_match_the_annual_report(demo_2024):
    contacts = Contact.objects.in_year(2024)
    base = contacts.count()
    age = counts(contacts, "caller_age")
    groups = {group: sum(age.get(code, 0) for code in age_codes("caller_age", group)) for group in ("minor", "adult")}
    groups["unknown"] = base - groups["minor"] - groups["adult"]  # the unknown codes and Leeg
    assert_shares_match({k: n * 100 / base for k, n in groups.items()}, published.CALLER_AGE_GROUP, base=base)
    assert_shares_match(shares(contacts, "caller_gender"), published.CALLER_GENDER, base=base)
    assert_shares_match(shares(contacts, "anonymous"), published.ANONYMOUS, base=base)
    assert_shares_match(shares(contacts, "channel"), published.CHANNEL, base=base)
    for group, printed in (("adult", published.ADULT_CHANNEL), ("minor", published.MINOR_CHANNEL)):
        callers = contacts.filter(caller_age__in=age_codes("caller_age", group))
        assert_shares_match(shares(callers, "channel"), printed, base=callers.count())


def test_demo_2024_relation_groups_match_the_annual_reports_text(demo_2024):
    contacts = Contact.objects.in_year(2024)
    group_of = dict(Code.objects.of_list("caller_relation").values_list("code", "rollup"))
    per_group: Counter = Counter()
    for code, n in counts(contacts, "caller_relation").items():
        per_group[group_of.get(code) or "unknown"] += n * 100 / contacts.count()
    assert_shares_match(per_group, published.RELATION_GROUP, base=contacts.count())
    assert published.RELATION_CLOSE_TO_VICTIM_ABOVE < per_group["close_to_victim"] < 55
    assert 2.5 <= per_group["perpetrator_side"] < published.RELATION_PERPETRATOR_SIDE_BELOW


def test_demo_2024_person_shares_match_the_annual_report(demo_2024):
    persons = ReportedPerson.objects.filter(contact__started_on__year=2024)
    base = persons.count()
    assert_shares_match(shares(persons, "gender"), published.PERSON_GENDER, base=base)
    age = shares(persons, "age")
    assert_shares_match(age, published.PERSON_AGE, base=base)
    minors = sum(age.get(code, 0) for code in age_codes("person_age", "minor"))
    assert_shares_match({"minor": minors}, {"minor": published.PERSON_MINORS}, base=base)
    # The sixteen printed shares add up to 99,99 %: their base is the persons with a problem.
    coded = persons.exclude(problem__isnull=True)
    assert_shares_match(shares(coded, "problem"), published.PROBLEM, base=coded.count())
    rollup = dict(Code.objects.of_list("context").values_list("code", "rollup"))
    rolled: Counter = Counter()
    for code, n in counts(persons, "context").items():
        rolled[rollup.get(code, "unknown")] += n * 100 / base
    assert_shares_match(rolled, published.CONTEXT_ROLLUP, base=base)


def test_demo_2024_reports_child_abuse_about_minors(demo_2024):
    child_abuse = ReportedPerson.objects.filter(contact__started_on__year=2024, problem="child_abuse")
    minors = child_abuse.filter(age__in=age_codes("person_age", "minor")).count()
    adults = child_abuse.filter(age__in=age_codes("person_age", "adult")).count()
    # Kindermishandeling concerns minors; the few adults are the demo's noise (age_affinity).
    assert (minors, adults) == (7420, 281)


def test_demo_2024_violence_forms_and_referrals_match_the_shares_of_mentions(demo_2024):
    forms = ViolenceForm.objects.filter(person__contact__started_on__year=2024)
    assert_shares_match(shares(forms, "code"), published.VIOLENCE_FORMS, base=forms.count())
    per_person = forms.values("person").annotate(n=Count("pk")).values_list("n", flat=True)
    assert set(per_person) == {1, 2, 3}
    referrals = Referral.objects.filter(person__contact__started_on__year=2024)
    assert_shares_match(shares(referrals, "code"), published.REFERRALS, base=referrals.count())
    per_person = referrals.values("person").annotate(n=Count("pk")).values_list("n", flat=True)
    assert set(per_person) == {1, 2}


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
    assert contacts.filter(status=Contact.Status.INCOMPLETE).count() == 121
    assert contacts.filter(caller_relation__isnull=True).exists()
    assert contacts.filter(caller_region="unknown").exists()


def test_demo_handling_uses_only_the_values_each_field_allows(demo_2024):
    contacts = Contact.objects.in_year(2024).filter(status=Contact.Status.COMPLETE)
    for name, choices in HANDLING_CHOICES.items():
        assert set(counts(contacts, name)) == set(choices.values), name
    assert not Contact.objects.in_year(2024).filter(status=Contact.Status.INCOMPLETE, concerning__isnull=False).exists()


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

    # The generator's yearly totals are what is checked here; the published figures are these:
    # 000 2.b: "De afgelopen tien jaar ... 51.699 unieke oproepen over 66.069 gemelde personen"
    # (Parliament counts person rows: reported persons plus contacts without one).
    ten_years = [YEAR_TOTALS[year] for year in range(2012, 2022)]
    assert sum(contacts for contacts, _, _ in ten_years) == 51699
    assert sum(persons + without for _, persons, without in ten_years) == 66069
    # 001: 2024 against 2023 ("een stijging van 2% ... en 4%") and against 2012 ("276%", "514%").
    (c12, p12, _), (c23, p23, _), (c24, p24, _) = YEAR_TOTALS[2012], YEAR_TOTALS[2023], YEAR_TOTALS[2024]
    assert (c24, p24) == (published.CONTACTS, published.PERSONS)
    assert [round((c24 / c23 - 1) * 100), round((p24 / p23 - 1) * 100)] == [2, 4]
    assert [round((c24 / c12 - 1) * 100), round((p24 / p12 - 1) * 100)] == [276, 514]
