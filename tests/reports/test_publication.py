"""Who sees what (issue 12, point 2): exact for a team coordinator and the command line, the
publication rule for the Flemish coordinator (and `report --publish`): closed months only,
exact one-way tables of all teams, everything else perturbed."""

import io
import json
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from reports.models import CubeCount, PublicationCut
from reports.selectors import ReportFilter, build_report
from reports.selectors.publication import Publication
from tests.factories import ContactFactory, ReportedPersonFactory, team

# Counts chosen so that the published values are easy to work out by hand from the p-table
# (1–9 -> "< 10", else rounded to the nearest multiple of 5).
ANTWERPEN_MARCH_PHONE = 23
ANTWERPEN_MARCH_CHAT = 4
LIMBURG_MAY_PHONE = 12


def on(monkeypatch, day: date) -> None:
    """Move the publication rule's calendar to `day`."""
    monkeypatch.setattr("reports.selectors.publication.current_date", lambda: day)


@pytest.fixture
def figures(db):
    for _ in range(ANTWERPEN_MARCH_PHONE):
        contact = ContactFactory(team=team("antwerpen"), started_on=date(2024, 3, 4), channel="phone")
        ReportedPersonFactory(contact=contact, problem="child_abuse")
    for _ in range(ANTWERPEN_MARCH_CHAT):
        ContactFactory(team=team("antwerpen"), started_on=date(2024, 3, 5), channel="chat")
    for _ in range(LIMBURG_MAY_PHONE):
        ContactFactory(team=team("limburg"), started_on=date(2024, 5, 6), channel="phone")


def counts(table) -> dict:
    """{code: count, or "< 10" below the threshold} of the rows that do not show 0."""
    return {
        (tuple(r["code"]) if isinstance(r["code"], list) else r["code"]): (
            "< 10" if r.get("below_threshold") else r["count"]
        )
        for r in table["rows"]
        if r["count"] != 0
    }


def api(client, path):
    response = client.get(path)
    assert response.status_code == 200, response.content
    return response.json()


def run(*args) -> tuple[dict, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("report", *args, stdout=out, stderr=err)
    return json.loads(out.getvalue()), err.getvalue()


def test_the_flemish_coordinator_sees_exact_one_way_tables_of_all_teams(figures, flemish_coordinator, login):
    report = api(login(flemish_coordinator), "/api/reports/2024/")
    tables = report["tables"]
    assert counts(tables["totals"]) == {"contacts": 39, "persons": 23, "contacts_without_person": 16}
    assert counts(tables["channel"]) == {"phone": 35, "chat": 4}
    assert counts(tables["month"]) == {"03": 27, "05": 12}
    assert "perturbed" not in tables["channel"]


def test_the_flemish_coordinator_sees_crossed_and_per_team_tables_perturbed(figures, flemish_coordinator, login):
    report = api(login(flemish_coordinator), "/api/reports/2024/")
    tables = report["tables"]
    # 27 -> 25, 12 -> 10; the total 39 -> 40 is a cell of its own.
    # A team without contacts is below the threshold too: "< 10", not 0.
    assert counts(tables["team"]) == {
        "noord-west-vlaanderen": "< 10",
        "oost-vlaanderen": "< 10",
        "antwerpen": 25,
        "limburg": 10,
        "oost-brabant": "< 10",
        None: "< 10",
    }
    assert tables["team"]["total"] == 40
    # 23 -> 25, 4 -> "< 10", 12 -> 10, 0 -> "< 10".
    cells = counts(tables["month_x_channel"])
    assert [cells[c] for c in [("03", "phone"), ("03", "chat"), ("05", "phone"), ("05", "chat")]] == [
        25,
        "< 10",
        10,
        "< 10",
    ]
    assert set(cells.values()) == {25, 10, "< 10"}
    margins = tables["month_x_channel"]["margins"]
    assert {m["code"]: m["count"] for m in margins["rows"] if m["count"] is not None} == {"03": 25, "05": 10}
    assert {m["code"]: m["count"] for m in margins["columns"]}["phone"] == 35
    disclosure = report["disclosure"]
    assert {k: disclosure[k] for k in ("method", "ptable", "threshold")} == {
        "method": "cell_key_perturbation",
        "ptable": "ptable_10_5_rule",
        "threshold": 10,
    }
    assert {"team", "month_x_channel", "team_x_month", "problem_x_person_age"} <= set(disclosure["tables"])
    assert not {"totals", "channel", "problem", "month"} & set(disclosure["tables"])


def test_a_one_team_report_is_perturbed_in_every_table(figures, flemish_coordinator, login):
    report = api(login(flemish_coordinator), "/api/reports/2024/?team=limburg")
    tables = report["tables"]
    assert counts(tables["totals"]) == {"contacts": 10, "persons": "< 10", "contacts_without_person": 10}
    assert counts(tables["channel"]) == {"phone": 10, "chat": "< 10", "email": "< 10", None: "< 10"}
    assert tables["channel"]["rows"][0]["share"] == 100.0
    assert counts(tables["team"]) == {"limburg": 10}
    assert set(report["disclosure"]["tables"]) == set(tables)


def test_a_team_coordinator_sees_the_own_team_exactly(figures, coordinator, login):
    report = api(login(coordinator), "/api/reports/2024/")
    assert report["disclosure"] is None
    assert counts(report["tables"]["month_x_channel"]) == {("03", "phone"): 23, ("03", "chat"): 4}
    assert counts(report["tables"]["totals"]) == {"contacts": 27, "persons": 23, "contacts_without_person": 4}


def test_the_command_line_is_exact_unless_publish(figures):
    exact, _ = run("2024", "--team", "antwerpen")
    assert exact["disclosure"] is None
    assert counts(exact["tables"]["channel"]) == {"phone": 23, "chat": 4}
    published, _ = run("2024", "--team", "antwerpen", "--publish")
    assert counts(published["tables"]["channel"]) == {"phone": 25, "chat": "< 10", "email": "< 10", None: "< 10"}
    assert published["disclosure"]["threshold"] == 10


def test_the_command_line_with_publish_gives_the_flemish_coordinators_figures(figures, flemish_coordinator, login):
    published, _ = run("2024", "--team", "limburg", "--publish")
    assert published == api(login(flemish_coordinator), "/api/reports/2024/?team=limburg")


def test_the_same_cell_has_the_same_value_in_every_table(figures):
    tables = run("2024", "--team", "antwerpen", "--publish")[0]["tables"]
    # 27 contacts: the channel table's total, the totals' contacts, the month table's March.
    contacts = {r["code"]: r["count"] for r in tables["totals"]["rows"]}["contacts"]
    assert tables["channel"]["total"] == contacts == counts(tables["month"])["03"] == 25
    columns = {m["code"]: m for m in tables["month_x_channel"]["margins"]["columns"]}
    assert columns["phone"]["count"] == counts(tables["channel"])["phone"] == 25
    assert columns["chat"].get("below_threshold") is True
    rows = {m["code"]: m["count"] for m in tables["problem_x_person_age"]["margins"]["rows"]}
    assert rows["child_abuse"] == counts(tables["problem"])["child_abuse"] == 25


def test_only_closed_months_count_for_the_flemish_coordinator(figures, flemish_coordinator, login, monkeypatch):
    ContactFactory(team=team("antwerpen"), started_on=date(2024, 6, 3), channel="email")
    on(monkeypatch, date(2024, 6, 15))
    report = api(login(flemish_coordinator), "/api/reports/2024/")
    assert report["period"] == {"from": "2024-01-01", "to": "2024-05-31"}
    assert report["disclosure"]["closed_until"] == "2024-05-31"
    assert counts(report["tables"]["channel"]) == {"phone": 35, "chat": 4}
    # The command line without --publish reads the open month too.
    assert counts(run("2024")[0]["tables"]["channel"]) == {"phone": 35, "chat": 4, "email": 1}


def test_a_period_without_a_closed_month_is_refused_with_a_reason(figures, flemish_coordinator, login, monkeypatch):
    on(monkeypatch, date(2024, 1, 20))
    client = login(flemish_coordinator)
    response = client.get("/api/reports/2024/")
    assert response.status_code == 400
    assert response.json() == {
        "period": ["Deze periode heeft nog geen afgesloten maand; er zijn cijfers tot en met 31 december 2023."]
    }
    page = client.get(reverse("reports:report"), {"year_from": "2024"})
    assert "report" not in page.context
    assert page.context["form"].errors["year_from"] == [
        "Deze periode heeft nog geen afgesloten maand; er zijn cijfers tot en met 31 december 2023."
    ]
    with pytest.raises(CommandError, match="nog geen afgesloten maand"):
        run("2024", "--publish")


def test_the_page_says_the_period_was_cut_to_the_closed_months(figures, flemish_coordinator, login, monkeypatch):
    on(monkeypatch, date(2024, 6, 15))
    response = login(flemish_coordinator).get(reverse("reports:report"), {"year_from": "2024"})
    assert response.context["filter"].end == date(2024, 5, 31)
    assert "de cijfers lopen tot en met 31 mei 2024" in response.content.decode()


def test_registrations_after_the_months_cut_wait_for_next_month(figures, flemish_coordinator, login, monkeypatch):
    on(monkeypatch, date(2024, 6, 15))
    client = login(flemish_coordinator)
    before = api(client, "/api/reports/2024/?team=limburg")
    # Dated back into a closed month, registered after the cut: the same figures all month.
    for _ in range(3):
        ContactFactory(team=team("limburg"), started_on=date(2024, 5, 7), channel="phone")
    assert api(client, "/api/reports/2024/?team=limburg") == before
    assert PublicationCut.objects.get().month == date(2024, 6, 1)
    # Next month they count: 15 phone contacts -> 15.
    on(monkeypatch, date(2024, 7, 2))
    after = api(client, "/api/reports/2024/?team=limburg")
    assert counts(after["tables"]["channel"])["phone"] == 15


def test_the_evolution_of_one_team_is_perturbed_on_the_page(figures, flemish_coordinator, coordinator, login):
    page = login(flemish_coordinator).get(reverse("reports:report"), {"year_from": "2024", "team": "limburg"})
    assert [(row["year"], row["contacts"]) for row in page.context["evolution"]] == [(2024, 10)]
    assert page.context["headline"]["contacts"] == 10
    assert "publicatiemodus" in page.content.decode()


def test_the_evolution_of_all_teams_is_exact_on_the_page(figures, flemish_coordinator, login):
    page = login(flemish_coordinator).get(reverse("reports:report"), {"year_from": "2024"})
    assert [(row["year"], row["contacts"], row["persons"]) for row in page.context["evolution"]] == [(2024, 39, 23)]


def test_a_perturbed_table_says_so_under_it(figures, flemish_coordinator, login):
    page = login(flemish_coordinator).get(reverse("reports:report"), {"year_from": "2024", "team": "limburg"})
    html = page.content.decode()
    channel = html[html.index('id="t-channel"') :]
    channel = channel[: channel.index("</article>")]
    assert "kan enkele eenheden verschillen van de som van de rijen" in channel


@pytest.mark.postgres
def test_the_pre_aggregation_keeps_the_key_sums_of_its_counts(figures):
    publication = Publication(date(2025, 1, 15))
    antwerpen = ReportFilter(date(2024, 1, 1), date(2024, 12, 31), ("antwerpen",))
    from_cube = build_report(antwerpen, publication=publication)
    assert CubeCount.objects.filter(key_sum__gt=0).exists()
    assert from_cube == build_report(antwerpen, publication=publication, preaggregated=False)
    assert from_cube["tables"]["channel"]["total"] == 25
