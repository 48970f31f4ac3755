"""Server-rendered SVG charts of the report's tables (reports.display gives the cells).

Plain SVG with presentation attributes (no inline CSS, no script), so the charts pass the
content security policy and print as crisply as the text. Bars are scaled to the largest figure
that is drawn, never to a total that includes unpublished cells, so no bar runs off the chart;
a cell that is not published (hidden, or below the threshold) is a dashed box beside its row
with its text ("–", "< 5"), and a code that could not be recorded reads "n.v.t.".

Sizes: the page prints a chart across the A4 width (186 mm, about 700 px), so a viewBox of
660-720 units keeps the 12-unit text at 8.5-9.5 pt on paper.
"""

from __future__ import annotations

import html

from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .display import BELOW, HIDDEN_CELL, NOT_APPLICABLE, SHOWN

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
INK = "#1d2433"
MUTED = "#5b6475"
FONT = 12
LINE = 14
# An average glyph of the sans-serif at FONT units is about 0.58 em wide.
CHAR = FONT * 0.58


def escape(text) -> str:
    """Text escaped for SVG, as django.utils.html.escape does (without its lazy-string wrapper: a
    chart escapes some thirty texts per table)."""
    return html.escape(str(text))


def wrap(text: str, width: float, lines: int = 2) -> list[str]:
    """The label in at most `lines` lines of `width` units, shortened with … only if it must."""
    limit = max(4, int(width / CHAR))
    out: list[str] = []
    words = str(text).split()
    while words and len(out) < lines:
        line = words.pop(0)
        while words and len(line) + 1 + len(words[0]) <= limit:
            line += " " + words.pop(0)
        out.append(line)
    if words or any(len(line) > limit for line in out):
        last = " ".join([out[-1], *words]) if words else out[-1]
        out[-1] = last if len(last) <= limit else last[: limit - 1].rstrip() + "…"
        out = [line if len(line) <= limit else line[: limit - 1] + "…" for line in out]
    return out or [""]


def _label(x: float, y: float, lines: list[str]) -> str:
    """Right-aligned label lines, vertically centred on y."""
    first = y - (len(lines) - 1) * LINE / 2 + 4
    spans = "".join(f'<tspan x="{x}" y="{first + i * LINE:.1f}">{escape(line)}</tspan>' for i, line in enumerate(lines))
    return f'<text text-anchor="end" font-size="{FONT}" fill="{INK}">{spans}</text>'


def _unpublished_box(x: float, y: float, height: float, colour: str) -> str:
    return (
        f'<rect x="{x + 0.5:.1f}" y="{y:.1f}" width="9" height="{height:.1f}" fill="#ffffff" '
        f'stroke="{colour}" stroke-width="1.2" stroke-dasharray="2 2"/>'
    )


def _open(width: int, height: float, title: str) -> str:
    return (
        f'<svg class="chart" viewBox="0 0 {width} {height:.0f}" width="100%" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
    )


def bar_chart(rows: list[dict], title: str) -> str:
    """Horizontal bars, one per row of a one-dimensional table (reports.display.single_view rows)."""
    width, label_width, bar_width = 660, 250, 260
    top = max([r["cell"]["value"] or 0 for r in rows] + [1])
    parts: list[str] = []
    y = 2.0
    unpublished = False
    for row in rows:
        lines = wrap(row["label"], label_width - 10)
        height = max(22, 8 + LINE * len(lines))
        middle = y + height / 2
        parts.append(_label(label_width - 6, middle, lines))
        shown = row["cell"]
        colour = LEEG_COLOUR if row.get("leeg") else PALETTE[0]
        x = float(label_width)
        if shown["state"] == SHOWN:
            bar = round(bar_width * (shown["value"] or 0) / top, 1)
            parts.append(f'<rect x="{x}" y="{middle - 8:.1f}" width="{bar}" height="16" fill="{colour}"/>')
            x += bar
            text = shown["text"] + (f" ({row['share']})" if row.get("share") else "")
            fill, style = INK, ""
        elif shown["state"] == NOT_APPLICABLE:
            text, fill, style = shown["text"], MUTED, ' font-style="italic"'
        else:
            unpublished = True
            parts.append(_unpublished_box(x, middle - 8, 16, MUTED))
            x += 10
            text, fill, style = shown["text"], MUTED, ""
        parts.append(
            f'<text x="{x + 5:.1f}" y="{middle + 4:.1f}" font-size="{FONT}" fill="{fill}"{style}>{escape(text)}</text>'
        )
        y += height
    if unpublished:
        parts.append(_legend_unpublished(10, y + 6))
        y += 24
    return mark_safe(_open(width, y + 2, title) + "".join(parts) + "</svg>")  # noqa: S308 - every text is escaped


def _legend_unpublished(x: float, y: float) -> str:
    label = _("niet gepubliceerd (verborgen of onder de drempel)")  # not inside the f-string: xgettext
    return _unpublished_box(x, y, 12, MUTED) + (
        f'<text x="{x + 16}" y="{y + 10}" font-size="{FONT}" fill="{INK}">{escape(label)}</text>'
    )


def stacked_chart(view: dict, title: str) -> str:
    """One stacked bar per line of a crossed table (reports.display.cross_view), a segment per column, a legend."""
    width, label_width, bar_width = 720, 210, 400
    columns = view["columns"]
    colours = [LEEG_COLOUR if c["code"] is None else PALETTE[j % len(PALETTE)] for j, c in enumerate(columns)]
    drawn = [sum(c["value"] or 0 for c in line["cells"]) for line in view["grid"]]
    top = max([*drawn, 1])
    parts: list[str] = []
    y = 2.0
    unpublished = False
    for line in view["grid"]:
        lines = wrap(line["label"], label_width - 10)
        height = max(22, 8 + LINE * len(lines))
        middle = y + height / 2
        parts.append(_label(label_width - 6, middle, lines))
        x = float(label_width)
        for j, shown in enumerate(line["cells"]):
            if shown["state"] == SHOWN and shown["value"]:
                segment = round(bar_width * shown["value"] / top, 1)
                parts.append(
                    f'<rect x="{x:.1f}" y="{middle - 8:.1f}" width="{segment}" height="16" fill="{colours[j]}"/>'
                )
                x += segment
        hidden = [j for j, shown in enumerate(line["cells"]) if shown["state"] in (HIDDEN_CELL, BELOW)]
        # A box per unpublished cell, at most four: the table beside the chart names them all.
        for j in hidden[:4]:
            parts.append(_unpublished_box(x + 2, middle - 8, 16, colours[j]))
            x += 11
        unpublished = unpublished or bool(hidden)
        parts.append(
            f'<text x="{x + 5:.1f}" y="{middle + 4:.1f}" font-size="{FONT}" fill="{INK}">'
            f"{escape(line['total']['text'])}</text>"
        )
        y += height
    # The legend: as many entries to a line as the longest label allows.
    longest = max([len(str(c["label"])) for c in columns] + [4])
    entry = min(width - 20, 24 + longest * CHAR)
    per_line = max(1, int((width - 20) // entry))
    y += 8
    for j, column in enumerate(columns):
        lx, ly = 10 + (j % per_line) * entry, y + (j // per_line) * 18
        label = wrap(column["label"], entry - 24, lines=1)[0]
        parts.append(
            f'<rect x="{lx:.1f}" y="{ly:.1f}" width="12" height="12" fill="{colours[j]}"/>'
            f'<text x="{lx + 16:.1f}" y="{ly + 10:.1f}" font-size="{FONT}" fill="{INK}">{escape(label)}</text>'
        )
    y += ((len(columns) + per_line - 1) // per_line) * 18
    if unpublished:
        parts.append(_legend_unpublished(10, y + 2))
        y += 22
    return mark_safe(_open(width, y + 2, title) + "".join(parts) + "</svg>")  # noqa: S308 - every text is escaped
