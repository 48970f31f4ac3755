import json
from datetime import date
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from accounts.models import Role
from reports.exporters import safe_cell
from reports.selectors import ReportScope, report_scope_for
from reports.templatetags.report_format import count, pct, signed
from tests.factories import ContactFactory, ReportedPersonFactory, UserFactory, team


@pytest.fixture
def eager_celery(monkeypatch):
    """Run the export task in the request even when REDIS_URL points at a real broker."""
    from reports.tasks import report_xlsx_export

    def run_here(*, kwargs, task_id):
        return report_xlsx_export.apply(kwargs=kwargs, task_id=task_id, throw=True)

    monkeypatch.setattr(report_xlsx_export, "apply_async", run_here)


@pytest.fixture
def figures(db):
    antwerpen = ContactFactory(team=team("antwerpen"), started_on=date(2024, 3, 4), channel="phone")
    ReportedPersonFactory(contact=antwerpen, problem="child_abuse", age="7_12")
    ReportedPersonFactory(contact=antwerpen, problem="partner_violence", age="18_59")
    ContactFactory(team=team("limburg"), started_on=date(2024, 5, 6), channel="chat")
    ContactFactory(team=team("limburg"), started_on=date(2023, 5, 6), channel="chat")


@pytest.fixture
def coordinator_without_team(db):
    return UserFactory(username="coordinator_none", role=Role.TEAM_COORDINATOR, teams=[])


def test_scope_is_all_teams_for_the_flemish_coordinator(flemish_coordinator):
    assert report_scope_for(flemish_coordinator) == ReportScope(team_codes=None)


def test_scope_is_the_own_team_for_a_team_coordinator(coordinator):
    assert report_scope_for(coordinator) == ReportScope(team_codes=("antwerpen",))


def test_counsellors_administrators_and_coordinators_without_a_team_have_no_report_scope(
    counsellor, administrator, coordinator_without_team
):
    assert [report_scope_for(u) for u in (counsellor, administrator, coordinator_without_team)] == [None, None, None]


def test_flemish_coordinator_sees_every_section_with_charts_and_tables(figures, flemish_coordinator, login):
    response = login(flemish_coordinator).get(reverse("reports:report"), {"year_from": "2024"})
    assert response.status_code == 200
    page = response.content.decode()
    for anchor in (
        "kerncijfers",
        "contactnemers",
        "relatie",
        "gemelde-personen",
        "problematiek",
        "context",
        "geweldsvormen",
        "kanaal",
        "doorverwijzingen",
        "per-maand",
        "tijdstip",
        "teams",
    ):
        assert f'id="{anchor}"' in page
    assert "<svg" in page
    assert "Kindermishandeling" in page
    report = response.context["report"]
    assert report["tables"]["totals"]["rows"][0]["count"] == 2
    assert response.context["headline"]["contacts_vs_previous"] == 100


def test_team_coordinator_sees_only_the_own_team(figures, coordinator, login):
    client = login(coordinator)
    response = client.get(reverse("reports:report"), {"year_from": "2024"})
    assert response.status_code == 200
    assert response.context["report"]["team"] == "antwerpen"
    assert response.context["report"]["tables"]["totals"]["rows"][0]["count"] == 1


def test_team_coordinator_cannot_pick_another_team(figures, coordinator, login):
    response = login(coordinator).get(reverse("reports:report"), {"year_from": "2024", "team": "limburg"})
    assert response.status_code == 200
    assert "report" not in response.context
    assert response.context["form"].errors["team"] == [
        "Selecteer een geldige keuze. limburg is geen beschikbare keuze."
    ]


@pytest.mark.parametrize("user_fixture", ["counsellor", "administrator"])
def test_counsellors_and_administrators_cannot_open_reports(figures, login, request, user_fixture):
    response = login(request.getfixturevalue(user_fixture)).get(reverse("reports:report"))
    # The access gate refuses the role before the view's own scope check.
    assert response.status_code == 403


def test_a_team_coordinator_without_a_team_gets_no_report(figures, coordinator_without_team, login):
    client = login(coordinator_without_team)
    # The role passes the access gate; the view finds no scope and answers 404.
    assert client.get(reverse("reports:report")).status_code == 404
    assert client.get("/api/reports/2024/").status_code == 404


def test_a_backwards_period_is_an_error_next_to_the_field(figures, flemish_coordinator, login):
    response = login(flemish_coordinator).get(reverse("reports:report"), {"year_from": "2024", "year_to": "2020"})
    assert response.status_code == 200
    assert response.context["form"].errors["year_to"]
    assert 'value="2024" selected' in response.content.decode()


def test_crossed_table_chosen_in_the_page(figures, coordinator, login):
    # The team coordinator sees their own team's figures exactly.
    response = login(coordinator).get(
        reverse("reports:report"), {"year_from": "2024", "cross_a": "channel", "cross_b": "hour"}
    )
    cross = response.context["cross_table"]
    assert cross["key"] == "channel_x_hour"
    # Four channels by 25 hours: the table is turned, a line per hour and a column per channel.
    assert cross["transposed"]
    phone = next(column for column in cross["columns"] if column["label"] == "Telefoon")
    assert phone["total"] == {"state": "shown", "text": "1", "value": 1}


def test_the_flemish_coordinator_sees_the_team_table_perturbed_without_a_switch(figures, flemish_coordinator, login):
    # A leftover publish=1 in the address changes nothing: the role decides.
    response = login(flemish_coordinator).get(reverse("reports:report"), {"year_from": "2024", "publish": "1"})
    table = response.context["report"]["tables"]["team"]
    # One contact each in Antwerpen and Limburg, none elsewhere: every team is below the threshold.
    assert {row["code"]: (row["count"], row.get("below_threshold", False)) for row in table["rows"]} == {
        "noord-west-vlaanderen": (None, True),
        "oost-vlaanderen": (None, True),
        "antwerpen": (None, True),
        "limburg": (None, True),
        "oost-brabant": (None, True),
        None: (None, True),
    }
    assert response.context["report"]["disclosure"]["threshold"] == 10
    assert "publicatiemodus" in response.content.decode()


def test_csv_download_of_one_table_opens_in_a_belgian_excel(figures, flemish_coordinator, login):
    response = login(flemish_coordinator).get(reverse("reports:table-csv", args=["channel"]), {"year_from": "2024"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    # UTF-8 with a byte order mark, ';' between fields and a decimal comma.
    assert response.content.startswith(b"\xef\xbb\xbfcode;label;count;share\r\nphone;Telefoon;1;50,00\r\n")
    assert response.content.decode("utf-8-sig").splitlines()[2] == "chat;Chat;1;50,00"


def test_csv_download_in_english_has_commas_and_decimal_points(figures, flemish_coordinator, login):
    client = login(flemish_coordinator)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("reports:table-csv", args=["channel"]), {"year_from": "2024"})
    assert response.content.startswith(b"\xef\xbb\xbfcode,label,count,share\r\nphone,Phone,1,50.00\r\n")


def test_xlsx_export_runs_as_a_task_and_downloads(
    eager_celery, figures, flemish_coordinator, login, django_capture_on_commit_callbacks
):
    client = login(flemish_coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:export"), {"year_from": "2024"})
    assert response.status_code == 302
    status = client.get(response["Location"])
    assert status.status_code == 200
    assert status.context["state"]["status"] == "done"
    download = client.get(response["Location"] + "download/")
    assert download.status_code == 200
    workbook = load_workbook(BytesIO(download.content))
    assert "problem" in workbook.sheetnames
    assert workbook["channel"]["C2"].value == 1


def test_another_user_cannot_download_an_export(
    eager_celery, figures, flemish_coordinator, coordinator, login, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = login(flemish_coordinator).post(reverse("reports:export"), {"year_from": "2024"})
    location = response["Location"]
    client.logout()
    assert login(coordinator).get(location + "download/").status_code == 404


def test_cells_a_spreadsheet_would_read_as_a_formula_are_escaped():
    assert safe_cell("=SUM(A1)") == "'=SUM(A1)"
    assert safe_cell("+32") == "'+32"
    assert safe_cell("-1") == "'-1"
    assert safe_cell("@x") == "'@x"
    assert safe_cell("Leeg") == "Leeg"
    assert safe_cell(-1) == -1


def test_api_gives_the_report_json_without_caching(figures, flemish_coordinator, login):
    response = login(flemish_coordinator).get("/api/reports/2024/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    report = json.loads(response.content)
    assert report["period"] == {"from": "2024-01-01", "to": "2024-12-31"}
    assert report["tables"]["totals"]["rows"][0]["count"] == 2


def test_api_range_and_team(figures, flemish_coordinator, login):
    report = login(flemish_coordinator).get("/api/reports/2023-2024/?team=limburg").json()
    assert report["team"] == "limburg"
    # One Limburg contact in 2023: below the threshold for the Flemish coordinator (a one-team report).
    rows = {tuple(r["code"]): r for r in report["tables"]["year_x_totals"]["rows"]}
    assert rows[("2023", "contacts")] == {"code": ["2023", "contacts"], "count": None, "below_threshold": True}


def test_api_forces_the_team_coordinator_onto_the_own_team(figures, coordinator, login):
    client = login(coordinator)
    report = client.get("/api/reports/2024/").json()
    assert report["team"] == "antwerpen"
    assert client.get("/api/reports/2024/?team=limburg").status_code == 404


def test_api_refuses_a_bad_period(figures, flemish_coordinator, login):
    assert login(flemish_coordinator).get("/api/reports/20x4/").status_code == 400


def test_range_report_page_shows_the_multi_year_section(figures, flemish_coordinator, login):
    response = login(flemish_coordinator).get(reverse("reports:report"), {"year_from": "2023", "year_to": "2024"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="meerjarig"' in page
    totals = next(t for s in response.context["sections"] if s["slug"] == "meerjarig" for t in s["tables"])
    assert totals["key"] == "year_x_totals"
    assert [line["label"] for line in totals["grid"]] == ["2023", "2024"]
    assert totals["grid"][0]["cells"][0]["value"] == 1
    assert response.context["api_url"] == "/api/reports/2023-2024/"


def test_report_page_in_publication_mode_for_one_team(db, flemish_coordinator, login):
    for channel, n in (("phone", 7), ("chat", 2), ("email", 6)):
        for _ in range(n):
            ContactFactory(team=team("antwerpen"), started_on=date(2024, 5, 6), channel=channel)
    ContactFactory(team=team("limburg"), started_on=date(2024, 5, 6), channel="chat")
    response = login(flemish_coordinator).get(reverse("reports:report"), {"year_from": "2024", "team": "antwerpen"})
    assert response.status_code == 200
    report = response.context["report"]
    assert report["team"] == "antwerpen"
    channel = report["tables"]["channel"]
    # Phone 7, chat 2, e-mail 6 and Leeg 0 are each below the threshold; their total (15) is a
    # cell of its own and published as 15.
    assert [(row["code"], row["count"], row["share"]) for row in channel["rows"]] == [
        ("phone", None, None),
        ("chat", None, None),
        ("email", None, None),
        (None, None, None),
    ]
    assert channel["total"] == 15
    assert "&lt; 10" in response.content.decode()


def test_a_bad_cross_choice_is_announced_next_to_its_field(figures, flemish_coordinator, login):
    response = login(flemish_coordinator).get(
        reverse("reports:report"), {"year_from": "2024", "cross_a": "channel", "cross_b": "channel"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["cross_b"] == ["Kies twee verschillende dimensies."]
    page = response.content.decode()
    assert '<p class="field-error" id="id_cross_b_error">Kies twee verschillende dimensies.</p>' in page
    assert 'aria-describedby="id_cross_b_error"' in page
    # The report itself still shows, without the crossed table.
    assert response.context["report"]["tables"]["totals"]["rows"][0]["count"] == 2
    assert response.context["cross_table"] is None


def test_one_cross_dimension_alone_asks_for_the_other(figures, flemish_coordinator, login):
    response = login(flemish_coordinator).get(reverse("reports:report"), {"year_from": "2024", "cross_a": "channel"})
    assert response.context["form"].errors["cross_b"] == ["Kies twee dimensies om te kruisen."]


def test_figures_follow_the_active_language():
    with translation.override("nl-be"):
        assert [count(1234567), pct(100), pct(56.67), pct(None), signed(-5), signed(12)] == [
            "1.234.567",
            "100,00%",
            "56,67%",
            "–",
            "-5%",
            "+12%",
        ]
    with translation.override("en"):
        assert [count(1234567), pct(100), pct(0.5)] == ["1,234,567", "100.00%", "0.50%"]


def test_the_total_of_a_table_has_no_fixed_share_and_figures_are_written_the_dutch_way(
    figures, flemish_coordinator, login
):
    page = login(flemish_coordinator).get(reverse("reports:report"), {"year_from": "2024"}).content.decode()
    channel = page[page.index('id="t-channel"') :]
    channel = channel[: channel.index("</article>")]
    assert '<td class="num">2</td><td></td></tr></tfoot>' in channel
    assert "100,00%" not in channel
    assert '<td class="num">50,00%</td>' in channel
    # The chart beside it writes the figures as the table does.
    assert ">1 (50,00%)</text>" in channel


def test_the_page_export_button_exports_the_period_and_team_on_screen(
    eager_celery, figures, coordinator, login, django_capture_on_commit_callbacks
):
    import re

    client = login(coordinator)
    page = client.get(reverse("reports:report"), {"year_from": "2023", "year_to": "2024", "publish": "1"})
    form = re.search(
        rf'<form method="post" action="{reverse("reports:export")}">(.*?)</form>', page.content.decode(), re.S
    )
    posted = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form.group(1)))
    assert posted == {
        "csrfmiddlewaretoken": posted["csrfmiddlewaretoken"],
        "year_from": "2023",
        "year_to": "2024",
        "team": "antwerpen",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:export"), posted)
    state = client.get(response["Location"]).context["state"]
    assert state["status"] == "done"
    assert "2023-01-01-2024-12-31-antwerpen" in state["filename"]
