from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registration.models import Team

from .dimensions import DIMENSIONS
from .selectors import ReportFilter

FIRST_YEAR = 2012


class ReportForm(forms.Form):
    """The period, team, publication mode and crossed table of the report page (a GET form)."""

    year_from = forms.TypedChoiceField(label=_("Jaar (of eerste jaar)"), coerce=int)
    year_to = forms.TypedChoiceField(label=_("Tot en met jaar"), coerce=int, required=False, empty_value=None)
    team = forms.ChoiceField(label=_("Team"), required=False)
    publish = forms.BooleanField(label=_("Publicatiemodus (kleine aantallen verbergen)"), required=False)
    cross_a = forms.ChoiceField(label=_("Kruistabel: rijen"), required=False)
    cross_b = forms.ChoiceField(label=_("Kruistabel: kolommen"), required=False)

    def __init__(self, *args, scope=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope
        this_year = timezone.localdate().year
        years = [(y, str(y)) for y in range(this_year, FIRST_YEAR - 1, -1)]
        self.fields["year_from"].choices = years
        self.fields["year_to"].choices = [("", _("(hetzelfde jaar)")), *years]
        teams = Team.objects.order_by("sort", "code")
        if scope is None:
            self.fields["team"].choices = [("", _("Alle teams")), *[(t.code, t.name) for t in teams]]
        else:
            self.fields["team"].choices = [(t.code, t.name) for t in teams.filter(code__in=scope)]
            self.fields["team"].required = True
        dims = [("", _("(geen)")), *[(key, dim.title) for key, dim in DIMENSIONS.items()]]
        self.fields["cross_a"].choices = dims
        self.fields["cross_b"].choices = dims

    def clean(self):
        data = super().clean()
        first, last = data.get("year_from"), data.get("year_to")
        if first and last and last < first:
            self.add_error("year_to", _("Het laatste jaar mag niet voor het eerste jaar liggen."))
        a, b = data.get("cross_a"), data.get("cross_b")
        if bool(a) != bool(b):
            self.add_error("cross_b" if a else "cross_a", _("Kies twee dimensies om te kruisen."))
        elif a and a == b:
            self.add_error("cross_b", _("Kies twee verschillende dimensies."))
        return data

    def full_clean(self):
        super().full_clean()
        # Tie each error to its field for screen readers (the template renders it as <name>_error).
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs.update(
                    {"aria-describedby": f"{self[name].auto_id}_error", "aria-invalid": "true"}
                )

    def report_filter(self) -> ReportFilter:
        data = self.cleaned_data
        first = data["year_from"]
        last = data.get("year_to") or first
        team = data.get("team")
        teams = (team,) if team else self.scope
        return ReportFilter(date(first, 1, 1), date(last, 12, 31), teams)

    def cross(self) -> tuple[str, str] | None:
        a, b = self.cleaned_data.get("cross_a"), self.cleaned_data.get("cross_b")
        return (a, b) if a and b and a != b else None
