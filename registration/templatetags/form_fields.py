"""{% form_field form.x %} / {% form_field form.x wide=True %}: one labelled form field.

Written in Python (issue 13): the registration page has 32 fields and a template include per
field was a third of its rendering. The markup is the one every form of the app uses:

- a group of checkboxes is a fieldset with its legend (the error described on the fieldset);
- a single checkbox sits inside its label;
- anything else has its label above it;
- then the help text and the error, each with the id the widget's aria-describedby names
  (Django 5.2 puts aria-describedby and aria-invalid on the widget itself).

tests/registration/test_form_fields.py holds it to the template it replaced, on every form.
"""

from django import template
from django.utils.html import conditional_escape as esc
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def form_field(field, wide=False) -> SafeString:
    errors = field.errors
    widget = field.field.widget
    input_type = getattr(widget, "input_type", None)
    css = "field" + (" has-error" if errors else "") + (" wide" if wide else "")
    if getattr(widget, "allow_multiple_selected", False) and input_type == "checkbox":
        described = f' aria-describedby="{esc(field.auto_id)}_error"' if errors else ""
        boxes = "".join(
            f'<label class="check" for="{esc(box.id_for_label)}">{box.tag()} {esc(box.choice_label)}</label>'
            for box in field
        )
        body = (
            f'\n  <fieldset class="checks"{described}>\n    <legend>{esc(field.label)}</legend>\n    {boxes}'
            "\n  </fieldset>\n  "
        )
    elif input_type == "checkbox":
        body = f'\n  <label class="check" for="{esc(field.id_for_label)}">{field} {esc(field.label)}</label>\n  '
    else:
        body = f'\n  <label for="{esc(field.id_for_label)}">{esc(field.label)}</label>\n  {field}\n  '
    hint = f'<p class="help" id="{esc(field.auto_id)}_helptext">{esc(field.help_text)}</p>' if field.help_text else ""
    error = ""
    if errors:
        error = f'<p class="field-error" id="{esc(field.auto_id)}_error">{" ".join(esc(e) for e in errors)}</p>'
    return SafeString(f'<div class="{css}" data-field="{esc(field.name)}">\n  {body}\n  {hint}\n  {error}\n</div>\n')
