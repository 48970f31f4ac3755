"""A report's request parameters checked once for the page, the API and the command line.

Each check returns the clean value or raises ReportParameterError with a message a person can
act on; the API answers it as 400, the command line as an error on standard error.
"""

from __future__ import annotations

from dataclasses import replace

from django.utils import timezone
from django.utils.translation import gettext as _

from registration.models import HELPLINE_START, Team

from .dimensions import DIMENSIONS
from .selectors import ReportFilter, parse_period


class ReportParameterError(ValueError):
    """A parameter of a report request that cannot be answered, with the parameter's name."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def first_and_last_year() -> tuple[int, int]:
    """The years a report can cover: from the helpline's start to this year."""
    return HELPLINE_START.year, timezone.localdate().year


def period_checked(text: str) -> ReportFilter:
    """The period of "2024" or "2016-2021", within the years the helpline has registrations."""
    try:
        report_filter = parse_period(text)
    except ValueError:
        raise ReportParameterError(
            "period", _("Geef een jaar (2024) of een reeks jaren (2016-2021), het eerste jaar eerst.")
        ) from None
    first, last = first_and_last_year()
    if report_filter.start.year < first or report_filter.end.year > last:
        raise ReportParameterError(
            "period",
            _("Er zijn cijfers van %(first)s tot en met %(last)s; kies jaren daartussen.")
            % {"first": first, "last": last},
        )
    return report_filter


def team_checked(code: str) -> str:
    """A team code that exists (checked in Python first: a NUL byte never reaches the database)."""
    codes = list(Team.objects.order_by("sort", "code").values_list("code", flat=True))
    if code not in codes:
        raise ReportParameterError(
            "team",
            _("Onbekend team %(team)s; kies uit: %(codes)s.") % {"team": repr(code), "codes": ", ".join(codes)},
        )
    return code


def cross_checked(text: str) -> tuple[str, str]:
    """ "problem,caller_age_group" as a pair of two different dimensions."""
    names = [part.strip() for part in (text or "").split(",")]
    if len(names) != 2 or not all(names):
        raise ReportParameterError(
            "cross", _("Een kruistabel is twee dimensies met een komma ertussen, bv. problem,caller_age_group.")
        )
    unknown = [name for name in names if name not in DIMENSIONS]
    if unknown:
        raise ReportParameterError(
            "cross",
            _("Onbekende dimensie %(name)s; kies uit: %(names)s.")
            % {"name": repr(unknown[0]), "names": ", ".join(DIMENSIONS)},
        )
    if names[0] == names[1]:
        raise ReportParameterError("cross", _("Kies twee verschillende dimensies."))
    return names[0], names[1]


def crosses_checked(values) -> list[tuple[str, str]]:
    """Every requested cross, in order, each once."""
    crosses: list[tuple[str, str]] = []
    for value in values or ():
        pair = cross_checked(value)
        if pair not in crosses:
            crosses.append(pair)
    return crosses


def with_team(report_filter: ReportFilter, team: str | None) -> ReportFilter:
    return report_filter if team is None else replace(report_filter, team_codes=(team,))
