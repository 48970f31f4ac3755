from django import forms
from django.utils.translation import gettext_lazy as _

from .validators import TAKEN_MESSAGE, USERNAME_MAX_LENGTH, username_clean, username_in_use


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

    def clean_token(self):
        # Authenticator apps show the code as "123 456"; people type it that way.
        return self.cleaned_data["token"].replace(" ", "")


class InviteForm(forms.Form):
    username = forms.CharField(
        label=_("Gebruikersnaam"),
        max_length=USERNAME_MAX_LENGTH,
        help_text=_("Kleine letters a tot z, cijfers, punt, _ of -; bijvoorbeeld an.peeters."),
        widget=forms.TextInput(attrs={"autocapitalize": "none", "spellcheck": "false", "autocomplete": "off"}),
    )
    first_name = forms.CharField(label=_("Voornaam"), max_length=150)
    last_name = forms.CharField(label=_("Familienaam"), max_length=150)
    email = forms.EmailField(label=_("E-mailadres"))

    def __init__(self, *args, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        teams = list(teams or [])
        if len(teams) > 1:
            self.fields["team"] = forms.ChoiceField(label=_("Team"), choices=[(t.pk, str(t)) for t in teams])
        self.teams = teams

    def clean_username(self):
        # Stored lowercase; look-alike letters and invisible characters are refused (accounts/validators.py).
        username = username_clean(self.cleaned_data["username"])
        if username_in_use(username):
            raise forms.ValidationError(TAKEN_MESSAGE, code="taken")
        return username

    def team(self):
        if "team" in self.cleaned_data:
            return next(t for t in self.teams if str(t.pk) == str(self.cleaned_data["team"]))
        return self.teams[0]
