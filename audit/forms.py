from django import forms
from django.utils.translation import gettext_lazy as _


class TrailFilterForm(forms.Form):
    actor = forms.TypedChoiceField(label=_("Gebruiker"), required=False, coerce=int, empty_value=None)
    contact = forms.UUIDField(label=_("Contact (id)"), required=False)
    start = forms.DateField(label=_("Van"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Tot en met"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actor"].choices = [("", _("Iedereen"))] + [(m.pk, m.get_username()) for m in members]

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("De einddatum ligt voor de begindatum."))
        return data
