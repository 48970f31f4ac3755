"""The report page's view of a report: sections, tables, charts and the evolution.

How a cell or a label reads is decided in reports.display, the charts in reports.charts.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .charts import bar_chart, stacked_chart
from .dimensions import DIMENSIONS
from .disclosure import table_note
from .display import cell, table_view, threshold_of, transposed
from .notes import evolution_notes
from .selectors.codes import code_groups

ANNUAL_SECTIONS = [
    ("contactnemers", _("Wie contacteert 1712?"), ["caller_age_group", "caller_age", "caller_gender", "anonymous"]),
    ("relatie", _("Relatie tot het slachtoffer"), ["caller_relation_group", "caller_role", "caller_relation"]),
    ("gemelde-personen", _("Gemelde personen"), ["person_gender", "person_age"]),
    ("problematiek", _("Belangrijkste problematiek"), ["problem", "problem_series"]),
    ("context", _("Context van het geweld"), ["context_rollup", "context"]),
    ("geweldsvormen", _("Vormen van geweld"), ["violence_forms"]),
    ("kanaal", _("Kanaal"), ["channel", "caller_age_group_x_channel", "caller_gender_x_channel"]),
    ("doorverwijzingen", _("Doorverwijzingen"), ["referrals"]),
]
PARLIAMENT_SECTIONS = [
    ("per-maand", _("Per maand"), ["month_x_channel", "month_x_caller_gender"]),
    (
        "tijdstip",
        _("Tijdstip en openingsuren"),
        ["hour_x_channel", "within_opening_hours", "within_opening_hours_x_channel"],
    ),
    ("teams", _("Teams en regio's"), ["team", "team_x_month", "caller_region"]),
]
RANGE_SECTION = (
    "meerjarig",
    _("Meerjarige vergelijking"),
    [
        "year_x_totals",
        "year_x_problem_series",
        "year_x_caller_age",
        "year_x_caller_age_group",
        "year_x_caller_role",
        "year_x_channel",
        "year_x_caller_gender",
    ],
)

UNIT_LABELS = {
    "contact": _("contacten"),
    "person": _("gemelde personen"),
    "mixed": _("aantallen"),
}


def table_title(key: str) -> str:
    if key == "year_x_totals":
        return str(_("Contacten en gemelde personen per jaar"))
    if "_x_" in key:
        first, second = key.split("_x_", 1)
        return f"{DIMENSIONS[first].title} × {DIMENSIONS[second].title}"
    return str(DIMENSIONS[key].title)


def present_table(key: str, table: dict, *, threshold: int | None = None) -> dict:
    """A table ready for the template: rows or a grid, a chart, the notes under it."""
    title = table_title(key)
    dim = DIMENSIONS.get(key)
    groups = code_groups(dim.code_list) if getattr(dim, "show_code", False) else None
    view = table_view(
        key, table, threshold=threshold or (table.get("suppression") or {}).get("threshold"), groups=groups
    )
    view.update(
        {
            "key": key,
            "title": title,
            "unit": table.get("unit", ""),
            "unit_label": UNIT_LABELS.get(table.get("unit", ""), ""),
            "note": (table.get("suppression") or {}).get("note")
            if (table.get("suppression") or {}).get("cells")
            else table_note(table),
            "series_note": table.get("note", ""),
        }
    )
    if view["kind"] == "single":
        view["chart"] = bar_chart(view["rows"], title)
        return view
    view["chart"] = "" if view["mixed"] else stacked_chart(view, title)
    if view["wide"] and len(view["columns"]) > len(view["grid"]):
        # The chart stacks by the first dimension; the table puts the longer one down the page.
        view = transposed(view)
    return view


def sections(tables: dict, *, is_range: bool, threshold: int | None = None) -> list[dict]:
    """The report's sections, in the order of the annual report and the parliamentary tables."""
    chosen = [*ANNUAL_SECTIONS, *PARLIAMENT_SECTIONS]
    if is_range:
        chosen.append(RANGE_SECTION)
    return [
        {
            "slug": slug,
            "title": title,
            "tables": [present_table(key, tables[key], threshold=threshold) for key in keys if key in tables],
        }
        for slug, title, keys in chosen
    ]


def headline(totals: dict, evolution: list[dict], year: int | None) -> dict:
    """Contacts and reported persons with the change against the previous and the first year."""
    counts = {row["code"]: row["count"] for row in totals["rows"]}
    result = {
        "contacts": counts["contacts"],
        "persons": counts["persons"],
        "without": counts["contacts_without_person"],
    }
    if year is None or not evolution:
        return result
    by_year = {row["year"]: row for row in evolution}
    first = evolution[0]
    previous = by_year.get(year - 1)

    def change(now: int | None, then: int | None):
        # A published figure below the threshold (None) has no change to show.
        if not then or now is None:
            return None
        return round((now - then) * 100 / then)

    if previous:
        result["previous_year"] = year - 1
        result["contacts_vs_previous"] = change(result["contacts"], previous["contacts"])
        result["persons_vs_previous"] = change(result["persons"], previous["persons"])
    if first["year"] < year:
        result["first_year"] = first["year"]
        result["contacts_vs_first"] = change(result["contacts"], first["contacts"])
        result["persons_vs_first"] = change(result["persons"], first["persons"])
    return result


def evolution_charts(evolution: list[dict], noted: set[int] = frozenset(), threshold: int | None = None) -> dict:
    """Bar charts of contacts and of reported persons per year; a year with a note under the evolution has a *."""

    def bars(field: str) -> list[dict]:
        return [
            {
                "code": row["year"],
                "label": f"{row['year']}{'*' if row['year'] in noted else ''}",
                "cell": cell({"count": row[field], "below_threshold": row.get(f"{field}_below_threshold")}, threshold),
            }
            for row in evolution
        ]

    contacts, persons = bars("contacts"), bars("persons")
    return {
        "contacts": bar_chart(contacts, str(_("Contacten per jaar"))),
        "persons": bar_chart(persons, str(_("Gemelde personen per jaar"))),
    }


def report_page(report: dict, report_filter, evolution: list[dict], cross: tuple[str, str] | None) -> dict:
    """What the report page shows of a report: headline, evolution, sections and the chosen cross."""
    tables = report["tables"]
    year = None if report_filter.is_range else report_filter.start.year
    shown = evolution
    if year is None:
        shown = [row for row in evolution if report_filter.start.year <= row["year"] <= report_filter.end.year]
    cross_key = f"{cross[0]}_x_{cross[1]}" if cross else None
    threshold = threshold_of(report)
    notes = evolution_notes(row["year"] for row in shown)
    return {
        "report": report,
        "filter": report_filter,
        "period_label": str(year) if year else f"{report_filter.start.year}–{report_filter.end.year}",
        "headline": headline(tables["totals"], evolution, year),
        "evolution": shown,
        "evolution_charts": evolution_charts(shown, {y for note in notes for y in note["years"]}, threshold)
        if shown
        else None,
        "evolution_notes": notes,
        "evolution_noted": {year for note in notes for year in note["years"]},
        "sections": sections(tables, is_range=report_filter.is_range, threshold=threshold),
        "cross_table": present_table(cross_key, tables[cross_key], threshold=threshold) if cross_key else None,
    }
