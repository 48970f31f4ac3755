"""How a report's tables read on the page and in the XLSX: cells, labels and grids.

One place decides how a count shows, so the page, its charts and the workbook agree:

- a count shows as a number in the reader's language (3.453 / 3,453);
- a count not published shows as "–" (today's publication mode hides it) or as "< threshold"
  (a cell below the publication threshold); a chart leaves it out of the bars and marks it;
- a code that could not be recorded in the row's period shows as "n.v.t." instead of 0
  (the report JSON keeps count 0 and adds `valid: false`, see reports.selectors.tables);
- a code that starts or stops within the period says so after its label;
- codes of a list whose labels repeat across groups (the relation list) show with their code,
  under their group.
"""

from __future__ import annotations

from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .dimensions import DIMENSIONS, WITHOUT_PERSON
from .selectors.tables import TOTAL_LABELS
from .templatetags.report_format import HIDDEN
from .templatetags.report_format import count as format_count
from .templatetags.report_format import pct as format_pct

SHOWN, HIDDEN_CELL, BELOW, NOT_APPLICABLE = "shown", "hidden", "below", "not_applicable"

# The columns of the multi-year totals, named so the two counts of "gemelde personen" cannot be
# mistaken for each other: Parliament's tables count person rows (11.312 in 2021), the annual
# report counts reported persons (11.071).
YEAR_TOTAL_LABELS = {
    "contacts": gettext_lazy("Contacten"),
    "persons": gettext_lazy("Gemelde personen (personen)"),
    "contacts_without_person": gettext_lazy("Contacten zonder gemelde persoon"),
    "person_rows": gettext_lazy("Persoonsrijen (gemelde personen + contacten zonder gemelde persoon)"),
}
YEAR_TOTALS_NOTE = gettext_lazy(
    "Gemelde personen (personen) telt elke persoon over wie een contact ging, zoals het jaarrapport. "
    "Persoonsrijen telt daarbij elk contact zonder gemelde persoon, zoals de parlementaire tabellen "
    "'gemelde personen' tellen; de tabellen per gemelde persoon hebben dat totaal."
)
PERSON_TOTAL_LABEL = gettext_lazy("Totaal persoonsrijen (gemelde personen + contacten zonder gemelde persoon)")

# A cell below the publication threshold (reports.disclosure.published) carries this flag. Today's
# table-by-table suppression instead only drops the count (None): such a cell is hidden, and may
# hide a count above the threshold (secondary suppression), so it is not "< threshold".
BELOW_FLAGS = ("below_threshold",)


def threshold_of(report: dict) -> int | None:
    """The publication threshold a report was published with, if any."""
    for key in ("disclosure", "suppression"):
        value = (report.get(key) or {}).get("threshold")
        if value:
            return int(value)
    return None


def cell(row: dict, threshold: int | None = None) -> dict:
    """One count as shown: `text`, `state`, and `value`, the number a chart draws (None: not drawn)."""
    n = row.get("count")
    if row.get("valid") is False and not n:
        return {"state": NOT_APPLICABLE, "text": _("n.v.t."), "value": None}
    below = any(row.get(flag) for flag in BELOW_FLAGS)
    if n is None or below:
        limit = threshold or row.get("threshold")
        if below and limit:
            return {"state": BELOW, "text": f"< {format_count(limit)}", "value": None}
        return {"state": HIDDEN_CELL, "text": HIDDEN, "value": None}
    return {"state": SHOWN, "text": format_count(n), "value": n}


def total_cell(n: int | None, *, below: bool = False, threshold: int | None = None) -> dict:
    """A total as shown; a published total is a cell of its own and may be below the threshold."""
    if below:
        return cell({"count": n, "below_threshold": True}, threshold)
    if n is None:
        return {"state": HIDDEN_CELL, "text": HIDDEN, "value": None}
    return {"state": SHOWN, "text": format_count(n), "value": n}


def share_text(row: dict, key: str, state: str) -> str:
    if state == NOT_APPLICABLE:
        return ""
    if state != SHOWN:
        return HIDDEN
    return format_pct(row.get(key))


def _day(iso: str) -> str:
    return date_format(date.fromisoformat(iso), "j F Y")


def validity_note(row: dict) -> str:
    """ "vanaf 1 juli 2021" / "tot en met 30 juni 2021" for a code that starts or stops in the period."""
    parts = []
    if row.get("valid_from"):
        parts.append(_("vanaf %(day)s") % {"day": _day(row["valid_from"])})
    if row.get("valid_until"):
        parts.append(_("tot en met %(day)s") % {"day": _day(row["valid_until"])})
    return ", ".join(parts)


def code_label(key: str, code, label) -> str:
    """A row's label, with its code in front where the list's labels repeat across groups."""
    dim = DIMENSIONS.get(key)
    if getattr(dim, "show_code", False) and code not in (None, WITHOUT_PERSON):
        return f"{code} {label}"
    return str(label)


def _with_note(label: str, note: str) -> str:
    return f"{label} ({note})" if note else label


def single_view(key: str, table: dict, *, threshold: int | None = None, groups: dict | None = None) -> dict:
    """A one-dimensional table as rows to show, grouped under headings when `groups` names them."""
    multi = bool(table["rows"]) and "share_of_persons" in table["rows"][0]
    rows = []
    for row in table["rows"]:
        shown = cell(row, threshold)
        rows.append(
            {
                "code": row["code"],
                "label": _with_note(code_label(key, row["code"], row.get("label", "")), validity_note(row)),
                "cell": shown,
                "share": share_text(row, "share", shown["state"]),
                "share_of_persons": share_text(row, "share_of_persons", shown["state"]) if multi else "",
                "leeg": row["code"] is None or row["code"] == WITHOUT_PERSON,
                "group": (groups or {}).get(row["code"], ""),
            }
        )
    blocks: list[dict] = []
    for row in rows:
        if not blocks or (groups and row["group"] != blocks[-1]["title"]):
            blocks.append({"title": row["group"] if groups else "", "rows": []})
        blocks[-1]["rows"].append(row)
    person_rows = table.get("unit") == "person" and not multi and any(r["code"] == WITHOUT_PERSON for r in rows)
    if multi:
        total_label = _("Totaal vermeldingen")
    elif person_rows:
        total_label = str(PERSON_TOTAL_LABEL)
    else:
        total_label = _("Totaal")
    return {
        "kind": "single",
        "multi": multi,
        "rows": rows,
        "blocks": blocks,
        "grouped": bool(groups),
        "total": total_cell(table.get("total"), below=bool(table.get("total_below_threshold")), threshold=threshold),
        "total_label": total_label,
    }


def _header_note(cells: list[dict]) -> str:
    """A header's validity note when every cell of its line that could be recorded carries it."""
    notes = {validity_note(c) for c in cells if c.get("valid") is not False}
    return notes.pop() if len(notes) == 1 else ""


def cross_view(key: str, table: dict, *, threshold: int | None = None) -> dict:
    """A crossed table as a grid: a line per code of the first dimension, a column per code of the second."""
    first_key, second_key = (table.get("dimensions") or [None, None])[:2]
    mixed = table.get("unit") == "mixed"
    first_codes: list = []
    second_codes: list = []
    labels: dict = {}
    by_pair: dict = {}
    for row in table["rows"]:
        a, b = row["code"]
        names = row.get("label") or [None, None]
        if a not in labels.setdefault(0, {}):
            first_codes.append(a)
            labels[0][a] = code_label(first_key, a, names[0] if names[0] is not None else a)
        if b not in labels.setdefault(1, {}):
            second_codes.append(b)
            if mixed:
                labels[1][b] = str(YEAR_TOTAL_LABELS.get(b, TOTAL_LABELS.get(b, b)))
            else:
                labels[1][b] = code_label(second_key, b, names[1] if names[1] is not None else b)
        by_pair[(a, b)] = row
    columns = []
    for b in second_codes:
        line = [by_pair[(a, b)] for a in first_codes if (a, b) in by_pair]
        columns.append({"code": b, "label": _with_note(labels[1][b], _header_note(line))})
    # A published (perturbed) table carries its row and column totals, each a cell of its own;
    # an exact one adds up its cells.
    margins = (
        {side: {m["code"]: m for m in table["margins"][side]} for side in ("rows", "columns")}
        if ("margins" in table)
        else None
    )
    grid = []
    for a in first_codes:
        line = [by_pair.get((a, b), {"count": 0}) for b in second_codes]
        cells = [cell(row, threshold) for row in line]
        grid.append(
            {
                "code": a,
                "label": _with_note(labels[0][a], _header_note(line)),
                "cells": cells,
                "total": cell(margins["rows"][a], threshold) if margins else total_cell(_line_total(cells)),
            }
        )
    for j, column in enumerate(columns):
        if margins:
            column["total"] = cell(margins["columns"][column["code"]], threshold)
        else:
            column["total"] = total_cell(_line_total([line["cells"][j] for line in grid]))
    return {
        "kind": "cross",
        "mixed": mixed,
        "columns": columns,
        "grid": grid,
        "total": total_cell(table.get("total"), below=bool(table.get("total_below_threshold")), threshold=threshold),
        "wide": len(columns) > 7,
        "explanation": str(YEAR_TOTALS_NOTE) if key == "year_x_totals" else "",
    }


def transposed(view: dict) -> dict:
    """The grid turned a quarter: a line per column, a column per line (totals and all).

    A table much wider than long (the years × twenty problems of a range) reads, fits and prints
    better with the long dimension down the page, as Parliament's tables have it.
    """
    columns = [{"code": line["code"], "label": line["label"], "total": line["total"]} for line in view["grid"]]
    grid = [
        {
            "code": column["code"],
            "label": column["label"],
            "cells": [line["cells"][j] for line in view["grid"]],
            "total": column["total"],
        }
        for j, column in enumerate(view["columns"])
    ]
    return {**view, "columns": columns, "grid": grid, "wide": len(columns) > 7, "transposed": True}


def _line_total(cells: list[dict]) -> int | None:
    """A row's or column's total: the sum of its cells, unknown when one of them is not published."""
    if any(c["state"] in (HIDDEN_CELL, BELOW) for c in cells):
        return None
    return sum(c["value"] or 0 for c in cells)


def table_view(key: str, table: dict, *, threshold: int | None = None, groups: dict | None = None) -> dict:
    """A table as the page and the workbook show it."""
    if "dimensions" in table:
        return cross_view(key, table, threshold=threshold)
    return single_view(key, table, threshold=threshold, groups=groups)
