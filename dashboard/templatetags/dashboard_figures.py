"""A dashboard figure as HTML: its count, a link to the list it counts when it has one.

A filter rather than an included template: the dashboard shows some 400 figures, and an
include per figure was half of the page's time (bench_dashboard).
"""

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html

register = template.Library()


@register.filter
def figure(value) -> str:
    """A Figure as `<a href="url">1.234</a>`, or the bare count (a published one as its display)."""
    if value is None:
        return ""
    count = value.count
    # Below a thousand a count has no separator to group in any language: the common case, cheap.
    text = value.display or (
        str(count) if type(count) is int and 0 <= count < 1000 else number_format(count, force_grouping=True)
    )
    if value.url:
        return format_html('<a href="{}">{}</a>', value.url, text)
    return format_html("{}", text)
