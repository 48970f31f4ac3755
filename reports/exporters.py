"""Exporters: a report's tables as rows, rendered to CSV or XLSX at the edge."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from django.utils.translation import get_language, gettext

from . import disclosure
from .dimensions import DIMENSIONS
from .display import SHOWN, YEAR_TOTAL_LABELS, cell, cross_view, single_view, threshold_of
from .selectors.codes import code_groups

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """A cell a spreadsheet will not read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _code(value) -> str:
    return "" if value is None else str(value)


def table_header(table: dict) -> list[str]:
    if "dimensions" in table:
        first, second = table["dimensions"]
        header = [f"code_{first}", f"code_{second}", f"label_{first}", f"label_{second}", "count"]
    else:
        header = ["code", "label", "count"]
        if table["rows"] and "share" in table["rows"][0]:
            header.append("share")
        if table["rows"] and "share_of_persons" in table["rows"][0]:
            header.append("share_of_persons")
    return header


def table_rows(table: dict) -> Iterator[list]:
    """One list per row of a table, matching table_header."""
    crossed = "dimensions" in table
    for row in table["rows"]:
        if crossed:
            labels = row.get("label") or ["", ""]
            yield [_code(row["code"][0]), _code(row["code"][1]), labels[0], labels[1], row["count"]]
        else:
            out = [_code(row["code"]), row.get("label", ""), row["count"]]
            if "share" in row:
                out.append(row["share"])
            if "share_of_persons" in row:
                out.append(row["share_of_persons"])
            yield out


def report_rows(report: dict) -> Iterator[list]:
    """The whole report in long form: table, code, code_2, label, label_2, count, share, share_of_persons."""
    yield ["table", "code", "code_2", "label", "label_2", "count", "share", "share_of_persons", "total"]
    for name, table in report["tables"].items():
        for row in table["rows"]:
            code = row["code"]
            label = row.get("label", "")
            if isinstance(code, list):
                codes = [_code(code[0]), _code(code[1])]
                labels = list(label) if isinstance(label, list) else ["", ""]
            else:
                codes, labels = [_code(code), ""], [label, ""]
            yield [
                name,
                *codes,
                *labels,
                row["count"],
                row.get("share", ""),
                row.get("share_of_persons", ""),
                table.get("total", ""),
            ]


BOM = "\ufeff"


def csv_style() -> tuple[str, str]:
    """The separator and decimal mark of the active language.

    Dutch: ';' and a decimal comma, what a Belgian Excel opens with a double-click; English:
    ',' and a point. Either way UTF-8 with a byte order mark, so Excel reads the accents.
    """
    if (get_language() or "nl").startswith("en"):
        return ",", "."
    return ";", ","


def csv_value(value, decimal: str):
    if value is None:
        return ""
    if isinstance(value, float):
        # Shares have two decimals (domain.md); written with the language's decimal mark.
        return f"{value:.2f}".replace(".", decimal)
    return safe_cell(value)


def render_csv(rows: Iterable[list]) -> str:
    """Rows as CSV text in the active language's style, starting with a byte order mark."""
    delimiter, decimal = csv_style()
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow([csv_value(v, decimal) for v in row])
    return buffer.getvalue()


def table_csv(table: dict) -> str:
    return render_csv([table_header(table), *table_rows(table)])


def sheet_name(name: str, used: set[str]) -> str:
    base = name[:31]
    candidate, n = base, 2
    while candidate in used:
        suffix = f"~{n}"
        candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(candidate)
    return candidate


PERCENT = "0.00%"
CHANGE = "+0%;-0%;0%"
DAY = "DD/MM/YYYY"


class Sheet:
    """A write-only worksheet with the few cell styles the report needs (headers bold, numbers formatted)."""

    def __init__(self, workbook, name: str, widths: list[int]):
        from openpyxl.utils import get_column_letter

        self.sheet = workbook.create_sheet(name)
        for i, width in enumerate(widths, start=1):
            self.sheet.column_dimensions[get_column_letter(i)].width = width

    def cell(self, value, *, bold: bool = False, number_format: str | None = None, italic: bool = False):
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font

        # An empty text is an empty cell, not a cell holding "".
        cell = WriteOnlyCell(self.sheet, value=None if value == "" else safe_cell(value))
        if bold or italic:
            cell.font = Font(bold=bold, italic=italic)
        if number_format:
            cell.number_format = number_format
        return cell

    def header(self, values: list) -> None:
        self.sheet.append([self.cell(v, bold=True) for v in values])

    def row(self, values: list) -> None:
        self.sheet.append([v if hasattr(v, "column") else self.cell(v) for v in values])

    def note(self, text: str) -> None:
        if text:
            self.sheet.append([self.cell(text, italic=True)])


def _count(sheet: Sheet, shown: dict):
    """A count stays a number; a cell that is not a number (n.v.t., hidden, < 5) says so in text."""
    return shown["value"] if shown["state"] == SHOWN else sheet.cell(shown["text"], italic=True)


def _share(sheet: Sheet, row: dict, key: str, state: str):
    value = row.get(key)
    if state != SHOWN or value is None:
        return ""
    return sheet.cell(value / 100, number_format=PERCENT)


def _single_sheet(sheet: Sheet, key: str, table: dict, threshold) -> None:
    dim = DIMENSIONS.get(key)
    groups = code_groups(dim.code_list) if getattr(dim, "show_code", False) else None
    view = single_view(key, table, threshold=threshold, groups=groups)
    header = [gettext("Code"), gettext("Categorie"), gettext("Aantal")]
    header.append(gettext("% van de vermeldingen") if view["multi"] else gettext("Aandeel"))
    if view["multi"]:
        header.append(gettext("% van de gemelde personen"))
    if groups:
        header.append(gettext("Groep"))
    sheet.header(header)
    for source, row in zip(table["rows"], view["rows"], strict=True):
        state = row["cell"]["state"]
        values = ["" if row["code"] is None else str(row["code"]), row["label"], _count(sheet, row["cell"])]
        values.append(_share(sheet, source, "share", state))
        if view["multi"]:
            values.append(_share(sheet, source, "share_of_persons", state))
        if groups:
            values.append(row["group"])
        sheet.row(values)
    total = view["total"]
    sheet.row(["", sheet.cell(view["total_label"], bold=True), _count(sheet, total)])


def _cross_sheet(sheet: Sheet, key: str, table: dict, threshold) -> None:
    view = cross_view(key, table, threshold=threshold)
    first, second = table["dimensions"]
    corner = f"{_title(first)} \\ {_title(second)}"
    header = [corner, *[c["label"] for c in view["columns"]]]
    if not view["mixed"]:
        header.append(gettext("Totaal"))
    sheet.header(header)
    for line in view["grid"]:
        values = [line["label"], *[_count(sheet, c) for c in line["cells"]]]
        if not view["mixed"]:
            values.append(_count(sheet, line["total"]))
        sheet.row(values)
    if not view["mixed"]:
        totals = [_count(sheet, c["total"]) for c in view["columns"]]
        sheet.row([sheet.cell(gettext("Totaal"), bold=True), *totals, _count(sheet, view["total"])])
    sheet.note(view["explanation"])


def _title(key: str) -> str:
    dim = DIMENSIONS.get(key)
    return str(dim.title) if dim else gettext("Aantallen")


def _team_name(report: dict) -> str:
    from registration.models import Team

    team = report.get("team")
    if team is None:
        return gettext("Alle teams")
    codes = team if isinstance(team, list) else [team]
    names = dict(Team.objects.filter(code__in=codes).values_list("code", "name"))
    return ", ".join(names.get(code, code) for code in codes)


def _summary_sheet(sheet: Sheet, report: dict, evolution: list[dict], threshold: int | None) -> None:
    """Period, team, the headline figures with their change, and the evolution over the years."""
    from datetime import date

    from .notes import evolution_notes

    start, end = (date.fromisoformat(report["period"][k]) for k in ("from", "to"))
    sheet.row([sheet.cell(gettext("Jaarrapport hulplijn 1712"), bold=True)])
    sheet.row(
        [
            gettext("Periode"),
            sheet.cell(start, number_format=DAY),
            sheet.cell(end, number_format=DAY),
        ]
    )
    sheet.row([gettext("Team"), _team_name(report)])
    sheet.row([])
    totals = {row["code"]: row["count"] for row in report["tables"]["totals"]["rows"]}
    by_year = {row["year"]: row for row in evolution}
    one_year = start.year == end.year
    previous = by_year.get(start.year - 1) if one_year else None
    first = evolution[0] if evolution and one_year and evolution[0]["year"] < start.year else None
    header = [gettext("Kerncijfers"), gettext("Aantal")]
    if previous:
        header.append(gettext("t.o.v. %(year)s") % {"year": previous["year"]})
    if first:
        header.append(gettext("t.o.v. %(year)s (eerste jaar)") % {"year": first["year"]})
    sheet.header(header)
    shown = {row["code"]: cell(row, threshold) for row in report["tables"]["totals"]["rows"]}
    for code, label, field in (
        ("contacts", gettext("Contacten"), "contacts"),
        ("persons", str(YEAR_TOTAL_LABELS["persons"]), "persons"),
        ("contacts_without_person", gettext("Contacten zonder gemelde persoon"), None),
    ):
        values = [label, _count(sheet, shown[code])]
        for then in (previous, first):
            if then and field and then[field] and totals.get(code) is not None:
                values.append(sheet.cell((totals[code] - then[field]) / then[field], number_format=CHANGE))
        sheet.row(values)
    if evolution:
        notes = evolution_notes(row["year"] for row in evolution)
        noted = {year for note in notes for year in note["years"]}
        sheet.row([])
        sheet.header([gettext("Evolutie over de jaren"), gettext("Contacten"), str(YEAR_TOTAL_LABELS["persons"])])
        for row in evolution:
            counts = [
                _count(sheet, cell({"count": row[f], "below_threshold": row.get(f"{f}_below_threshold")}, threshold))
                for f in ("contacts", "persons")
            ]
            sheet.row([row["year"], *counts, "*" if row["year"] in noted else ""])
        for note in notes:
            sheet.note(f"* {note['text']}")
    if report.get("disclosure"):
        sheet.row([])
        sheet.note(gettext(disclosure.NOTE))


def render_xlsx(report: dict, progress=None, evolution: list[dict] | None = None) -> bytes:
    """The whole report as an XLSX workbook in the active language: a summary sheet, then one sheet per table.

    Counts and shares stay numbers (shares as percentages); crossed tables are grids with their totals.
    """
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    used: set[str] = set()
    threshold = threshold_of(report)
    summary = Sheet(workbook, sheet_name(gettext("Samenvatting"), used), [34, 14, 14, 18])
    _summary_sheet(summary, report, evolution or [], threshold)
    tables = list(report["tables"].items())
    for index, (name, table) in enumerate(tables, start=1):
        crossed = "dimensions" in table
        widths = [34, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12] if crossed else [16, 48, 12, 14, 16, 36]
        sheet = Sheet(workbook, sheet_name(name, used), widths)
        limit = threshold or (table.get("suppression") or {}).get("threshold")
        if name == "totals":
            sheet.header([gettext("Code"), gettext("Categorie"), gettext("Aantal")])
            for row in table["rows"]:
                sheet.row([row["code"], row.get("label", ""), _count(sheet, cell(row, limit))])
        elif crossed:
            _cross_sheet(sheet, name, table, limit)
        else:
            _single_sheet(sheet, name, table, limit)
        note = " ".join(part for part in (table.get("note"), disclosure.table_note(table)) if part)
        sheet.note(note)
        if progress:
            progress(index, len(tables))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
