"""Exporters: a report's tables as rows, rendered to CSV or XLSX at the edge."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from django.utils.translation import gettext

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


def render_csv(rows: Iterable[list]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:
        writer.writerow([safe_cell("" if v is None else v) for v in row])
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


def render_xlsx(report: dict, progress=None) -> bytes:
    """The whole report as an XLSX workbook: a summary sheet, then one sheet per table."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    used: set[str] = set()
    summary = workbook.create_sheet(sheet_name(gettext("rapport"), used))
    summary.append([gettext("Periode"), report["period"]["from"], report["period"]["to"]])
    team = report.get("team")
    summary.append([gettext("Team"), safe_cell(", ".join(team) if isinstance(team, list) else (team or ""))])
    if report.get("published"):
        summary.append([gettext("Publicatiemodus: kleine aantallen verborgen")])
    tables = list(report["tables"].items())
    for index, (name, table) in enumerate(tables, start=1):
        sheet = workbook.create_sheet(sheet_name(name, used))
        sheet.append([safe_cell(v) for v in table_header(table)])
        for row in table_rows(table):
            sheet.append([safe_cell(v) for v in row])
        if "total" in table:
            header = table_header(table)
            sheet.append([gettext("Totaal"), *[""] * (header.index("count") - 1), table["total"]])
        note = (table.get("suppression") or {}).get("note") or table.get("note")
        if note:
            sheet.append([safe_cell(note)])
        if progress:
            progress(index, len(tables))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
