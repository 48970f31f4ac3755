from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _


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
    username = forms.CharField(label=_("Gebruikersnaam"), max_length=150)
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
        username = self.cleaned_data["username"].strip()
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("Deze gebruikersnaam is al in gebruik."))
        return username

    def team(self):
        if "team" in self.cleaned_data:
            return next(t for t in self.teams if str(t.pk) == str(self.cleaned_data["team"]))
        return self.teams[0]
