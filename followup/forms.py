"""Forms of the follow-up queue. The number and the note are typed here and go to FollowUpText only."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registration.models import HELPLINE_START

from .models import ENTERED_KINDS, MANUAL_CLOSE_REASONS, Kind
from .selectors import assignable_members

# A number as people write it: digits with spaces, dots, slashes, dashes, brackets, a leading +.
NUMBER_CHARACTERS = re.compile(r"^\+?[0-9 ./()\-]+$")
NOTE_MAX_LENGTH = 500
# Clocks differ a little between the phone system and the counsellor's computer.
CLOCK_SLACK = timedelta(minutes=5)


class ItemForm(forms.Form):
    """A voicemail or an e-mail, entered in a few keys: kind, when, (number), note."""

    kind = forms.ChoiceField(
        label=_("Soort"),
        choices=[(k.value, k.label) for k in ENTERED_KINDS],
        widget=forms.RadioSelect,
        initial=Kind.VOICEMAIL,
    )
    received_date = forms.DateField(
        label=_("Binnengekomen op"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    received_time = forms.TimeField(label=_("om"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    callback_number = forms.CharField(
        label=_("Terugbelnummer"),
        required=False,
        max_length=32,
        help_text=_("Enkel voor een voicemail. Wordt gewist zodra het punt afgesloten is."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
    )
    note = forms.CharField(
        label=_("Korte notitie"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        help_text=_("Geen namen als het kan. Wordt gewist zodra het punt afgesloten is."),
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
    )
    team = forms.ChoiceField(label=_("Team"))

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.teams = {t.code: t for t in teams}
        self.fields["team"].choices = [(t.code, t.name) for t in teams]
        if len(teams) == 1:
            self.fields["team"].widget = forms.HiddenInput()
        now = timezone.localtime()
        self.fields["received_date"].initial = now.date()
        self.fields["received_time"].initial = now.time().replace(second=0, microsecond=0)
        if teams:
            self.fields["team"].initial = teams[0].code

    def clean_callback_number(self) -> str:
        number = " ".join(self.cleaned_data["callback_number"].split())
        if number and (not NUMBER_CHARACTERS.match(number) or not 6 <= sum(c.isdigit() for c in number) <= 15):
            raise forms.ValidationError(_("Dit is geen telefoonnummer."))
        return number

    def clean(self):
        cleaned = super().clean()
        kind, number = cleaned.get("kind"), cleaned.get("callback_number")
        if kind == Kind.VOICEMAIL and not number and "callback_number" not in self.errors:
            self.add_error("callback_number", _("Een voicemail heeft een nummer om terug te bellen."))
        if kind == Kind.EMAIL and number:
            self.add_error("callback_number", _("Een e-mail heeft geen terugbelnummer."))
        day, time = cleaned.get("received_date"), cleaned.get("received_time")
        if day and time:
            received_at = timezone.make_aware(datetime.combine(day, time))
            if received_at > timezone.now() + CLOCK_SLACK:
                self.add_error("received_time", _("Dit tijdstip ligt in de toekomst."))
            elif day < HELPLINE_START:
                self.add_error("received_date", _("Deze datum ligt voor de start van de hulplijn."))
            cleaned["received_at"] = received_at
        return cleaned

    def team_chosen(self):
        return self.teams[self.cleaned_data["team"]]


class CloseForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reden"), choices=[(r.value, r.label) for r in MANUAL_CLOSE_REASONS])


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("Geven aan"), queryset=None, required=False, empty_label=_("Niemand (terug naar het team)")
    )

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignable_members(team)
        self.fields["assignee"].label_from_instance = lambda user: user.get_full_name() or user.get_username()


class QueueFilterForm(forms.Form):
    """The queue's filters: codes and flags only."""

    state = forms.ChoiceField(
        label=_("Toon"),
        required=False,
        choices=[("open", _("Open punten")), ("closed", _("Afgesloten punten"))],
    )
    kind = forms.ChoiceField(label=_("Soort"), required=False)
    team = forms.ChoiceField(label=_("Team"), required=False)
    overdue = forms.BooleanField(label=_("Enkel te laat"), required=False)
    mine = forms.BooleanField(label=_("Enkel de mijne"), required=False)
    unassigned = forms.BooleanField(label=_("Enkel zonder behandelaar"), required=False)

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("Alle")), *Kind.choices]
        self.fields["team"].choices = [("", _("Alle")), *[(t.code, t.name) for t in teams]]
        if len(teams) < 2:
            del self.fields["team"]

    def filters(self) -> dict:
        """The applied filters by name (only those set); {} when unbound or invalid."""
        if not self.is_bound or not self.is_valid():
            return {}
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "", False)}
