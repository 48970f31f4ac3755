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


def test_report_csv_has_a_row_per_table_row(contacts):
    out, _ = run("2024", "--format", "csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0][:3] == ["table", "code", "code_2"]
    channel = {r[1]: r[5] for r in rows if r[0] == "channel"}
    assert channel == {"phone": "1", "chat": "1", "email": "0", "": "0"}


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
    assert [c.value for c in sheet[1]][:3] == ["code", "label", "count"]
    assert [c.value for c in sheet[2]][:3] == ["phone", "Telefoon", 1]


@pytest.mark.parametrize("period", ["24", "2024-2020", "twenty"])
def test_a_bad_period_is_a_clear_error(db, period):
    with pytest.raises(CommandError, match="Not a year"):
        run(period)


def test_an_unknown_team_is_a_clear_error(db):
    with pytest.raises(CommandError, match="Unknown team"):
        run("2024", "--team", "gent")


def test_publish_hides_small_counts_in_crossed_tables(contacts):
    out, _ = run("2024", "--publish")
    report = json.loads(out)
    cross = report["tables"]["month_x_channel"]
    assert cross["suppression"]["threshold"] == 5
    hidden = [r for r in cross["rows"] if r.get("suppressed")]
    hidden_codes = {tuple(r["code"]) for r in hidden}
    assert {("02", "phone"), ("02", "chat")} <= hidden_codes
    assert all(r["count"] is None for r in hidden)
    assert cross["suppression"]["cells"] == len(hidden)
    # Single tables of the whole of Flanders are not suppressed.
    assert report["tables"]["channel"]["rows"][0]["count"] == 1


def test_a_command_line_report_is_written_to_the_audit_trail(contacts, monkeypatch):
    from audit.models import AuditEvent

    monkeypatch.undo()  # use the real audit_event, not the recorder of conftest.py
    run("2024", "--team", "antwerpen")
    event = AuditEvent.objects.get(action="report")
    assert event.actor is None
    assert event.via == "cli"
    assert event.details["teams"] == ["antwerpen"]
    assert event.details["from"] == "2024-01-01"
