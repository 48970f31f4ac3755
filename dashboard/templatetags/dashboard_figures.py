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
    text = value.display or number_format(value.count, force_grouping=True)
    if value.url:
        return format_html('<a href="{}">{}</a>', value.url, text)
    return format_html("{}", text)
