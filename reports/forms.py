from datetime import date

from django import forms
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registration.forms import Select
from registration.models import HELPLINE_START, Team

from .dimensions import DIMENSIONS
from .selectors import ReportFilter, ReportScope

# No publication switch: who sees perturbed figures is decided by role (reports.selectors.publication).
FIELDS = ["year_from", "year_to", "team", "cross_a", "cross_b"]


class ReportForm(forms.Form):
    """The period, team and crossed table of the report page (a GET form)."""

    # The selects are rendered in Python (registration.forms.Select), to the byte what Django's
    # templates render: a template per option was a tenth of the report page's CPU.
    year_from = forms.TypedChoiceField(label=_("Jaar (of eerste jaar)"), coerce=int, widget=Select)
    year_to = forms.TypedChoiceField(
        label=_("Tot en met jaar"), coerce=int, required=False, empty_value=None, widget=Select
    )
    team = forms.ChoiceField(label=_("Team"), required=False, widget=Select)
    cross_a = forms.ChoiceField(label=_("Kruistabel: rijen"), required=False, widget=Select)
    cross_b = forms.ChoiceField(label=_("Kruistabel: kolommen"), required=False, widget=Select)

    def __init__(self, *args, scope: ReportScope, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope
        this_year = timezone.localdate().year
        years = [(y, str(y)) for y in range(this_year, HELPLINE_START.year - 1, -1)]
        self.fields["year_from"].choices = years
        self.fields["year_to"].choices = [("", _("(hetzelfde jaar)")), *years]
        # An impossible year (typed into the address, 9999) is answered next to its field.
        impossible = _("Kies een jaar van %(first)s tot en met %(last)s.") % {
            "first": HELPLINE_START.year,
            "last": this_year,
        }
        for name in ("year_from", "year_to"):
            self.fields[name].error_messages["invalid_choice"] = impossible
        teams = Team.objects.order_by("sort", "code")
        if scope.all_teams:
            self.fields["team"].choices = [("", _("Alle teams")), *[(t.code, t.name) for t in teams]]
        else:
            self.fields["team"].choices = [(t.code, t.name) for t in teams.filter(code__in=scope.team_codes)]
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

    def report_filter(self) -> ReportFilter:
        data = self.cleaned_data
        first = data["year_from"]
        last = data.get("year_to") or first
        team = data.get("team")
        teams = (team,) if team else self.scope.team_codes
        return ReportFilter(date(first, 1, 1), date(last, 12, 31), teams)

    def cross(self) -> tuple[str, str] | None:
        a, b = self.cleaned_data.get("cross_a"), self.cleaned_data.get("cross_b")
        return (a, b) if a and b and a != b else None

    def query(self) -> str:
        """The page's choices as a query string (the per-table CSV links repeat them)."""
        data = QueryDict(mutable=True)
        for name in FIELDS:
            value = self.cleaned_data.get(name)
            if value not in (None, "", False):
                data[name] = "1" if value is True else str(value)
        return data.urlencode()

    def api_url(self) -> str:
        """The same report (period and team) from the API."""
        report_filter = self.report_filter()
        period = str(report_filter.start.year)
        if report_filter.is_range:
            period += f"-{report_filter.end.year}"
        data = QueryDict(mutable=True)
        if self.cleaned_data.get("team"):
            data["team"] = self.cleaned_data["team"]
        if self.cross():
            # The crossed table chosen on the page, as the API's `cross` parameter.
            data["cross"] = ",".join(self.cross())
        url = reverse("reports:api-report", args=[period])
        return f"{url}?{data.urlencode()}" if data else url

    def team_label(self) -> str:
        return dict(self.fields["team"].choices).get(self.cleaned_data.get("team") or "", "")


def report_form(data: QueryDict, scope: ReportScope, evolution: list[dict] = ()) -> ReportForm:
    """The report form bound to the request's choices, or to the last complete year on record."""
    if not any(name in data for name in FIELDS):
        data = QueryDict(mutable=True)
        last_complete = timezone.localdate().year - 1
        years = [row["year"] for row in evolution if row["year"] <= last_complete]
        data["year_from"] = str(years[-1] if years else last_complete)
    if not scope.all_teams and not data.get("team"):
        # A team coordinator's report is always for their own team.
        data = data.copy()
        data["team"] = scope.team_codes[0]
    return ReportForm(data, scope=scope)
