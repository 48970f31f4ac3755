from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registration.models import Team

from .models import User


def _account(username: str, **filters) -> User | None:
    # Usernames are stored lowercase (accounts.validators); a NUL or other odd input finds nobody.
    username = username.strip().lower()
    if "\x00" in username:
        return None
    return User.objects.filter(username=username, **filters).first()


class GrantForm(forms.Form):
    """A team coordinator adds an existing counsellor to the team from a day on."""

    username = forms.CharField(label=_("Gebruikersnaam van de hulpverlener"), max_length=150)
    valid_from = forms.DateField(label=_("Vanaf"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["valid_from"].initial = timezone.localdate()

    def clean_username(self):
        user = _account(self.cleaned_data["username"], role="counsellor", is_active=True)
        if user is None:
            # The same answer for "no such account" and "not a counsellor": nothing to learn here.
            raise forms.ValidationError(_("Geen actieve hulpverlener met deze gebruikersnaam."))
        return user


class EndForm(forms.Form):
    valid_until = forms.DateField(
        label=_("Laatste dag met toegang"),
        help_text=_("Gisteren: de toegang stopt meteen."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["valid_until"].initial = timezone.localdate() - timedelta(days=1)


class ProposalForm(forms.Form):
    """An administrator or the Flemish coordinator proposes an account as a team's coordinator."""

    username = forms.CharField(label=_("Gebruikersnaam"), max_length=150)
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.filter(active=True))

    def clean_username(self):
        user = _account(self.cleaned_data["username"], is_active=True)
        if user is None:
            raise forms.ValidationError(_("Geen actief account met deze gebruikersnaam."))
        return user
