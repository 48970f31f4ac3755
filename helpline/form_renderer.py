"""Django's form renderer, with its input and textarea widgets rendered in Python (issue 13).

Django renders every widget through its template engine: an `<input>` is three templates
(date.html includes input.html, which includes attrs.html) and every form page has a few dozen of
them. This renderer writes the same bytes in Python for the templates it knows to be exactly that
(tests/test_form_renderer.py holds each one to Django's own output and checks that the templates
are still the ones reproduced here); every other template is rendered by Django as before.
"""

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape

WIDGETS = "django/forms/widgets/"
# Templates that are exactly {% include "django/forms/widgets/input.html" %}.
INPUT_TEMPLATES = frozenset(
    f"{WIDGETS}{name}.html"
    for name in (
        "input",
        "text",
        "hidden",
        "number",
        "date",
        "time",
        "datetime",
        "email",
        "url",
        "password",
        "search",
        "tel",
        "color",
        "checkbox",
    )
)
# Templates that are exactly {% include "django/forms/widgets/input_option.html" %} (or it).
OPTION_TEMPLATES = frozenset(f"{WIDGETS}{name}.html" for name in ("input_option", "checkbox_option", "radio_option"))
TEXTAREA_TEMPLATE = f"{WIDGETS}textarea.html"


def _attrs(attrs: dict) -> str:
    # attrs.html: {% for name, value in widget.attrs.items %}{% if value is not False %} {{ name }}
    # {% if value is not True %}="{{ value|stringformat:'s' }}"{% endif %}{% endif %}{% endfor %}
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {conditional_escape(name)}")
        else:
            parts.append(f' {conditional_escape(name)}="{conditional_escape(_s(value))}"')
    return "".join(parts)


def _s(value) -> str:
    """The template filter stringformat:'s' ("%s" % value, a safe string kept safe)."""
    return value if isinstance(value, str) else "%s" % (value,)  # noqa: UP031 - as the filter does


def _input(widget: dict) -> str:
    value = "" if widget["value"] is None else f' value="{conditional_escape(_s(widget["value"]))}"'
    return (
        f'<input type="{conditional_escape(widget["type"])}" name="{conditional_escape(widget["name"])}"'
        f"{value}{_attrs(widget['attrs'])}>"
    )


def _option(widget: dict) -> str:
    if not widget.get("wrap_label"):
        return _input(widget)
    target = widget["attrs"].get("id")
    label_for = f' for="{conditional_escape(target)}"' if target else ""
    # input.html ends in a newline, which the include keeps inside the label (only the whole
    # render is stripped).
    return f"<label{label_for}>{_input(widget)}\n {conditional_escape(widget['label'])}</label>"


def _textarea(widget: dict) -> str:
    value = conditional_escape(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


class FastTemplates(DjangoTemplates):
    """DjangoTemplates, with the plain input, option and textarea widgets written in Python."""

    def render(self, template_name, context, request=None):
        if template_name in INPUT_TEMPLATES:
            return _input(context["widget"])
        if template_name in OPTION_TEMPLATES:
            return _option(context["widget"])
        if template_name == TEXTAREA_TEMPLATE:
            return _textarea(context["widget"])
        return super().render(template_name, context, request=request)
