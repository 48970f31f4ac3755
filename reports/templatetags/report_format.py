from django import template
from django.utils.translation import get_language

register = template.Library()


def _dutch() -> bool:
    return not (get_language() or "nl").startswith("en")


@register.filter
def count(value):
    """1234 -> 1.234 (Dutch) or 1,234 (English); a hidden count shows as a dash."""
    if value is None or value == "":
        return "–"
    text = f"{int(value):,}"
    return text.replace(",", ".") if _dutch() else text


@register.filter
def pct(value):
    """56.67 -> 56,67% (Dutch); a hidden share shows as a dash."""
    if value is None or value == "":
        return "–"
    text = f"{float(value):.2f}"
    return (text.replace(".", ",") if _dutch() else text) + "%"


@register.filter
def signed(value):
    """A change in percent with its sign: +2%, -5%."""
    if value is None:
        return "–"
    return f"{'+' if value > 0 else ''}{value}%"
