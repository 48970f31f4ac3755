"""The pre-aggregated counts (reports.cube) follow every change incrementally, in the change's own
transaction: after each kind of change the cube equals a live recount (counts and record-key
sums), and reading it recounts nothing (two queries, none of them on the registration tables)."""

import re
import threading
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from referrals.models import Referral
from registration.models import Contact, ReportedPerson, ViolenceForm
from reports import cube, tasks
from reports.models import CubeCount
from reports.selectors import ReportFilter, build_report, standard_groupings
from reports.selectors.counting import period_where
from tests.factories import ContactFactory, ReportedPersonFactory, team

BRUSSELS = ZoneInfo("Europe/Brussels")
FUNCTION = re.compile(r"FUNCTION (reports_cube_\w+)\(\) RETURNS \w+ LANGUAGE plpgsql .*?AS \$\$(.*)\$\$", re.S)
YEAR = ReportFilter(date(2024, 1, 1), date(2024, 12, 31))


def live(report_filter=YEAR, team_ids=None):
    """Every standard grouping counted from the registration tables."""
    where = period_where(report_filter, team_ids)
    return {g.key: g.count(where) for g in standard_groupings()}


def read_cube(report_filter=YEAR, team_ids=None, *, max_queries=2):
    """The cube as a report reads it, asserting the read recounts nothing."""
    with CaptureQueriesContext(connection) as read:
        counted = cube.counts(report_filter, team_ids, standard_groupings())
    assert len(read.captured_queries) <= max_queries
    touched = " ".join(q["sql"] for q in read.captured_queries)
    assert "registration_" not in touched and "referrals_" not in touched
    return counted


def assert_cube_is_live(report_filter=YEAR, team_ids=None):
    counted = read_cube(report_filter, team_ids)
    expected = live(report_filter, team_ids)
    for key, cells in expected.items():
        assert counted[key] == cells, key
    assert staged() == 0


def staged() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {cube.DELTA_TABLE}")
        return cursor.fetchone()[0]


@pytest.fixture
def registrations(db):
    """Contacts in three buckets and two teams, with persons, forms, referrals and one without a person."""
    antwerpen, limburg = team("antwerpen"), team("limburg")
    first = ContactFactory(
        team=antwerpen,
        channel="phone",
        started_at=datetime(2024, 3, 31, 23, 30, tzinfo=BRUSSELS),
        caller_relation="1100",
        caller_gender="female",
    )
    ReportedPersonFactory(contact=first, problem="stalking", age="0_5", violence_forms=["physical", "other"])
    ReportedPersonFactory(contact=first, problem="child_abuse", referrals=["police"])
    second = ContactFactory(team=limburg, channel="chat", started_on=date(2024, 6, 15), caller_relation="1200")
    ReportedPersonFactory(contact=second, gender="male", context="family", violence_forms=["sexual"])
    alone = ContactFactory(team=antwerpen, channel="email", started_on=date(2024, 6, 25))
    ContactFactory(team=None, channel="phone", started_on=date(2024, 11, 2))
    ContactFactory(team=antwerpen, channel="phone", started_on=date(2023, 12, 31))
    return {"first": first, "second": second, "alone": alone}


@pytest.mark.postgres
def test_the_cube_holds_the_registrations_as_they_are_saved(registrations):
    assert_cube_is_live()
    assert_cube_is_live(team_ids=[team("antwerpen").pk])
    assert_cube_is_live(ReportFilter(date(2023, 1, 1), date(2024, 12, 31)))


@pytest.mark.postgres
def test_an_edit_moves_its_counts_without_recounting(registrations):
    read_cube()
    first = registrations["first"]
    first.channel = "chat"
    first.caller_gender = "male"
    first.save()
    assert_cube_is_live()
    person = ReportedPerson.objects.filter(contact=first).first()
    person.problem = "partner_violence"
    person.age = None
    person.save()
    assert_cube_is_live()


@pytest.mark.postgres
def test_a_contact_moved_to_another_day_and_team_takes_its_persons_and_forms_along(registrations):
    first = registrations["first"]
    first.started_at = None
    first.started_on = date(2024, 9, 12)
    first.team = team("limburg")
    first.refresh_derived()
    first.save()
    assert_cube_is_live()
    limburg = read_cube(team_ids=[team("limburg").pk])
    assert {v for (v,) in limburg[("violence_forms", False, ("violence_forms",))]} == {"physical", "other", "sexual"}
    assert not read_cube(ReportFilter(date(2024, 3, 1), date(2024, 4, 30)))[("person", False, ("problem",))]


@pytest.mark.postgres
def test_a_soft_delete_and_its_undoing_leave_and_restore_every_count(registrations):
    first = registrations["first"]
    before = read_cube()
    Contact.objects.filter(pk=first.pk).update(deleted_at=timezone.now())
    assert_cube_is_live()
    assert build_report(YEAR)["tables"]["totals"]["rows"][0]["count"] == 3
    Contact.all_objects.filter(pk=first.pk).update(deleted_at=None)
    assert read_cube() == before


@pytest.mark.postgres
def test_a_person_added_or_removed_moves_the_contacts_without_a_person(registrations):
    alone = registrations["alone"]
    ReportedPersonFactory(contact=alone, problem="stalking", violence_forms=["other"], referrals=["police"])
    assert_cube_is_live()
    ReportedPerson.objects.filter(contact=registrations["second"]).delete()
    assert_cube_is_live()
    without = read_cube()[("contact", True, ("year",))]
    assert without[(2024,)][0] == 2  # the contact without a team, and `second` now


@pytest.mark.postgres
def test_a_form_removed_or_added_changes_only_its_own_cells(registrations):
    ViolenceForm.objects.filter(code="physical").delete()
    assert_cube_is_live()
    person = ReportedPerson.objects.get(contact=registrations["second"])
    ViolenceForm.objects.create(person=person, code="neglect")
    Referral.objects.create(person=person, code="police")
    Referral.objects.filter(person=person).update(code="other")
    assert_cube_is_live()


@pytest.mark.postgres
def test_a_changed_derived_field_moves_its_counts(registrations):
    # recompute_derived (code lists or opening hours changed) updates stored derived fields in bulk.
    Contact.objects.filter(caller_relation="1200").update(caller_role="perpetrator", within_opening_hours="outside")
    assert_cube_is_live()
    second = Contact.objects.get(pk=registrations["second"].pk)
    second.caller_relation = "1100"
    second.refresh_derived()
    second.save()
    assert_cube_is_live()


@pytest.mark.postgres
def test_a_hard_delete_takes_out_the_contact_its_persons_and_their_forms(registrations):
    registrations["first"].delete()
    assert_cube_is_live()


@pytest.mark.postgres
def test_a_bulk_insert_in_one_statement_is_counted_in_its_transaction(registrations):
    # An import (COPY or INSERT … SELECT) fires the same statement triggers as a save.
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO registration_contact (uuid, team_id, status, started_on, channel, caller_role,"
            " within_opening_hours, actions, created_at, updated_at, version, record_key)"
            " SELECT gen_random_uuid(), %s, 'complete', DATE '2024-01-01' + (g %% 300), "
            " (ARRAY['phone', 'chat', NULL])[1 + g %% 3], 'unknown', 'unknown', '[]', now(), now(), 1, g %% 256"
            " FROM generate_series(1, 400) g",
            [team("oost-vlaanderen").pk],
        )
        cursor.execute(
            "INSERT INTO registration_reportedperson (uuid, contact_id, position, record_key, problem)"
            " SELECT gen_random_uuid(), c.id, 0, mod(c.id * 7, 256), 'stalking'"
            " FROM registration_contact c WHERE mod(c.id, 2) = 0"
        )
        cursor.execute(
            "INSERT INTO registration_violenceform (person_id, code)"
            " SELECT r.id, 'physical' FROM registration_reportedperson r WHERE mod(r.id, 3) = 0"
            " ON CONFLICT DO NOTHING"
        )
    assert_cube_is_live()


@pytest.mark.postgres
def test_record_key_sums_equal_the_live_sums_mod_256(registrations):
    ReportedPersonFactory(contact=registrations["alone"], problem="stalking")
    counted = read_cube()
    contacts = Contact.objects.filter(started_on__year=2024)
    for (channel,), (n, key_sum) in counted[("contact", False, ("channel",))].items():
        rows = contacts.filter(channel=channel)
        assert n == rows.count()
        assert key_sum % 256 == sum(rows.values_list("record_key", flat=True)) % 256
    persons = ReportedPerson.objects.filter(contact__started_on__year=2024, problem="stalking")
    n, key_sum = counted[("person", False, ("problem",))][("stalking",)]
    assert (n, key_sum % 256) == (persons.count(), sum(p.record_key for p in persons) % 256)


@pytest.mark.postgres
def test_a_rolled_back_savepoint_leaves_no_delta(registrations):
    first = registrations["first"]
    try:
        with transaction.atomic():
            Contact.objects.filter(pk=first.pk).update(channel="email")
            read_cube()  # applied inside the savepoint …
            raise RuntimeError
    except RuntimeError:
        pass
    assert_cube_is_live()  # … and undone with it


@pytest.mark.postgres
def test_rebuild_gives_the_cells_the_deltas_gave(registrations):
    registrations["first"].delete()
    ViolenceForm.objects.filter(code="sexual").delete()
    cube.refresh()
    incremental = {
        (c.bucket, c.team_key, c.grouping, repr(c.values)): (c.count, c.key_sum)
        for c in CubeCount.objects.exclude(count=0)
    }
    assert cube.rebuild() == len(incremental)
    rebuilt = {
        (c.bucket, c.team_key, c.grouping, repr(c.values)): (c.count, c.key_sum) for c in CubeCount.objects.all()
    }
    assert rebuilt == incremental


@pytest.mark.postgres
def test_the_installed_triggers_are_the_ones_the_code_generates(db):
    """A change of the standard groupings needs a migration that runs cube.install again."""
    wanted = {}
    for statement in cube.install_sql():
        found = FUNCTION.search(statement)
        if found:
            wanted[found.group(1)] = found.group(2)
    with connection.cursor() as cursor:
        cursor.execute("SELECT proname, prosrc FROM pg_proc WHERE proname LIKE 'reports\\_cube\\_%%'")
        installed = dict(cursor.fetchall())
    assert len(wanted) == 3 * 4 + 2
    assert installed == wanted


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_of_the_same_cells_end_consistent_without_deadlock():
    antwerpen = team("antwerpen")
    day = date(2024, 5, 3)
    # Each thread swaps its two contacts between phone and chat in one transaction, in opposite
    # orders: both touch the same two cells, crosswise.
    pairs = [
        [ContactFactory(team=antwerpen, started_on=day, channel=c) for c in ("phone", "chat")],
        [ContactFactory(team=antwerpen, started_on=day, channel=c) for c in ("chat", "phone")],
    ]
    errors: list[BaseException] = []
    start = threading.Barrier(len(pairs))

    def swap(contacts):
        try:
            start.wait()
            for _ in range(15):
                with transaction.atomic():
                    for contact in contacts:
                        contact.channel = "chat" if contact.channel == "phone" else "phone"
                        contact.save()
                    ReportedPerson.objects.create(contact=contacts[0], problem="stalking")
        except BaseException as error:  # noqa: BLE001 - reported to the test below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=swap, args=(pair,)) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors
    assert_cube_is_live()
    channels = read_cube()[("contact", False, ("channel",))]
    assert {v: n for (v,), (n, _k) in channels.items()} == {"phone": 2, "chat": 2}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {cube.PENDING_TABLE}")
        assert cursor.fetchone()[0] == 0
    assert staged() == 0


@pytest.mark.postgres
def test_counts_loaded_past_the_triggers_are_found_and_rebuilt(registrations, capsys):
    read_cube()
    with connection.cursor() as cursor:
        # A restore with the triggers off: the cube does not hear of it.
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("UPDATE registration_contact SET channel = 'email' WHERE channel = 'phone'")
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")
    with pytest.raises(CommandError):
        call_command("rebuild_cube", "--check")
    assert "differ from a fresh count: 0" not in capsys.readouterr().out
    assert tasks.rebuild_cube() > 0
    assert_cube_is_live()
    call_command("rebuild_cube", "--check")
    assert "differ from a fresh count: 0" in capsys.readouterr().out


def test_only_postgresql_keeps_a_cube_and_only_for_whole_months(registrations, capsys):
    on_postgresql = connection.vendor == "postgresql"
    assert cube.enabled(YEAR) is on_postgresql
    assert not cube.enabled(ReportFilter(date(2024, 1, 1), date(2024, 6, 15)))
    assert build_report(YEAR)["tables"]["totals"]["rows"][0]["count"] == 4
    assert CubeCount.objects.exists() is on_postgresql
    if not on_postgresql:
        cube.refresh()
        assert cube.rebuild() == 0
        call_command("rebuild_cube")
        assert "count live" in capsys.readouterr().out
