"""On the demo data, the 2024 report reads like the published 1712 annual report 2024 (seed 001)."""

import io
import json

import pytest
from django.core.management import call_command
from django.db import transaction

from registration.demo import demo_years_create
from tests import annual_report_2024 as published
from tests.annual_report_2024 import assert_shares_match

# Marked so pytest-django runs this module with the database tests, before any transactional
# test empties the tables that the data migration filled.
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def report_2024(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        demo_years_create([2024], seed=1712)
        out = io.StringIO()
        call_command("report", "2024", "--format", "json", stdout=out, stderr=io.StringIO())
        yield json.loads(out.getvalue())["tables"]
        transaction.set_rollback(True)


def rows_of(table, *, of_codes_only=False) -> list[dict]:
    """The table's rows; of_codes_only leaves out Leeg and the contacts without a person."""
    return [r for r in table["rows"] if not of_codes_only or r["code"] not in (None, "without_person")]


def assert_table_matches(table, printed, *, of_codes_only=False):
    """The table's counts, as shares of its own rows, match the printed shares."""
    rows = rows_of(table, of_codes_only=of_codes_only)
    base = sum(r["count"] for r in rows)
    assert_shares_match({r["code"]: r["count"] * 100 / base for r in rows}, printed, base=base)


def assert_share_column_matches(table, printed, *, relative=0.0):
    """The report's own share column matches the printed shares."""
    base = sum(r["count"] for r in table["rows"])
    assert_shares_match({r["code"]: r["share"] for r in table["rows"]}, printed, base=base, relative=relative)


def test_the_demo_2024_report_has_the_published_headline_counts(report_2024):
    totals = {row["code"]: row["count"] for row in report_2024["totals"]["rows"]}
    assert (totals["contacts"], totals["persons"]) == (published.CONTACTS, published.PERSONS)


def test_the_demo_2024_report_has_the_published_contact_shares(report_2024):
    t = report_2024
    assert_table_matches(t["caller_age_group"], published.CALLER_AGE_GROUP)
    assert_table_matches(t["caller_gender"], published.CALLER_GENDER, of_codes_only=True)
    assert_table_matches(t["anonymous"], published.ANONYMOUS, of_codes_only=True)
    assert_table_matches(t["channel"], published.CHANNEL, of_codes_only=True)
    assert_table_matches(t["caller_relation_group"], published.RELATION_GROUP)


def test_the_demo_2024_report_has_the_published_person_shares(report_2024):
    t = report_2024
    # 001's sixteen problem shares add up to 99,99 %: their base is the persons with a problem.
    assert_table_matches(t["problem"], published.PROBLEM, of_codes_only=True)
    # The report's own share column divides by every row, Leeg and the 60 contacts without a
    # person included (13.341 against 13.268 coded persons): 0.55 % more, so 1 % of slack.
    assert_share_column_matches(t["problem"], published.PROBLEM, relative=0.01)
    assert_table_matches(t["context_rollup"], published.CONTEXT_ROLLUP, of_codes_only=True)
    assert_table_matches(t["person_gender"], published.PERSON_GENDER, of_codes_only=True)
    assert_table_matches(t["person_age"], published.PERSON_AGE, of_codes_only=True)


def test_the_demo_2024_report_has_the_published_shares_of_mentions(report_2024):
    assert_share_column_matches(report_2024["referrals"], published.REFERRALS)
    assert_share_column_matches(report_2024["violence_forms"], published.VIOLENCE_FORMS)
