"""Figures in the active language's number format: 1.234 and 56,67% in Dutch, 1,234 and 56.67% in English."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()

HIDDEN = "–"


@register.filter
def count(value) -> str:
    """A count with thousands grouped; a hidden count shows as a dash."""
    if value is None or value == "":
        return HIDDEN
    return number_format(int(value), force_grouping=True)


@register.filter
def pct(value) -> str:
    """A share in percent with two decimals; a hidden share shows as a dash."""
    if value is None or value == "":
        return HIDDEN
    return number_format(Decimal(str(value)), decimal_pos=2) + "%"


@register.filter
def signed(value) -> str:
    """A change in percent with its sign: +2%, -5%."""
    if value is None:
        return HIDDEN
    return f"{'+' if value > 0 else ''}{number_format(value)}%"
