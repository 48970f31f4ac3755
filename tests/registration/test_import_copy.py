"""The PostgreSQL import path (COPY, issue 13): what import_contacts promises, on a real database.

All or nothing, idempotent on external_id, new random record keys, one audit event and no
history row per record, the reports fresh afterwards, and a query count that does not grow
with the file. The SQLite path (bulk_create) is tested by test_interchange.py.
"""

import io
import json
from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from referrals.models import Referral
from registration.derivation import Schedule, within_opening_hours_for
from registration.interchange import ImportFailed, import_lines
from registration.interchange.copy import TABLES
from registration.models import Contact, ContactText, ReportedPerson, ViolenceForm

pytestmark = pytest.mark.django_db

BRUSSELS = ZoneInfo("Europe/Brussels")
TEAMS = ["oost-brabant", "antwerpen", "limburg"]


def record(i: int, **overrides) -> dict:
    day = date(2024, 1, 1) + timedelta(days=(i * 37) % 366)
    moment = datetime(day.year, day.month, day.day, (i * 7) % 24, (i * 13) % 60, tzinfo=BRUSSELS)
    data = {
        "external_id": f"copy-{i}",
        "team": TEAMS[i % 3],
        "channel": ["phone", "chat", "email"][i % 3],
        "started_at": moment.isoformat() if i % 5 else day.isoformat(),
        "duration_minutes": i % 50,
        "caller_age": "18_64",
        "caller_relation": ["1200", "1100"][i % 2],
        "persons": [
            {
                "gender": "female",
                "age": "7_12",
                "problem": "child_abuse",
                "violence_forms": ["emotional_violence", "physical_violence"][: i % 3],
                "referrals": ["caw"] if i % 2 else [],
            }
            for _ in range(i % 3)
        ],
    }
    if i % 4 == 0:
        data["summary"] = f"samenvatting {i}"
    data.update(overrides)
    return data


def lines(n: int, start: int = 0) -> list[str]:
    return [json.dumps(record(i)) for i in range(start, start + n)]


def stored() -> tuple[int, ...]:
    return (
        Contact.all_objects.count(),
        ReportedPerson.all_objects.count(),
        ViolenceForm.objects.count(),
        Referral.objects.count(),
        ContactText.objects.count(),
    )


def test_the_copy_columns_are_every_column_of_each_table():
    # A field added to a model must be added to the COPY too (or be given on purpose by its default).
    for model, columns in TABLES.items():
        own = {f.column for f in model._meta.concrete_fields}
        if model in (ViolenceForm, Referral):
            own.discard("id")  # the identity column's own default
        assert set(columns) == own, model
        assert len(columns) == len(set(columns))


@pytest.mark.postgres
def test_a_bad_line_in_the_middle_imports_nothing_and_is_named(tmp_path):
    good = lines(400)
    good[199] = json.dumps(record(199, caller_age="toddler"))
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(good) + "\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 error"):
        call_command("import_contacts", str(path), stdout=io.StringIO(), stderr=err)
    assert err.getvalue().startswith("regel 200:") and "toddler" in err.getvalue()
    assert stored() == (0, 0, 0, 0, 0)


@pytest.mark.parametrize(
    "bad",
    [
        {"summary": "nul \u0000 byte"},
        {"summary": "lone \ud800 surrogate"},
        {"external_id": "x\u0000y"},
        {"follow_up_of": "\udfff"},
    ],
)
def test_text_a_database_cannot_store_is_an_error_with_its_line(bad):
    text = json.dumps(record(1, **bad))  # json escapes them: \u0000, \ud800
    with pytest.raises(ImportFailed) as failed:
        import_lines([*lines(1, start=10), text])
    assert [e.split(":")[0] for e in failed.value.errors] == ["regel 2"]
    assert stored() == (0, 0, 0, 0, 0)


def test_the_fast_check_accepts_exactly_what_the_thorough_check_accepts():
    from registration.interchange.parse import Reference, _parse_checked, _parse_valid

    reference = Reference.load()
    good = [
        record(i, handling={"concerning": True, "risk_level": "high", "actions": ["advise"]}, follow_up_of="x")
        for i in range(12)
    ] + [record(1, persons=None), record(2, status="incomplete", team=None, channel=None)]
    for number, data in enumerate(good, start=1):
        text = json.dumps(data)
        assert _parse_valid(number, json.loads(text), reference) == _parse_checked(number, text, reference)[0]
        assert _parse_checked(number, text, reference)[1] == []
    bad = [
        {"external_id": " "},
        {"started_at": "2024-02-30"},
        {"team": ["limburg"]},
        {"duration_minutes": True},
        {"status": {}},
        {"handling": {"risk_level": True}},
        {"handling": {"concerning": ["yes"]}},
        {"handling": {"actions": "advise"}},
        {"persons": [{"violence_forms": ""}]},
        {"persons": [{"referrals": [1]}]},
        {"persons": [{"problem": "violence_against_adults"}]},  # retired on 30 June 2021
        {"caller_age": "toddler"},
        {"persons": ["x"]},
        {"summary": 3},
        {"follow_up_of": 3},
    ]
    for overrides in bad:
        text = json.dumps(record(5, **overrides))
        checked, errors = _parse_checked(5, text, reference)
        fast = _parse_valid(5, json.loads(text), reference)
        # Whatever the thorough check refuses, the fast one never accepts.
        assert (fast is None) == (checked is None), overrides
        assert checked is None and errors, overrides


@pytest.mark.postgres
def test_what_is_imported_is_what_the_file_says():
    data = lines(60)
    import_lines(data)
    assert Contact.objects.count() == 60
    schedule = Schedule.load()
    for contact in Contact.objects.order_by("external_id"):
        expected = record(int(contact.external_id.split("-")[1]))
        assert contact.team.code == expected["team"]
        assert contact.started_on.isoformat() == expected["started_at"][:10]
        assert contact.within_opening_hours == within_opening_hours_for(
            contact.channel, contact.started_at, hours=schedule
        )
        assert contact.started_hour == (contact.started_local.hour if contact.started_at else None)
        assert contact.caller_role == {"1200": "bystander", "1100": "victim"}[expected["caller_relation"]]
        people = list(contact.persons.order_by("position"))
        assert [p.position for p in people] == list(range(len(expected["persons"])))
        for person, wanted in zip(people, expected["persons"], strict=True):
            assert sorted(person.violence_forms.values_list("code", flat=True)) == sorted(wanted["violence_forms"])
            assert list(person.referrals.values_list("code", flat=True)) == wanted["referrals"]
        text = ContactText.objects.filter(contact=contact).first()
        assert (text.summary if text else None) == expected.get("summary")
    uuids = list(Contact.objects.values_list("uuid", flat=True)) + list(
        ReportedPerson.objects.values_list("uuid", flat=True)
    )
    assert len(set(uuids)) == len(uuids) and {u.version for u in uuids} == {4}
    # The ids reserved from the sequences are the sequences' own: the next save gets a fresh one.
    from tests.factories import ContactFactory

    assert ContactFactory().pk > Contact.all_objects.exclude(external_id=None).order_by("-pk").first().pk


@pytest.mark.postgres
def test_a_second_import_of_the_same_file_adds_nothing():
    data = lines(120)
    first = import_lines(data)
    before = stored()
    again = import_lines(data)
    assert (first.created, again.created, again.skipped) == (120, 0, 120)
    assert stored() == before


@pytest.mark.postgres
def test_follow_ups_in_the_file_and_already_here_are_linked():
    import_lines([json.dumps(record(1))])
    import_lines(
        [
            json.dumps(record(2, follow_up_of="copy-3")),  # later in the same file
            json.dumps(record(3, follow_up_of="copy-1")),  # already here
        ]
    )
    two, three = Contact.objects.get(external_id="copy-2"), Contact.objects.get(external_id="copy-3")
    assert two.follow_up_of == three
    assert three.follow_up_of.external_id == "copy-1"
    # --update replaces a contact: a follow-up in the file points at the new one.
    import_lines([json.dumps(record(3, caller_age="12_17")), json.dumps(record(4, follow_up_of="copy-3"))], update=True)
    assert Contact.objects.get(external_id="copy-4").follow_up_of.caller_age == "12_17"


@pytest.mark.postgres
def test_record_keys_are_new_and_random_never_from_the_file():
    data = [json.dumps({**record(i), "record_key": 7, "persons": [{"record_key": 7}] * 2}) for i in range(150)]
    import_lines(data)
    keys = list(Contact.objects.values_list("record_key", flat=True))
    person_keys = list(ReportedPerson.objects.values_list("record_key", flat=True))
    assert len(keys) == 150 and len(person_keys) == 300
    for found in (keys, person_keys):
        assert all(0 <= k <= 255 for k in found)
        # 150 draws from 256 values: the most common one comes up a handful of times, never 7 everywhere.
        assert Counter(found).most_common(1)[0][1] < 15
        assert len(set(found)) > 60
    # The export never writes it.
    out = io.StringIO()
    call_command("export_contacts", stdout=out, stderr=io.StringIO())
    assert "record_key" not in out.getvalue()


@pytest.mark.postgres
def test_an_import_is_one_audit_event_and_no_history_row_per_record(tmp_path):
    from audit.models import AuditEvent

    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines(40)) + "\n", encoding="utf-8")
    call_command("import_contacts", str(path), stdout=io.StringIO())
    assert list(AuditEvent.objects.values_list("action", "via")) == [("import", "cli")]
    assert AuditEvent.objects.get().details["created"] == 40
    for name in ("ContactEvent", "ReportedPersonEvent", "ViolenceFormEvent", "ReferralEvent", "ContactTextEvent"):
        assert apps.get_model("audit", name).objects.count() == 0, name
    # The skip ends with the import's transaction: a later change has its history row.
    Contact.objects.filter(external_id="copy-1").update(caller_age="12_17")
    assert apps.get_model("audit", "ContactEvent").objects.count() == 1
    call_command("verify_audit", stdout=io.StringIO(), stderr=io.StringIO())


def run_report(*args):
    out = io.StringIO()
    call_command("report", *args, "--format", "json", stdout=out, stderr=io.StringIO())
    return json.loads(out.getvalue())


@pytest.mark.postgres
def test_the_reports_count_what_was_just_imported():
    import_lines(lines(50))
    before = run_report("2024")  # builds the pre-aggregation of 2024
    assert before["tables"]["channel"]["total"] == 50
    import_lines(lines(150, start=50))
    after = run_report("2024")["tables"]
    assert after["channel"]["total"] == Contact.objects.filter(started_on__year=2024).count() == 200
    forms = ViolenceForm.objects.filter(person__contact__started_on__year=2024).count()
    assert after["violence_forms"]["total"] == forms
    team = Counter(Contact.objects.values_list("team__code", flat=True))
    assert run_report("2024", "--team", "limburg")["tables"]["channel"]["total"] == team["limburg"]


@pytest.mark.postgres
def test_the_number_of_queries_does_not_grow_with_the_file():
    with CaptureQueriesContext(connection) as small:
        import_lines(lines(5))
    with CaptureQueriesContext(connection) as large:
        import_lines(lines(300, start=5))
    assert Contact.objects.count() == 305
    assert len(large.captured_queries) == len(small.captured_queries)
    assert len(large.captured_queries) < 25
