"""helpline/form_renderer.py writes Django's input, option and textarea widgets in Python: to the
byte what Django's templates write, for every widget and value the app's forms can give, and only
for templates that are still the ones it reproduces."""

import datetime
from pathlib import Path

import django
import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.forms.widgets import ChoiceWidget
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from helpline.form_renderer import INPUT_TEMPLATES, OPTION_TEMPLATES, TEXTAREA_TEMPLATE, FastTemplates

TEMPLATES = Path(django.__file__).parent / "forms" / "templates"
NASTY = "a <b> & \"c\" 'd' ☃ \u00e9"


def test_the_reproduced_templates_are_still_djangos():
    for name in INPUT_TEMPLATES - {"django/forms/widgets/input.html"}:
        assert (TEMPLATES / name).read_text().strip() == '{% include "django/forms/widgets/input.html" %}', name
    for name in OPTION_TEMPLATES - {"django/forms/widgets/input_option.html"}:
        assert (TEMPLATES / name).read_text().strip() == '{% include "django/forms/widgets/input_option.html" %}'
    assert (TEMPLATES / "django/forms/widgets/input.html").read_text().strip() == (
        '<input type="{{ widget.type }}" name="{{ widget.name }}"{% if widget.value != None %} '
        'value="{{ widget.value|stringformat:\'s\' }}"{% endif %}{% include "django/forms/widgets/attrs.html" %}>'
    )
    assert (TEMPLATES / "django/forms/widgets/attrs.html").read_text().strip() == (
        "{% for name, value in widget.attrs.items %}{% if value is not False %} {{ name }}{% if value is not True %}"
        "=\"{{ value|stringformat:'s' }}\"{% endif %}{% endif %}{% endfor %}"
    )
    assert (TEMPLATES / "django/forms/widgets/input_option.html").read_text().strip() == (
        '{% if widget.wrap_label %}<label{% if widget.attrs.id %} for="{{ widget.attrs.id }}"{% endif %}>{% endif %}'
        '{% include "django/forms/widgets/input.html" %}{% if widget.wrap_label %} {{ widget.label }}</label>'
        "{% endif %}"
    )
    assert (TEMPLATES / TEXTAREA_TEMPLATE).read_text().strip() == (
        '<textarea name="{{ widget.name }}"{% include "django/forms/widgets/attrs.html" %}>\n'
        "{% if widget.value %}{{ widget.value }}{% endif %}</textarea>"
    )


ATTRS = [
    {},
    {"id": "id_x", "required": True, "disabled": False, "class": NASTY, "maxlength": 12},
    {"placeholder": gettext_lazy("Datum"), "data-safe": mark_safe("<i>"), "min": 0, "aria-describedby": "a b"},
]
WIDGETS = [
    forms.TextInput,
    forms.HiddenInput,
    forms.NumberInput,
    forms.EmailInput,
    forms.URLInput,
    forms.PasswordInput,
    forms.CheckboxInput,
    forms.Textarea,
    lambda attrs: forms.DateInput(attrs=attrs, format="%Y-%m-%d"),
    lambda attrs: forms.TimeInput(attrs=attrs, format="%H:%M"),
    forms.DateTimeInput,
    forms.CheckboxSelectMultiple,
    forms.RadioSelect,
]
VALUES = [None, "", "plain", NASTY, mark_safe("<b>safe</b>"), 0, 17, True, False, datetime.date(2024, 2, 29)]


@pytest.mark.parametrize("make", WIDGETS)
@pytest.mark.parametrize("attrs", ATTRS, ids=range(len(ATTRS)))
def test_every_widget_renders_as_djangos_templates(make, attrs):
    for value in VALUES:
        widget = make(attrs=dict(attrs))
        if isinstance(widget, ChoiceWidget):
            widget.choices = [("", "—"), ("a", NASTY), ("b", "B"), (0, "nul"), ("Groep", [("c", "C"), ("d", NASTY)])]
            value = [value] if not isinstance(value, list) else value
        expected = widget.render("field", value, renderer=DjangoTemplates())
        assert widget.render("field", value, renderer=FastTemplates()) == expected, (make, attrs, value)


def test_a_whole_form_with_errors_and_bound_boxes_renders_the_same():
    class Form(forms.Form):
        name = forms.CharField(max_length=5, help_text=NASTY)
        count = forms.IntegerField(min_value=1)
        day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
        note = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
        boxes = forms.MultipleChoiceField(choices=[("a", NASTY), ("b", "B")], widget=forms.CheckboxSelectMultiple)
        agree = forms.BooleanField()

    data = {"name": NASTY, "count": "0", "day": "2024-02-30", "note": NASTY, "boxes": ["b", "x"]}
    for form_kwargs in ({}, {"data": data}, {"initial": {"name": "x", "note": "y\nz", "boxes": ["a"]}}):
        slow, fast = Form(renderer=DjangoTemplates(), **form_kwargs), Form(renderer=FastTemplates(), **form_kwargs)
        assert str(fast) == str(slow)
        for bound_fast, bound_slow in zip(fast["boxes"], slow["boxes"], strict=True):
            assert bound_fast.tag() == bound_slow.tag() and str(bound_fast) == str(bound_slow)


@pytest.mark.django_db
def test_the_registration_page_is_the_same_with_djangos_templates(counsellor, login, settings):
    client = login(counsellor)
    fast = client.get("/contacts/new/?_=1").content.decode()
    settings.FORM_RENDERER = "django.forms.renderers.DjangoTemplates"
    from django.forms import renderers

    renderers.get_default_renderer.cache_clear()
    try:
        slow = client.get("/contacts/new/?_=1").content.decode()
    finally:
        renderers.get_default_renderer.cache_clear()
    # The page's draft token and CSRF token differ per request; everything else is the same.
    import re

    def strip(html: str) -> str:
        html = re.sub(r'name="token" value="[^"]+"', "", html)
        html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
        return re.sub(r"/contacts/drafts/[0-9a-f-]{36}/", "", html)

    assert "<input" in fast and "<textarea" in fast
    assert strip(fast) == strip(slow)
