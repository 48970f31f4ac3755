"""The report page's view of a report: sections, tables and server-rendered SVG charts.

Charts are plain SVG with presentation attributes (no inline CSS, no script), so they pass
the content security policy and print as crisply as the text.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from .dimensions import DIMENSIONS
from .selectors.tables import TOTAL_LABELS
from .templatetags.report_format import count as format_count
from .templatetags.report_format import pct as format_pct

PALETTE = [
    "#0b5cad",
    "#e07b00",
    "#2a9d5c",
    "#b8336a",
    "#6c4fb3",
    "#8c6d1f",
    "#1f8fa3",
    "#c2452d",
    "#5b6475",
    "#9fbf2f",
    "#d45fb0",
    "#3d3d8f",
]
LEEG_COLOUR = "#b9bfca"

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


def bar_chart(rows: list[dict], title: str) -> str:
    """Horizontal bars, one per row, with the label and the count."""
    row_height, label_width, bar_width = 22, 270, 250
    top = max([r["count"] or 0 for r in rows] + [1])
    height = row_height * len(rows) + 4
    parts = [
        f'<svg class="chart" viewBox="0 0 660 {height}" width="100%" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, row in enumerate(rows):
        y = i * row_height + 2
        count = row["count"] or 0
        width = round(bar_width * count / top, 1)
        colour = LEEG_COLOUR if row["code"] is None or row["code"] == "without_person" else PALETTE[0]
        value = format_count(row["count"])
        if row.get("share") is not None:
            value += f" ({format_pct(row['share'])})"
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end" font-size="12" fill="#1d2433">'
            f"{escape(row['label'][:44])}</text>"
            f'<rect x="{label_width}" y="{y + 3}" width="{width}" height="{row_height - 6}" fill="{colour}"/>'
            f'<text x="{label_width + width + 5}" y="{y + 15}" font-size="12" fill="#1d2433">'
            f"{escape(value)}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every label is escaped above


def stacked_chart(grid: list[dict], columns: list[dict], title: str) -> str:
    """One stacked bar per row of a crossed table, a segment per column, and a legend."""
    row_height, label_width, bar_width = 22, 300, 560
    top = max([g["total"] or 0 for g in grid] + [1])
    legend_rows = (len(columns) + 4) // 5
    height = row_height * len(grid) + 8 + legend_rows * 18
    parts = [
        f'<svg class="chart" viewBox="0 0 960 {height}" width="100%" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, line in enumerate(grid):
        y = i * row_height + 2
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end" font-size="12" fill="#1d2433">'
            f"{escape(line['label'][:48])}</text>"
        )
        x = float(label_width)
        for j, count in enumerate(line["cells"]):
            if not count:
                continue
            width = round(bar_width * count / top, 1)
            parts.append(
                f'<rect x="{x}" y="{y + 3}" width="{width}" height="{row_height - 6}" fill="{columns[j]["colour"]}"/>'
            )
            x += width
        total = format_count(line["total"])
        parts.append(f'<text x="{x + 5}" y="{y + 15}" font-size="12" fill="#1d2433">{total}</text>')
    base = row_height * len(grid) + 10
    for j, column in enumerate(columns):
        lx, ly = 10 + (j % 5) * 190, base + (j // 5) * 18
        parts.append(
            f'<rect x="{lx}" y="{ly}" width="12" height="12" fill="{column["colour"]}"/>'
            f'<text x="{lx + 16}" y="{ly + 10}" font-size="11" fill="#1d2433">{escape(column["label"][:28])}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every label is escaped above


def present_table(key: str, table: dict) -> dict:
    """A table ready for the template: rows or a grid, a chart, the suppression note."""
    title = table_title(key)
    view = {
        "key": key,
        "title": title,
        "unit": table.get("unit", ""),
        "unit_label": UNIT_LABELS.get(table.get("unit", ""), ""),
        "total": table.get("total"),
        "note": (table.get("suppression") or {}).get("note") if (table.get("suppression") or {}).get("cells") else "",
        "series_note": table.get("note", ""),
    }
    if "dimensions" not in table:
        view["kind"] = "single"
        view["rows"] = table["rows"]
        view["multi"] = bool(table["rows"]) and "share_of_persons" in table["rows"][0]
        view["chart"] = bar_chart(table["rows"], title)
        return view
    first_codes: list = []
    second: dict = {}
    cells: dict = {}
    labels_first: dict = {}
    for row in table["rows"]:
        a, b = row["code"]
        if a not in labels_first:
            first_codes.append(a)
            labels_first[a] = row["label"][0] if "label" in row else str(a)
        if b not in second:
            label = row["label"][1] if "label" in row else TOTAL_LABELS.get(b, str(b))
            second[b] = str(label)
        cells[(a, b)] = row["count"]
    columns = [
        {"code": b, "label": label, "colour": LEEG_COLOUR if b is None else PALETTE[i % len(PALETTE)]}
        for i, (b, label) in enumerate(second.items())
    ]
    grid = []
    for a in first_codes:
        values = [cells.get((a, c["code"])) for c in columns]
        hidden = any(v is None for v in values)
        grid.append({"label": str(labels_first[a]), "cells": values, "total": None if hidden else sum(values)})
    for j, column in enumerate(columns):
        values = [line["cells"][j] for line in grid]
        column["total"] = None if any(v is None for v in values) else sum(values)
    view["kind"] = "cross"
    view["columns"] = columns
    view["grid"] = grid
    view["chart"] = "" if table.get("unit") == "mixed" else stacked_chart(grid, columns, title)
    return view


def sections(tables: dict, *, is_range: bool) -> list[dict]:
    """The report's sections, in the order of the annual report and the parliamentary tables."""
    chosen = [*ANNUAL_SECTIONS, *PARLIAMENT_SECTIONS]
    if is_range:
        chosen.append(RANGE_SECTION)
    return [
        {"slug": slug, "title": title, "tables": [present_table(key, tables[key]) for key in keys if key in tables]}
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

    def change(now: int, then: int | None):
        if not then:
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


def evolution_charts(evolution: list[dict]) -> dict:
    """Bar charts of contacts and of reported persons per year, over every year on record."""
    contacts = [{"code": row["year"], "label": str(row["year"]), "count": row["contacts"]} for row in evolution]
    persons = [{"code": row["year"], "label": str(row["year"]), "count": row["persons"]} for row in evolution]
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
    return {
        "report": report,
        "filter": report_filter,
        "period_label": str(year) if year else f"{report_filter.start.year}–{report_filter.end.year}",
        "headline": headline(tables["totals"], evolution, year),
        "evolution": shown,
        "evolution_charts": evolution_charts(shown) if shown else None,
        "sections": sections(tables, is_range=report_filter.is_range),
        "cross_table": present_table(cross_key, tables[cross_key]) if cross_key else None,
    }
