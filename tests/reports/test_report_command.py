import csv
import io
import json
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from tests.factories import ContactFactory, ReportedPersonFactory, team


@pytest.fixture
def contacts(db):
    first = ContactFactory(team=team("antwerpen"), started_on=date(2024, 2, 1), channel="phone")
    ReportedPersonFactory(contact=first, problem="child_abuse")
    ContactFactory(team=team("limburg"), started_on=date(2024, 2, 2), channel="chat")


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("report", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_report_json_goes_to_stdout_alone(contacts, audit_calls):
    out, err = run("2024", "--format", "json")
    report = json.loads(out)
    assert report["period"] == {"from": "2024-01-01", "to": "2024-12-31"}
    assert report["team"] is None
    assert report["tables"]["totals"]["rows"][0] == {"code": "contacts", "label": "Contacten", "count": 2}
    assert err == ""
    assert audit_calls == [
        {
            "actor": None,
            "action": "report",
            "via": "cli",
            "details": {"from": "2024-01-01", "to": "2024-12-31", "teams": None, "format": "json", "publish": False},
        }
    ]


def test_report_for_one_team(contacts):
    out, _ = run("2024", "--team", "limburg")
    report = json.loads(out)
    assert report["team"] == "limburg"
    assert report["tables"]["totals"]["rows"][0]["count"] == 1


def test_report_csv_has_a_row_per_table_row_in_the_dutch_style_by_default(contacts):
    out, _ = run("2024", "--format", "csv")
    assert out.startswith("\ufefftable;code;code_2;label;label_2;count;share;share_of_persons;total\r\n")
    rows = list(csv.reader(io.StringIO(out.removeprefix("\ufeff")), delimiter=";"))
    channel = {r[1]: (r[5], r[6]) for r in rows if r[0] == "channel"}
    assert channel == {"phone": ("1", "50,00"), "chat": ("1", "50,00"), "email": ("0", "0,00"), "": ("0", "0,00")}


def test_report_csv_in_english_has_commas_and_points(contacts):
    out, _ = run("2024", "--format", "csv", "--language", "en")
    assert out.startswith("\ufefftable,code,code_2,")
    rows = list(csv.reader(io.StringIO(out.removeprefix("\ufeff"))))
    assert [r[:7] for r in rows if r[0] == "channel"][0] == ["channel", "phone", "", "Phone", "", "1", "50.00"]


def test_report_json_keeps_its_dutch_labels_and_numbers(contacts):
    out, _ = run("2024", "--format", "json", "--language", "en")
    phone = json.loads(out)["tables"]["channel"]["rows"][0]
    assert phone == {"code": "phone", "label": "Telefoon", "count": 1, "share": 50.0}


def test_xlsx_needs_an_output_file(contacts):
    with pytest.raises(CommandError, match="--output"):
        run("2024", "--format", "xlsx")


def test_xlsx_has_a_sheet_per_table(contacts, tmp_path):
    target = tmp_path / "report.xlsx"
    out, err = run("2024", "--format", "xlsx", "--output", str(target))
    assert out == ""
    assert str(target) in err
    workbook = load_workbook(target)
    assert "channel" in workbook.sheetnames
    assert "month_x_channel" in workbook.sheetnames
    sheet = workbook["channel"]
    assert [c.value for c in sheet[1]][:4] == ["Code", "Categorie", "Aantal", "Aandeel"]
    assert [c.value for c in sheet[2]][:4] == ["phone", "Telefoon", 1, 0.5]


@pytest.mark.parametrize("period", ["24", "2024-2020", "twenty"])
def test_a_bad_period_is_a_clear_error(db, period):
    with pytest.raises(CommandError, match="Geef een jaar"):
        run(period)


@pytest.mark.parametrize("period", ["9999", "2011", "2020-9999"])
def test_a_year_without_registrations_is_a_clear_error(db, period):
    with pytest.raises(CommandError, match="Er zijn cijfers van 2012 tot en met"):
        run(period)


def test_an_unknown_team_is_a_clear_error(db):
    with pytest.raises(CommandError, match="Onbekend team 'gent'"):
        run("2024", "--team", "gent")


def test_publish_perturbs_crossed_tables_and_says_how(contacts):
    out, _ = run("2024", "--publish")
    report = json.loads(out)
    cross = report["tables"]["month_x_channel"]
    # One contact each, and empty cells: every cell is below the threshold (an empty one too).
    assert all(r["count"] is None and r["below_threshold"] for r in cross["rows"])
    assert {tuple(r["code"]) for r in cross["rows"]} >= {("02", "phone"), ("02", "chat")}
    assert report["disclosure"]["method"] == "cell_key_perturbation"
    assert "month_x_channel" in report["disclosure"]["tables"]
    # One-way tables of the whole of Flanders stay exact.
    assert report["tables"]["channel"]["rows"][0]["count"] == 1


def test_an_exact_report_says_disclosure_null(contacts):
    out, _ = run("2024")
    assert json.loads(out)["disclosure"] is None


def test_a_command_line_report_is_written_to_the_audit_trail(contacts, monkeypatch):
    from audit.models import AuditEvent

    monkeypatch.undo()  # use the real audit_event, not the recorder of conftest.py
    run("2024", "--team", "antwerpen")
    event = AuditEvent.objects.get(action="report")
    assert event.actor is None
    assert event.via == "cli"
    assert event.details["teams"] == ["antwerpen"]
    assert event.details["from"] == "2024-01-01"
