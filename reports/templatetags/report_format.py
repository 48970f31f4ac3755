"""Figures in the active language's number format: 1.234 and 56,67% in Dutch, 1,234 and 56.67% in English;
and {% report_table %}, a report table's HTML for the report page."""

import html
import re
from decimal import Decimal

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext

register = template.Library()

HIDDEN = "–"


# Formatted counts and shares by (language, value): a report page writes thousands of figures,
# most of them seen before, and number_format reads three locale formats for each.
_FORMATTED: dict[tuple, str] = {}
_FORMATTED_MAX = 50_000


@receiver(setting_changed)
def _forget_formatted(**kwargs) -> None:
    """A changed setting (a test's override_settings) may change how a number reads."""
    _FORMATTED.clear()


def _remember(key: tuple, text: str) -> str:
    if len(_FORMATTED) >= _FORMATTED_MAX:
        _FORMATTED.clear()
    _FORMATTED[key] = text
    return text


@register.filter
def count(value) -> str:
    """A count with thousands grouped; a hidden count shows as a dash."""
    if value is None or value == "":
        return HIDDEN
    n = int(value)
    key = (get_language(), "count", n)
    text = _FORMATTED.get(key)
    if text is None:
        text = _remember(key, number_format(n, force_grouping=True))
    return text


@register.filter
def pct(value) -> str:
    """A share in percent with two decimals; a hidden share shows as a dash."""
    if value is None or value == "":
        return HIDDEN
    number = str(value)
    key = (get_language(), "pct", number)
    text = _FORMATTED.get(key)
    if text is None:
        text = _remember(key, number_format(Decimal(number), decimal_pos=2) + "%")
    return text


@register.filter
def signed(value) -> str:
    """A change in percent with its sign: +2%, -5%."""
    if value is None:
        return HIDDEN
    return f"{'+' if value > 0 else ''}{number_format(value)}%"


def _html(value) -> str:
    """A value as {{ value }} writes it in an autoescaped template (the report's values are text)."""
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def _words() -> dict[str, str]:
    """The table's fixed words in the active language, escaped."""
    return {
        "aantal": _html(gettext("aantal")),
        "several": _html(gettext("een persoon kan meerdere waarden hebben")),
        "code_category": _html(gettext("Code en categorie")),
        "category": _html(gettext("Categorie")),
        "count": _html(gettext("Aantal")),
        "pct_mentions": _html(gettext("% van de vermeldingen")),
        "share": _html(gettext("Aandeel")),
        "pct_persons": _html(gettext("% van de gemelde personen")),
        "total": _html(gettext("Totaal")),
        "csv": _html(gettext("Download als CSV")),
    }


# A table key as the CSV link's path takes it unquoted.
PLAIN_KEY = re.compile(r"[A-Za-z0-9_]+")


def _csv_url(render: dict, key: str) -> str:
    """{% url 'reports:table-csv' key %}, escaped; resolved once per page for the plain keys."""
    if not PLAIN_KEY.fullmatch(key):
        return _html(reverse("reports:table-csv", args=[key]))
    if "csv" not in render:
        render["csv"] = reverse("reports:table-csv", args=["KEY"]).rsplit("KEY", 1)
    before, after = render["csv"]
    return _html(f"{before}{key}{after}")


@register.simple_tag(takes_context=True)
def report_table(context, table: dict) -> str:
    """A report table (reports.presentation.present_table) as its <article>: heading, chart, table,
    notes and CSV link, exactly as a template would write it.

    Built as a string rather than by a template: the report page has some fifty tables of up to a
    few hundred cells, and the template engine took more CPU on them than the report took to count.
    Every value is escaped as the template's autoescaping would.
    """
    render = context.render_context.setdefault("report_table", {})
    if "words" not in render:
        render["words"] = _words()
    words = render["words"]
    e = _html
    single = table["kind"] == "single"
    multi = single and table.get("multi")
    key = e(table["key"])
    title = e(table["title"])
    out = [
        f'<article class="report-table{" wide" if table.get("wide") else ""}{"" if single else " crossed"}" '
        f'id="t-{key}" aria-labelledby="h-{key}">\n'
        f'  <h3 id="h-{key}">{title}</h3>\n  '
    ]
    if table.get("series_note"):
        out.append(f'<p class="muted">{e(table["series_note"])}</p>')
    if not single:
        layout = " cross"
    elif multi or table.get("grouped"):
        layout = " stacked"
    else:
        layout = ""
    out.append(f'\n  <div class="table-chart{layout}">\n    ')
    if table.get("chart"):
        out.append(f'<figure class="chart-box" aria-hidden="true">{e(table["chart"])}</figure>')
    out.append('\n    <div class="table-box">\n    ')
    if single:
        _single_table(out, table, title, multi, words)
    else:
        _cross_table(out, table, title, words)
    out.append("\n    </div>\n  </div>\n  ")
    if table.get("explanation"):
        out.append(f'<p class="muted table-note">{e(table["explanation"])}</p>')
    out.append("\n  ")
    if table.get("note"):
        out.append(f'<p class="suppression-note" role="note">{e(table["note"])}</p>')
    out.append(
        f'\n  <p class="noprint downloads"><a href="{_csv_url(render, table["key"])}?{e(context.get("query", ""))}" '
        f'download>{words["csv"]}<span class="visually-hidden">: {title}</span></a></p>\n</article>\n'
    )
    return mark_safe("".join(out))  # noqa: S308 - every value is escaped above


def _single_table(out: list[str], table: dict, title: str, multi: bool, words: dict) -> None:
    e = _html
    out.append(
        f'\n      <table class="single{" multi" if multi else ""}">\n'
        f"        <caption>{title} ({words['aantal']} {e(table.get('unit_label', ''))}"
    )
    if multi:
        out.append(f"; {words['several']}")
    out.append(
        ")</caption>\n        <thead><tr>\n"
        f'          <th scope="col">{words["code_category" if table.get("grouped") else "category"]}</th>\n'
        f'          <th scope="col" class="num">{words["count"]}</th>\n'
        f'          <th scope="col" class="num">{words["pct_mentions" if multi else "share"]}</th>\n          '
    )
    if multi:
        out.append(f'<th scope="col" class="num">{words["pct_persons"]}</th>')
    out.append("\n        </tr></thead>\n        ")
    colspan = "4" if multi else "3"
    for block in table["blocks"]:
        out.append("<tbody>\n        ")
        if block.get("title"):
            out.append(f'<tr class="group"><th scope="rowgroup" colspan="{colspan}">{e(block["title"])}</th></tr>')
        out.append("\n        ")
        for row in block["rows"]:
            state = row["cell"]["state"]
            out.append(
                f'<tr class="{"leeg" if row.get("leeg") else ""}{"" if state == "shown" else " " + e(state)}">\n'
                f'          <th scope="row">{e(row["label"])}</th>\n'
                f'          <td class="num">{e(row["cell"]["text"])}</td>\n'
                f'          <td class="num">{e(row["share"])}</td>\n          '
            )
            if multi:
                out.append(f'<td class="num">{e(row["share_of_persons"])}</td>')
            out.append("\n        </tr>")
        out.append("\n        </tbody>")
    out.append(
        f'\n        <tfoot><tr><th scope="row">{e(table["total_label"])}</th>'
        f'<td class="num">{e(table["total"]["text"])}</td><td></td>{"<td></td>" if multi else ""}</tr></tfoot>\n'
        "      </table>\n    "
    )


def _cross_table(out: list[str], table: dict, title: str, words: dict) -> None:
    e = _html
    mixed = table.get("mixed")
    out.append('\n      <div class="scroll">\n      <table class="crosstab">\n        <caption>')
    out.append(title)
    if table.get("unit_label"):
        out.append(f" ({words['aantal']} {e(table['unit_label'])})")
    out.append("</caption>\n        <thead><tr><td></td>")
    out.extend(f'<th scope="col" class="num">{e(column["label"])}</th>' for column in table["columns"])
    if not mixed:
        out.append(f'<th scope="col" class="num">{words["total"]}</th>')
    out.append("</tr></thead>\n        <tbody>\n        ")
    for line in table["grid"]:
        out.append(f'<tr><th scope="row">{e(line["label"])}</th>')
        for value in line["cells"]:
            state = value["state"]
            out.append(f'<td class="num{"" if state == "shown" else " " + e(state)}">{e(value["text"])}</td>')
        if not mixed:
            out.append(f'<td class="num total">{e(line["total"]["text"])}</td>')
        out.append("</tr>")
    out.append("\n        </tbody>\n        ")
    if not mixed:
        out.append(f'<tfoot><tr><th scope="row">{words["total"]}</th>')
        out.extend(f'<td class="num">{e(column["total"]["text"])}</td>' for column in table["columns"])
        out.append(f'<td class="num">{e(table["total"]["text"])}</td></tr></tfoot>')
    out.append("\n      </table>\n      </div>\n    ")
