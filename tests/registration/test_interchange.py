import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from registration.interchange import ImportFailed, import_lines
from registration.models import Contact, ContactText, ReportedPerson

pytestmark = pytest.mark.django_db


def line(**overrides):
    record = {
        "external_id": "legacy-2020-000123",
        "team": "oost-brabant",
        "channel": "phone",
        "started_at": "2020-03-14T10:32:00+01:00",
        "duration_minutes": 25,
        "caller_region": "vlaams-brabant-brussel",
        "caller_age": "18_64",
        "caller_gender": "female",
        "anonymous": "yes",
        "caller_relation": "1200",
        "persons": [
            {
                "gender": "female",
                "age": "7_12",
                "problem": "child_abuse",
                "violence_forms": ["emotional_violence", "physical_violence"],
                "context": "separated_nuclear_family",
                "referrals": ["caw"],
            }
        ],
    }
    record.update(overrides)
    return json.dumps(record)


def write(tmp_path, *lines, name="in.jsonl"):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_it_imports_a_good_file(tmp_path):
    path = write(
        tmp_path,
        line(),
        line(external_id="b", started_at="2019-05-02", channel=None, persons=[]),
        line(external_id="c", caller_relation="1100", persons=[{"gender": "male"}, {}]),
    )
    out = io.StringIO()
    call_command("import_contacts", str(path), stdout=out)
    assert "Imported 3 contact(s) with 3 reported person(s)" in out.getvalue()

    contact = Contact.objects.get(external_id="legacy-2020-000123")
    assert contact.team.code == "oost-brabant"
    assert contact.started_on.isoformat() == "2020-03-14"
    assert contact.started_hour == 10
    assert contact.caller_role == "bystander"
    # Saturday 14 March 2020: the line was closed.
    assert contact.within_opening_hours == "outside"
    person = contact.persons.get()
    assert sorted(person.violence_forms.values_list("code", flat=True)) == ["emotional_violence", "physical_violence"]
    assert list(person.referrals.values_list("code", flat=True)) == ["caw"]

    bare = Contact.objects.get(external_id="b")
    assert bare.started_at is None and bare.started_hour is None
    assert bare.channel is None and bare.within_opening_hours == "unknown"
    assert bare.persons.count() == 0
    victim = Contact.objects.get(external_id="c")
    assert victim.caller_role == "victim"
    assert list(victim.persons.values_list("gender", "problem")) == [("male", None), (None, None)]


def test_an_unknown_code_names_its_line_and_imports_nothing(tmp_path):
    path = write(tmp_path, line(), line(external_id="x", caller_age="toddler"), line(external_id="y"))
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_contacts", str(path), stderr=err)
    assert "regel 2" in err.getvalue() and "toddler" in err.getvalue()
    assert Contact.all_objects.count() == 0


def test_every_error_is_reported_with_its_line_number():
    lines = [
        line(external_id="a", started_at="2020-13-01"),
        "{not json",
        line(external_id="c", duration_minutes=-3),
        line(external_id="d", persons=[{"problem": "nonsense"}]),
        line(external_id="e", duration_minutes="25"),
    ]
    with pytest.raises(ImportFailed) as failed:
        import_lines(lines)
    errors = failed.value.errors
    assert [e.split(":")[0] for e in errors] == ["regel 1", "regel 2", "regel 3", "regel 4", "regel 5"]


def test_a_retired_code_is_judged_on_the_brussels_date():
    # 23:30 UTC on 30 June 2021 is already 1 July in Brussels: the old code has retired.
    late = line(
        external_id="late",
        started_at="2021-06-30T23:30:00+00:00",
        persons=[{"problem": "violence_against_adults"}],
    )
    with pytest.raises(ImportFailed, match="regel 1.*violence_against_adults.*2021-07-01"):
        import_lines([late])
    in_period = line(
        external_id="ok",
        started_at="2021-06-30T21:30:00+00:00",
        persons=[{"problem": "violence_against_adults"}],
    )
    import_lines([in_period])
    assert ReportedPerson.objects.get().problem == "violence_against_adults"
    new_code_too_early = line(external_id="early", started_at="2021-06-30", persons=[{"problem": "stalking"}])
    with pytest.raises(ImportFailed, match="stalking"):
        import_lines([new_code_too_early])


def test_a_repeated_external_id_in_one_file_names_both_lines():
    with pytest.raises(ImportFailed) as failed:
        import_lines([line(), line(external_id="other"), line()])
    assert failed.value.errors == ['regel 3: external_id "legacy-2020-000123" staat ook op regel 1']
    assert Contact.all_objects.count() == 0


def test_reimport_skips_what_exists_and_refuses_changed_content():
    first = import_lines([line(), line(external_id="two")])
    assert first.created == 2
    again = import_lines([line(), line(external_id="two"), line(external_id="three")])
    assert (again.created, again.skipped) == (1, 2)
    assert Contact.objects.count() == 3 and ReportedPerson.objects.count() == 3

    with pytest.raises(ImportFailed, match="regel 1.*--update"):
        import_lines([line(caller_age="12_17")])
    updated = import_lines([line(caller_age="12_17")], update=True)
    assert updated.updated == 1
    assert Contact.objects.get(external_id="legacy-2020-000123").caller_age == "12_17"
    assert Contact.objects.count() == 3 and ReportedPerson.objects.count() == 3


def test_export_then_import_into_an_empty_database_gives_the_same_registrations(tmp_path, django_db_blocker):
    lines = [
        line(),
        line(external_id="bare", started_at="2019-05-02", persons=[]),
        line(
            external_id="dst",
            started_at="2023-10-29T02:30:00+01:00",
            handling={"concerning": "yes", "actions": ["advise"]},
        ),
        line(external_id="follow", started_at="2020-03-15T09:00:00+01:00", follow_up_of="legacy-2020-000123"),
        line(external_id="blank", team=None, channel=None, caller_age=None, persons=[{}]),
    ]
    import_lines(lines)
    out = io.StringIO()
    call_command("export_contacts", stdout=out, stderr=io.StringIO())
    exported = out.getvalue().splitlines()
    assert len(exported) == 5
    by_id = {json.loads(x)["external_id"]: json.loads(x) for x in exported}
    assert by_id["bare"]["started_at"] == "2019-05-02"
    # The second 02:30 of the autumn clock change keeps its offset.
    assert by_id["dst"]["started_at"] == "2023-10-29T02:30:00+01:00"
    assert by_id["follow"]["follow_up_of"] == "legacy-2020-000123"

    Contact.all_objects.all().delete()
    import_lines(exported)
    out2 = io.StringIO()
    call_command("export_contacts", stdout=out2, stderr=io.StringIO())
    assert sorted(out2.getvalue().splitlines()) == sorted(exported)


def test_export_by_year_and_free_text_only_on_request():
    import_lines([line(), line(external_id="y2019", started_at="2019-05-02")])
    contact = Contact.objects.get(external_id="legacy-2020-000123")
    ContactText.objects.create(contact=contact, summary="Vader slaat kind")
    out = io.StringIO()
    call_command("export_contacts", "--year", "2020", stdout=out, stderr=io.StringIO())
    assert [json.loads(x)["external_id"] for x in out.getvalue().splitlines()] == ["legacy-2020-000123"]
    assert "Vader" not in out.getvalue()
    out = io.StringIO()
    call_command("export_contacts", "--year", "2020", "--include-text", stdout=out, stderr=io.StringIO())
    assert json.loads(out.getvalue())["summary"] == "Vader slaat kind"


def test_a_contact_registered_here_exports_its_uuid_as_external_id():
    from tests.factories import ContactFactory

    contact = ContactFactory(started_at=timezone.now())
    out = io.StringIO()
    call_command("export_contacts", stdout=out, stderr=io.StringIO())
    assert json.loads(out.getvalue())["external_id"] == str(contact.uuid)


def test_a_deleted_contact_is_neither_listed_nor_counted():
    import_lines([line(), line(external_id="gone")])
    Contact.objects.filter(external_id="gone").update(deleted_at=timezone.now())
    assert list(Contact.objects.values_list("external_id", flat=True)) == ["legacy-2020-000123"]
    assert ReportedPerson.objects.count() == 1
    assert Contact.all_objects.count() == 2


def test_reimporting_an_export_of_app_registrations_creates_no_duplicates():
    from tests.factories import ContactFactory, ReportedPersonFactory

    contact = ContactFactory(started_at=timezone.now(), caller_age="12_17")
    ReportedPersonFactory(contact=contact, problem="child_abuse", violence_forms=["sexual_violence"])
    out = io.StringIO()
    call_command("export_contacts", stdout=out, stderr=io.StringIO())
    result = import_lines(out.getvalue().splitlines())
    assert (result.created, result.skipped) == (0, 1)
    assert Contact.objects.count() == 1


@pytest.mark.postgres  # the row history triggers exist on PostgreSQL only
def test_a_bulk_import_is_one_audit_event_without_a_history_row_per_record(tmp_path):
    from django.apps import apps

    from audit.models import AuditEvent

    path = write(tmp_path, line(), line(external_id="two"), line(external_id="three"))
    call_command("import_contacts", str(path), stdout=io.StringIO())
    assert list(AuditEvent.objects.values_list("action", "via")) == [("import", "cli")]
    assert apps.get_model("audit", "ContactEvent").objects.count() == 0
    assert apps.get_model("audit", "ReportedPersonEvent").objects.count() == 0
    # A change made afterwards, outside a bulk load, keeps its history row.
    Contact.objects.filter(external_id="two").update(caller_age="12_17")
    assert apps.get_model("audit", "ContactEvent").objects.count() == 1


def test_a_file_with_a_byte_order_mark_and_windows_line_ends_imports(tmp_path):
    path = tmp_path / "windows.jsonl"
    path.write_bytes(("\ufeff" + line() + "\r\n" + line(external_id="two") + "\r\n").encode("utf-8"))
    call_command("import_contacts", str(path), stdout=io.StringIO())
    assert Contact.objects.count() == 2


def test_implausible_combinations_are_imported_and_listed_as_warnings(tmp_path):
    path = write(
        tmp_path,
        line(),  # Saturday 14 March 2020, by phone
        line(external_id="weekday", started_at="2020-03-16T10:00:00+01:00"),
        line(
            external_id="odd",
            started_at="2020-03-16T10:00:00+01:00",
            caller_age="under_12",
            caller_relation="1100",
            persons=[{"age": "7_12", "problem": "elder_abuse"}],
        ),
    )
    err = io.StringIO()
    call_command("import_contacts", str(path), stdout=io.StringIO(), stderr=err)
    assert Contact.objects.count() == 3
    assert err.getvalue().splitlines() == [
        "warning: regel 1: telefoon in het weekend",
        "warning: regel 3: persoon 1: ouderenmishandeling bij een minderjarige",
        "warning: regel 3: persoon 1: een minderjarige beller als slachtoffer van ouderenmishandeling",
    ]


def test_the_handling_record_takes_codes_or_booleans_and_refuses_other_values():
    import_lines([line(handling={"concerning": True, "manifest_safety_risk": False, "risk_level": "high"})])
    contact = Contact.objects.get()
    assert (contact.concerning, contact.manifest_safety_risk, contact.risk_level) == ("yes", "no", "high")
    with pytest.raises(ImportFailed, match="regel 1: handling.risk_level"):
        import_lines([line(external_id="x", handling={"risk_level": True})])


def test_follow_up_of_may_name_a_contact_already_here_by_external_id_or_uuid():
    from tests.factories import ContactFactory

    import_lines([line(external_id="first")])
    registered_here = ContactFactory()
    import_lines(
        [
            line(external_id="a", follow_up_of="first"),
            line(external_id="b", follow_up_of=str(registered_here.uuid)),
        ]
    )
    assert Contact.objects.get(external_id="a").follow_up_of.external_id == "first"
    assert Contact.objects.get(external_id="b").follow_up_of == registered_here
    with pytest.raises(ImportFailed, match='regel 2: follow_up_of "nobody"'):
        import_lines([line(external_id="c"), line(external_id="d", follow_up_of="nobody")])


def test_references_to_contacts_already_here_are_resolved_in_a_fixed_number_of_queries():
    import_lines([line(external_id="first")])
    with CaptureQueriesContext(connection) as one:
        import_lines([line(external_id="f", follow_up_of="first")])
    with CaptureQueriesContext(connection) as many:
        import_lines([line(external_id=f"f{i}", follow_up_of="first") for i in range(1, 31)])

    # Contacts are read at most three times: the existing external_ids, then the references
    # before and (SQLite, bulk_create) after the inserts; never once per line.
    def reads(captured):
        sqls = [q["sql"] for q in captured.captured_queries if q["sql"].lstrip().startswith("SELECT")]
        return [sql for sql in sqls if 'FROM "registration_contact"' in sql or "FROM registration_contact " in sql]

    assert 1 <= len(reads(many)) <= 3
    assert len(reads(many)) == len(reads(one))
    assert len(many.captured_queries) == len(one.captured_queries)
