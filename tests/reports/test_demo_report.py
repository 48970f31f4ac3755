"""On the demo data, the 2024 report reads like the published 1712 annual report 2024 (seed 001)."""

import io
import json

import pytest
from django.core.management import call_command
from django.db import transaction

from registration.demo import demo_years_create

# Marked so pytest-django runs this module with the database tests, before any transactional
# test empties the tables that the data migration filled.
pytestmark = pytest.mark.django_db

# Quoted from the 1712 annual report 2024 (shared/seeds/001_…): shares in percent.
PUBLISHED_PROBLEM = {
    "child_abuse": 58.08,
    "partner_violence": 14.53,
    "extrafamily_adult_violence": 4.26,
    "divorce_problems": 3.77,
    "intrafamily_adult_violence": 3.74,
    "violence_between_minors": 3.63,
    "other_problem": 3.41,
    "parent_abuse": 2.12,
    "trauma_processing": 1.90,
    "elder_abuse": 1.88,
    "stalking": 1.19,
    "other_violence": 1.19,
    "institutional_abuse": 0.20,
    "homo_transphobic_violence": 0.05,
    "ritual_honour_violence": 0.02,
    "not_categorised": 0.02,
}
PUBLISHED_REFERRALS = {"police_justice": 26.18, "caw": 17.05, "education": 14.02, "medical_psychological": 11.81}
PUBLISHED_VIOLENCE_FORMS = {
    "emotional_violence": 38,
    "physical_violence": 22,
    "sexual_violence": 11,
    "emotional_neglect": 9,
    "physical_neglect": 9,
    "economic_violence": 6,
    "other": 3,
    "unknown": 1,
}
PUBLISHED_CALLER_AGE_GROUP = {"adult": 89, "minor": 9, "unknown": 2}
PUBLISHED_CALLER_GENDER = {"female": 73, "male": 26, "nonbinary_other": 0.5, "unknown": 1.4}
PUBLISHED_ANONYMOUS = {"yes": 47, "no": 25, "unknown": 28}
PUBLISHED_CONTEXT_ROLLUP = {"intrafamilial": 85, "extrafamilial": 11, "unknown": 4}
PUBLISHED_CHANNEL = {"phone": 60, "chat": 27, "email": 13}


@pytest.fixture(scope="module")
def report_2024(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        demo_years_create([2024], seed=1712)
        out = io.StringIO()
        call_command("report", "2024", "--format", "json", stdout=out, stderr=io.StringIO())
        yield json.loads(out.getvalue())["tables"]
        transaction.set_rollback(True)


def shares(table, *, of_codes_only=False):
    rows = [r for r in table["rows"] if not of_codes_only or r["code"] not in (None, "without_person")]
    total = sum(r["count"] for r in rows)
    return {r["code"]: r["count"] * 100 / total for r in rows}


def assert_within_one_point(actual, published):
    for code, share in published.items():
        assert abs(actual.get(code, 0) - share) <= 1, (code, round(actual.get(code, 0), 2), share)


def test_the_demo_2024_report_has_the_published_headline_counts(report_2024):
    totals = {row["code"]: row["count"] for row in report_2024["totals"]["rows"]}
    assert totals["contacts"] == 9594
    assert totals["persons"] == 13281


def test_the_demo_2024_report_has_the_published_shares(report_2024):
    t = report_2024
    # The printed shares are of the persons with a coded problem; the report's own share column
    # also counts Leeg and contacts without a person, and stays within a point as well.
    assert_within_one_point(shares(t["problem"], of_codes_only=True), PUBLISHED_PROBLEM)
    assert_within_one_point({r["code"]: r["share"] for r in t["problem"]["rows"]}, PUBLISHED_PROBLEM)
    assert_within_one_point({r["code"]: r["share"] for r in t["referrals"]["rows"]}, PUBLISHED_REFERRALS)
    assert_within_one_point({r["code"]: r["share"] for r in t["violence_forms"]["rows"]}, PUBLISHED_VIOLENCE_FORMS)
    assert_within_one_point(shares(t["caller_age_group"]), PUBLISHED_CALLER_AGE_GROUP)
    assert_within_one_point(shares(t["caller_gender"], of_codes_only=True), PUBLISHED_CALLER_GENDER)
    assert_within_one_point(shares(t["anonymous"], of_codes_only=True), PUBLISHED_ANONYMOUS)
    assert_within_one_point(shares(t["context_rollup"], of_codes_only=True), PUBLISHED_CONTEXT_ROLLUP)
    assert_within_one_point(shares(t["channel"], of_codes_only=True), PUBLISHED_CHANNEL)
