"""{% form_field %} (registration/templatetags/form_fields.py) writes what the template it replaced
(includes/field.html, kept below) wrote, to the byte: every field of every form of the app,
blank and bound with errors, narrow and wide."""

import pytest
from django.template import Context, Template

from followup.forms import AssignForm, CloseForm, ItemForm, QueueFilterForm
from registration.forms import ContactFilterForm, build_forms
from registration.models import Team
from registration.templatetags.form_fields import form_field
from reports.forms import ReportForm
from reports.selectors.scope import ReportScope
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db

# ruff: noqa: E501 - the template below is quoted as it was, line for line

# The template of one labelled field before issue 13 (templates/includes/field.html).
FIELD_HTML = """<div class="field{% if field.errors %} has-error{% endif %}{% if wide %} wide{% endif %}" data-field="{{ field.name }}">
  {% if field.field.widget.allow_multiple_selected and field.field.widget.input_type == "checkbox" %}
  <fieldset class="checks"{% if field.errors %} aria-describedby="{{ field.auto_id }}_error"{% endif %}>
    <legend>{{ field.label }}</legend>
    {% for box in field %}<label class="check" for="{{ box.id_for_label }}">{{ box.tag }} {{ box.choice_label }}</label>{% endfor %}
  </fieldset>
  {% elif field.field.widget.input_type == "checkbox" %}
  <label class="check" for="{{ field.id_for_label }}">{{ field }} {{ field.label }}</label>
  {% else %}
  <label for="{{ field.id_for_label }}">{{ field.label }}</label>
  {{ field }}
  {% endif %}
  {% if field.help_text %}<p class="help" id="{{ field.auto_id }}_helptext">{{ field.help_text }}</p>{% endif %}
  {% if field.errors %}<p class="field-error" id="{{ field.auto_id }}_error">{{ field.errors|join:" " }}</p>{% endif %}
</div>
"""

NASTY = "<b>&\"'"


def _forms(counsellor):
    contact = ContactFactory(team=Team.objects.get(code="antwerpen"), created_by=counsellor)
    data = {
        "started_date": "2024-02-30",
        "channel": "phone",
        "team": NASTY,
        "caller_relation": "1200",
        "follow_up_of": str(contact.uuid),
        "concerning": "not-a-value",
        "actions": ["x", NASTY],
        "summary": NASTY,
        "persons-TOTAL_FORMS": "2",
        "persons-INITIAL_FORMS": "0",
        "persons-0-problem": "child_abuse",
        "persons-0-violence_forms": ["emotional_violence", "physical_violence"],
        "persons-1-age": "not-a-code",
    }
    bound, persons = build_forms(counsellor, data=data)
    bound.is_valid()
    persons.is_valid()
    blank, blank_persons = build_forms(counsellor, initial={"channel": "phone"})
    teams = list(Team.objects.all())
    forms = [bound, *persons.forms, persons.empty_form, blank, blank_persons.empty_form]
    forms += [
        ContactFilterForm({"problem": "child_abuse", "date_from": "x"}, user=counsellor),
        ContactFilterForm(user=counsellor),
        ReportForm({"year_from": "9999", "cross_a": "channel"}, scope=ReportScope()),
        ItemForm({"kind": NASTY, "received_date": "2024-13-01", "callback_number": NASTY}, teams=teams),
        ItemForm(teams=teams),
        CloseForm({"reason": NASTY}),
        AssignForm({"assignee": "x"}, team=teams[0]),
        QueueFilterForm({"state": NASTY, "overdue": "on"}, teams=teams),
    ]
    for form in forms:
        if form.is_bound:
            form.is_valid()
    return forms


def test_every_field_of_every_form_is_written_as_the_template_wrote_it(counsellor):
    reference = Template(FIELD_HTML)
    seen = set()
    for form in _forms(counsellor):
        for field in form:
            for wide in (False, True):
                expected = reference.render(Context({"field": field, "wide": wide}))
                assert form_field(field, wide=wide) == expected, (type(form).__name__, field.name, wide)
            seen.add((type(field.field.widget).__name__, bool(field.errors), bool(field.help_text)))
    kinds = {kind for kind, _errors, _help in seen}
    assert {"CheckboxSelectMultiple", "CheckboxInput", "RadioSelect", "Textarea", "CodeSelect"} <= kinds
    assert any(errors for _k, errors, _h in seen) and any(hint for _k, _e, hint in seen)


def test_the_registration_page_uses_it(counsellor, login):
    page = login(counsellor).get("/contacts/new/").content.decode()
    assert '<div class="field wide" data-field="caller_relation">' in page
    assert '<fieldset class="checks">' in page
