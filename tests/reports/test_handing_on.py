"""What a coordinator meets when handing the report on (issue 12, point 3): charts of unpublished
cells, the relation table's codes and groups, the English interface, XLSX and CSV, crosses from
the command line and the API, codes that were not valid, the two counts of "gemelde personen",
the unknown opening hours, and requests that cannot be answered.

The page tests log in as the team coordinator of Antwerpen, who sees exact figures (point 2),
so every expected figure here is counted by hand from the few contacts the fixture makes.
"""

import io
import json
import re
from datetime import date, datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from reports.charts import bar_chart, stacked_chart
from reports.display import cross_view, single_view
from tests.factories import ContactFactory, ReportedPersonFactory, team

BRUSSELS = ZoneInfo("Europe/Brussels")


@pytest.fixture
def eager_celery(monkeypatch):
    from reports.tasks import report_xlsx_export

    def run_here(*, kwargs, task_id):
        return report_xlsx_export.apply(kwargs=kwargs, task_id=task_id, throw=True)

    monkeypatch.setattr(report_xlsx_export, "apply_async", run_here)


@pytest.fixture
def antwerpen_2024(db):
    """Four contacts of Antwerpen in 2024, two in 2023 and one in 2012 (the first year)."""
    a = ContactFactory(
        team=team("antwerpen"), started_on=date(2024, 3, 4), channel="phone", caller_relation="4100", caller_age="18_64"
    )
    ReportedPersonFactory(contact=a, problem="child_abuse", referrals=["caw", "police_justice"])
    ContactFactory(
        team=team("antwerpen"),
        started_on=date(2024, 3, 5),
        channel="chat",
        caller_relation="5100",
        caller_age="under_12",
    )
    c = ContactFactory(team=team("antwerpen"), started_on=date(2024, 6, 1), channel="email", caller_relation="1100")
    ReportedPersonFactory(contact=c, problem="partner_violence", referrals=["caw"])
    # A time but no channel: within the opening hours or not cannot be told.
    ContactFactory(
        team=team("antwerpen"),
        started_at=datetime(2024, 5, 6, 10, 0, tzinfo=BRUSSELS),
        channel=None,
        caller_age="65_plus",
    )
    for day in (date(2023, 2, 1), date(2023, 9, 1)):
        ContactFactory(team=team("antwerpen"), started_on=day, channel="phone")
    ContactFactory(team=team("antwerpen"), started_on=date(2012, 5, 1), channel="phone")
    # Another team: never in the team coordinator's figures.
    ContactFactory(team=team("limburg"), started_on=date(2024, 3, 4), channel="phone")


def article(page: str, key: str) -> str:
    start = page.index(f'id="t-{key}"')
    return page[start : page.index("</article>", start)]


def page_of(client, **params) -> str:
    response = client.get(reverse("reports:report"), params)
    assert response.status_code == 200
    return response.content.decode()


# Charts -----------------------------------------------------------------------------------------


def rects(svg: str) -> list[dict]:
    return [{k: v for k, v in re.findall(r'(\w[\w-]*)="([^"]*)"', tag)} for tag in re.findall(r"<rect ([^>]*)/>", svg)]


def test_bars_scale_to_the_largest_drawn_figure_and_unpublished_cells_are_marked():
    table = {
        "unit": "contact",
        "total": None,
        "total_below_threshold": False,
        "rows": [
            {"code": "phone", "label": "Telefoon", "count": 50, "share": 80.0},
            {"code": "chat", "label": "Chat", "count": None, "below_threshold": True, "share": None},
            {"code": "email", "label": "E-mail", "count": None, "suppressed": True, "share": None},
        ],
    }
    with translation.override("nl-be"):
        view = single_view("channel", table, threshold=10)
        svg = bar_chart(view["rows"], "Kanaal")
    boxes = rects(svg)
    bars = [r for r in boxes if "stroke-dasharray" not in r]
    dashed = [r for r in boxes if "stroke-dasharray" in r]
    # The one drawn figure fills the bar area (260 units from x=250), whatever the dropped total.
    assert [(float(r["x"]), float(r["width"])) for r in bars] == [(250.0, 260.0)]
    # Two unpublished cells, each a dashed box, plus the legend's.
    assert len(dashed) == 3
    assert ">&lt; 10</text>" in svg
    assert ">–</text>" in svg
    assert "niet gepubliceerd (verborgen of onder de drempel)" in svg


def test_stacked_bars_never_run_past_the_chart_when_a_row_total_is_not_published():
    # Row "a" has 300 drawn and a hidden cell, so its own total is not published; row "b" adds up
    # to 40. Scaling to the published totals (40) drew row "a" 7.5 times too long.
    table = {
        "unit": "contact",
        "dimensions": ["month", "channel"],
        "total": 350,
        "rows": [
            {"code": ["01", "phone"], "label": ["januari", "Telefoon"], "count": 300},
            {"code": ["01", "chat"], "label": ["januari", "Chat"], "count": None, "below_threshold": True},
            {"code": ["02", "phone"], "label": ["februari", "Telefoon"], "count": 20},
            {"code": ["02", "chat"], "label": ["februari", "Chat"], "count": 20},
        ],
        "margins": {
            "rows": [{"code": "01", "count": None, "below_threshold": True}, {"code": "02", "count": 40}],
            "columns": [{"code": "phone", "count": 320}, {"code": "chat", "count": 25}],
        },
    }
    with translation.override("nl-be"):
        view = cross_view("month_x_channel", table, threshold=10)
        svg = stacked_chart(view, "Maand × Kanaal")
    width = float(re.search(r'viewBox="0 0 (\d+) ', svg).group(1))
    segments = [r for r in rects(svg) if "stroke-dasharray" not in r and r["width"] != "12"]
    assert all(float(r["x"]) + float(r["width"]) <= 210 + 400 for r in segments)
    assert max(float(r["x"]) + float(r["width"]) for r in segments) == 610.0
    # February: 20 + 20 of 300 drawn.
    assert sorted(float(r["width"]) for r in segments) == [26.7, 26.7, 400.0]
    assert all(float(r["x"]) + float(r.get("width", 0)) <= width for r in rects(svg))
    # The totals are the published cells, not sums of what is shown.
    assert [line["total"]["text"] for line in view["grid"]] == ["< 10", "40"]
    assert [c["total"]["text"] for c in view["columns"]] == ["320", "25"]


# The relation table -----------------------------------------------------------------------------


def test_relation_table_shows_codes_under_their_group_headings(antwerpen_2024, coordinator, login):
    relation = article(page_of(login(coordinator), year_from="2024"), "caller_relation")
    chart, relation = relation[: relation.index("<table")], relation[relation.index("<table") :]
    assert '<th scope="rowgroup" colspan="3">Cultuur</th>' in relation
    assert '<th scope="rowgroup" colspan="3">Sport</th>' in relation
    assert '<th scope="row">4100 kinderen en jongeren</th>' in relation
    assert '<th scope="row">5100 kinderen en jongeren</th>' in relation
    assert relation.index("Cultuur</th>") < relation.index("4100 kinderen") < relation.index("Sport</th>")
    assert relation.index("Sport</th>") < relation.index("5100 kinderen")
    # The chart names the codes as well.
    assert ">4100 kinderen en jongeren</tspan>" in chart


# The English interface --------------------------------------------------------------------------


def test_english_interface_has_english_labels_and_english_figures(antwerpen_2024, coordinator, login):
    client = login(coordinator)
    client.cookies["django_language"] = "en"
    page = page_of(client, year_from="2024")
    channel = article(page, "channel")
    # Code list labels from Code.label_en, derived labels through gettext.
    assert '<th scope="row">Phone</th>' in channel
    assert "Telefoon" not in channel
    assert '<th scope="row">Possible victim</th>' in article(page, "caller_role")
    assert '<th scope="row">Child abuse</th>' in article(page, "problem")
    # One contact of four, in the table and in the chart beside it.
    assert '<td class="num">1</td>\n          <td class="num">25.00%</td>' in channel
    assert ">1 (25.00%)</text>" in channel
    assert "25,00%" not in page
    # The total's share is not printed as a fixed 100%.
    assert '<td class="num">4</td><td></td></tr></tfoot>' in channel


def test_dutch_interface_writes_the_same_figures_the_dutch_way(antwerpen_2024, coordinator, login):
    channel = article(page_of(login(coordinator), year_from="2024"), "channel")
    assert '<td class="num">1</td>\n          <td class="num">25,00%</td>' in channel
    assert ">1 (25,00%)</text>" in channel


# XLSX -------------------------------------------------------------------------------------------


def rows_of(sheet) -> list[list]:
    return [[c.value for c in row] for row in sheet.iter_rows()]


def test_xlsx_speaks_the_interface_language_has_grids_the_chosen_cross_and_a_summary(
    eager_celery, antwerpen_2024, coordinator, login, django_capture_on_commit_callbacks
):
    client = login(coordinator)
    client.cookies["django_language"] = "en"
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(
            reverse("reports:export"), {"year_from": "2024", "cross_a": "problem", "cross_b": "caller_age_group"}
        )
    workbook = load_workbook(BytesIO(client.get(started["Location"] + "download/").content))

    channel = rows_of(workbook["channel"])
    assert channel[0] == ["Code", "Category", "Count", "Share"]
    # Counts stay numbers, shares are numbers shown as percentages.
    assert channel[1] == ["phone", "Phone", 1, 0.25]
    assert workbook["channel"]["D2"].number_format == "0.00%"
    assert channel[-1] == [None, "Total", 4, None]

    # The chosen cross, as a grid with its totals: a line per problem, a column per age group.
    cross = rows_of(workbook["problem_x_caller_age_group"])
    assert cross[0][1:] == ["Minor", "Adult", "Unknown", "Total"]
    lines = {row[0]: row[1:] for row in cross[1:]}
    assert lines["Child abuse"] == [0, 1, 0, 1]
    assert lines["Partner violence"] == [0, 0, 1, 1]
    assert lines["Reports without a reported person"] == [1, 1, 0, 2]
    assert lines["Total"] == [1, 2, 1, 4]

    summary = rows_of(workbook.worksheets[0])
    assert summary[1][:3] == ["Period", datetime(2024, 1, 1), datetime(2024, 12, 31)]
    assert summary[2][:2] == ["Team", "CAW Antwerpen"]
    contacts = next(row for row in summary if row[0] == "Contacts")
    # 4 contacts against 2 in 2023 (+100%) and 1 in 2012, the first year (+300%).
    assert contacts[1:4] == [4, 1.0, 3.0]
    evolution = summary[[row[0] for row in summary].index("Trend over the years") + 1 :]
    assert [row[:4] for row in evolution[:3]] == [[2012, 1, 0, "*"], [2023, 2, 0, None], [2024, 4, 2, None]]
    assert evolution[3][0] == "* In 2012 and 2013 the 1712 helpline used another registration system."


def test_xlsx_from_the_command_line_is_dutch_and_marks_codes_not_yet_recorded(antwerpen_2024, tmp_path):
    target = tmp_path / "range.xlsx"
    call_command("report", "2020-2024", "--format", "xlsx", "--output", str(target), stderr=io.StringIO())
    workbook = load_workbook(target)
    assert rows_of(workbook["channel"])[0][:3] == ["Code", "Categorie", "Aantal"]
    grid = rows_of(workbook["year_x_caller_age"])
    header = grid[0]
    plus = header.index("65 jaar of ouder")
    by_year = {row[0]: row for row in grid[1:]}
    # 65+ could not be registered before 2021: not 0 but n.v.t.; in 2024 one caller.
    assert by_year["2020"][plus] == "n.v.t."
    assert by_year["2024"][plus] == 1


# CSV is tested byte for byte in test_views.py and test_report_command.py.

# Crosses from the command line and the API --------------------------------------------------------


def run(*args) -> dict:
    out = io.StringIO()
    call_command("report", *args, stdout=out, stderr=io.StringIO())
    return json.loads(out.getvalue())


def nonzero(table) -> dict:
    return {tuple(r["code"]): r["count"] for r in table["rows"] if r["count"]}


EXPECTED_PROBLEM_X_AGE_GROUP = {
    ("child_abuse", "adult"): 1,  # caller 18-64
    ("partner_violence", "unknown"): 1,  # caller age empty
    ("without_person", "minor"): 1,  # caller under 12, nobody reported
    ("without_person", "adult"): 1,  # caller 65+, nobody reported
}


def test_the_command_line_adds_the_crosses_it_is_asked_for(antwerpen_2024):
    tables = run("2024", "--team", "antwerpen", "--cross", "problem,caller_age_group", "--cross", "channel,hour")[
        "tables"
    ]
    assert nonzero(tables["problem_x_caller_age_group"]) == EXPECTED_PROBLEM_X_AGE_GROUP
    assert nonzero(tables["channel_x_hour"]) == {
        ("phone", None): 1,
        ("chat", None): 1,
        ("email", None): 1,
        (None, "10"): 1,
    }


@pytest.mark.parametrize(
    ("cross", "message"),
    [
        ("problem,nonsense", "Onbekende dimensie 'nonsense'"),
        ("problem", "twee dimensies met een komma"),
        ("problem,problem", "Kies twee verschillende dimensies"),
    ],
)
def test_the_command_line_refuses_a_cross_it_cannot_make(db, cross, message):
    with pytest.raises(CommandError, match=message):
        run("2024", "--cross", cross)


def test_a_refused_cross_exits_non_zero_with_the_message_on_standard_error(db, capsys):
    from reports.management.commands.report import Command

    with pytest.raises(SystemExit) as exited:
        Command().run_from_argv(["manage.py", "report", "2024", "--cross", "problem,nonsense"])
    assert exited.value.code != 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "Onbekende dimensie 'nonsense'" in captured.err


def test_the_api_adds_the_crosses_it_is_asked_for(antwerpen_2024, coordinator, login):
    client = login(coordinator)
    response = client.get("/api/reports/2024/?cross=problem,caller_age_group&cross=channel,hour")
    assert response.status_code == 200
    tables = response.json()["tables"]
    assert nonzero(tables["problem_x_caller_age_group"]) == EXPECTED_PROBLEM_X_AGE_GROUP
    assert "channel_x_hour" in tables
    # The page links to the same report, its chosen cross included.
    page = client.get(reverse("reports:report"), {"year_from": "2024", "cross_a": "problem", "cross_b": "person_age"})
    assert page.context["api_url"] == "/api/reports/2024/?team=antwerpen&cross=problem%2Cperson_age"


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("cross=problem,nonsense", "cross", "Onbekende dimensie 'nonsense'"),
        ("cross=problem", "cross", "twee dimensies met een komma"),
        # A NUL is refused before the report code sees it (helpline/bad_bytes.py), never echoed.
        ("team=%00", "team", "tekens die niet bewaard kunnen worden"),
        ("team=gent", "team", "Onbekend team 'gent'"),
    ],
)
def test_the_api_answers_a_request_it_cannot_make_with_400(
    antwerpen_2024, flemish_coordinator, login, query, field, message
):
    response = login(flemish_coordinator).get(f"/api/reports/2024/?{query}")
    assert response.status_code == 400
    assert message in response.json()[field][0]


@pytest.mark.parametrize("period", ["9999", "2011", "2020-9999"])
def test_the_api_answers_an_impossible_year_with_400(db, flemish_coordinator, login, period):
    response = login(flemish_coordinator).get(f"/api/reports/{period}/")
    assert response.status_code == 400
    assert response.json()["period"] == [
        f"Er zijn cijfers van 2012 tot en met {timezone.localdate().year}; kies jaren daartussen."
    ]


def test_an_impossible_year_on_the_page_is_answered_next_to_its_field(db, coordinator, login):
    response = login(coordinator).get(reverse("reports:report"), {"year_from": "9999"})
    message = f"Kies een jaar van 2012 tot en met {timezone.localdate().year}."
    assert response.context["form"].errors["year_from"] == [message]
    assert f'<p class="field-error" id="id_year_from_error">{message}</p>' in response.content.decode()


# Codes not valid in a year ----------------------------------------------------------------------


@pytest.fixture
def around_the_switch(db):
    before = ContactFactory(team=team("antwerpen"), started_on=date(2020, 4, 1), caller_age="adult_unknown")
    ReportedPersonFactory(contact=before, problem="violence_against_adults")
    after = ContactFactory(team=team("antwerpen"), started_on=date(2021, 9, 1), caller_age="65_plus")
    ReportedPersonFactory(contact=after, problem="stalking")


def by_code(table) -> dict:
    return {tuple(r["code"]) if isinstance(r["code"], list) else r["code"]: r for r in table["rows"]}


def test_the_json_keeps_count_0_and_says_which_codes_were_not_valid(around_the_switch):
    tables = run("2020-2021")["tables"]
    problems = by_code(tables["year_x_problem"])
    assert problems[("2020", "stalking")] == {
        "code": ["2020", "stalking"],
        "label": ["2020", "Stalking (belaging)"],
        "count": 0,
        "valid": False,
    }
    assert problems[("2021", "stalking")]["valid_from"] == "2021-07-01"
    assert problems[("2021", "violence_against_adults")]["valid_until"] == "2021-06-30"
    assert "valid" not in problems[("2020", "child_abuse")]
    ages = by_code(tables["year_x_caller_age"])
    # The old registration recorded adults as one group: 65+ from 2021 (reports/data/report_notes.json).
    assert ages[("2020", "65_plus")]["valid"] is False
    assert "valid" not in ages[("2021", "65_plus")] and "valid_from" not in ages[("2021", "65_plus")]
    one_year = by_code(run("2021")["tables"]["problem"])
    assert one_year["stalking"]["valid_from"] == "2021-07-01"
    assert one_year["violence_against_adults"]["valid_until"] == "2021-06-30"


def test_the_page_shows_n_v_t_and_the_start_date_of_a_new_code(around_the_switch, coordinator, login):
    client = login(coordinator)
    page = page_of(client, year_from="2020", year_to="2021")
    # Two years by twenty problems: the page turns the table, a line per problem, a column per year.
    series = article(page, "year_x_problem_series")
    assert (
        '<th scope="row">Stalking (belaging) (vanaf 1 juli 2021)</th>'
        '<td class="num not_applicable">n.v.t.</td><td class="num">1</td>'
    ) in series
    assert '<th scope="row">Kindermishandeling</th><td class="num">0</td><td class="num">0</td>' in series
    ages = article(page, "year_x_caller_age")
    assert (
        '<th scope="row">65 jaar of ouder</th><td class="num not_applicable">n.v.t.</td><td class="num">1</td>' in ages
    )
    assert ages.count("n.v.t.") == 1
    problem = article(page_of(client, year_from="2021"), "problem")
    assert '<th scope="row">Stalking (belaging) (vanaf 1 juli 2021)</th>' in problem
    assert '<th scope="row">Geweld tegen volwassenen (tot en met 30 juni 2021)</th>' in problem


def test_the_first_years_note_is_shown_under_the_evolution(antwerpen_2024, coordinator, login):
    response = login(coordinator).get(reverse("reports:report"), {"year_from": "2024"})
    page = response.content.decode()
    assert '<th scope="row">2012*</th>' in page
    assert "* In 2012 en 2013 hanteerde Hulplijn 1712 een ander registratiesysteem." in page
    assert response.context["evolution_notes"] == [
        {"years": [2012], "text": "In 2012 en 2013 hanteerde Hulplijn 1712 een ander registratiesysteem."}
    ]


# The two counts of "gemelde personen" -------------------------------------------------------------


def test_the_range_page_names_reported_persons_and_person_rows(around_the_switch, coordinator, login):
    ContactFactory(team=team("antwerpen"), started_on=date(2021, 10, 1))  # a contact without a person
    page = page_of(login(coordinator), year_from="2020", year_to="2021")
    totals = article(page, "year_x_totals")
    assert ">Gemelde personen (personen)</th>" in totals
    assert ">Persoonsrijen (gemelde personen + contacten zonder gemelde persoon)</th>" in totals
    assert "zoals de parlementaire tabellen" in totals
    line_2021 = totals[totals.index('<th scope="row">2021</th>') :].split("</tr>")[0]
    # Contacts, reported persons, contacts without one, person rows.
    assert re.findall(r'<td class="num">(\d+)</td>', line_2021) == ["2", "1", "1", "2"]
    problem = article(page, "problem")
    assert "Totaal persoonsrijen (gemelde personen + contacten zonder gemelde persoon)</th>" in problem


# Within the opening hours -----------------------------------------------------------------------


def test_a_contact_with_a_time_but_no_channel_is_unknown_and_labelled_so(antwerpen_2024, coordinator, login):
    table = run("2024", "--team", "antwerpen")["tables"]["within_opening_hours"]
    unknown = by_code(table)["unknown"]
    assert unknown["label"] == "Onbekend (geen tijdstip of geen kanaal)"
    # Three contacts have a date only (no time), one a time but no channel.
    assert unknown["count"] == 4
    page = page_of(login(coordinator), year_from="2024")
    assert '<th scope="row">Onbekend (geen tijdstip of geen kanaal)</th>' in article(page, "within_opening_hours")
