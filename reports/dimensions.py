"""The dimensions a report counts by: one small class per kind of dimension.

A dimension knows at which level it lives (the contact, the reported person, or a
multi-valued field of the person), what it groups by, how a grouped stored value becomes
its report code, its row codes in order and their labels. The kinds:

- CodeListDimension: a coded field, its rows the codes of its list (plus Leeg);
- MultiCodeListDimension: a multi-valued coded field of the person (forms of violence, referrals);
- RollupDimension: a coded field rolled up by its codes' `Code.rollup` (age group, relation
  group, context roll-up), into a fixed set of groups;
- SeriesDimension: the problems rolled up into their comparable series (`Code.rollup` of a problem);
- StoredDimension: a value the contact derives and stores itself (caller role, opening hours);
- TeamDimension, MonthDimension, HourDimension, YearDimension: who and when.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db.models import F
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils.translation import gettext_lazy as _

from referrals.models import Referral
from registration.models import AGE_GROUPS, RELATION_GROUPS, Code, Team, ViolenceForm

from .notes import recorded_from

if TYPE_CHECKING:
    from registration.codebook import CodeBook

    from .selectors.scope import ReportFilter

CONTACT = "contact"
PERSON = "person"
MULTI = "multi"

WITHOUT_PERSON = "without_person"
LEEG_LABEL = _("Leeg")
WITHOUT_PERSON_LABEL = _("Meldingen zonder gemelde persoon")

MONTH_LABELS = [
    _("januari"),
    _("februari"),
    _("maart"),
    _("april"),
    _("mei"),
    _("juni"),
    _("juli"),
    _("augustus"),
    _("september"),
    _("oktober"),
    _("november"),
    _("december"),
]


def path_to(level: str, base: str) -> str:
    """The lookup prefix from a row of `base` (a level, or the key of a multi-valued dimension) to `level`."""
    if base == CONTACT:
        return ""
    if base == PERSON:
        return "" if level == PERSON else "contact__"
    return {CONTACT: "person__contact__", PERSON: "person__"}.get(level, "")


@dataclass(frozen=True)
class ReportCodes:
    """What a dimension names its rows from: the code lists, the teams and the report's period."""

    book: CodeBook
    teams: list[Team]
    filter: ReportFilter

    def in_period(self, code: Code) -> bool:
        start, end = self.filter.start, self.filter.end
        return (code.valid_from is None or code.valid_from <= end) and (
            code.valid_until is None or code.valid_until >= start
        )


class Dimension:
    """A way to count: its level, what it groups by, and how its rows are coded and named."""

    has_leeg = False

    def __init__(self, key: str, title, *, field: str | None = None, level: str = CONTACT):
        self.key = key
        self.title = title
        self.field = field or key
        self.level = level

    def grouping(self, base: str) -> tuple[str, Any]:
        """The name and expression of the stored value grouped by, on a queryset of level `base`."""
        return self.field, F(path_to(self.level, base) + self.field)

    def code(self, raw: Any, codes: ReportCodes) -> Any:
        """The report code of a grouped stored value."""
        raise NotImplementedError

    def row_codes(self, codes: ReportCodes, counted: set) -> list:
        """The table's row codes in order, given the codes that have counts."""
        raise NotImplementedError

    def label(self, code: Any, codes: ReportCodes) -> str:
        """The label of one of the dimension's own codes in the active language."""
        raise NotImplementedError

    def valid_between(self, code: Any, codes: ReportCodes) -> tuple[date | None, date | None]:
        """The first and last day a row code could be recorded (None: no limit)."""
        return None, None

    def row_label(self, code: Any, codes: ReportCodes) -> str:
        """The label of a row: Leeg, the contacts without a reported person, or the dimension's own."""
        if code is None:
            return str(LEEG_LABEL)
        if code == WITHOUT_PERSON:
            return str(WITHOUT_PERSON_LABEL)
        return self.label(code, codes)


class CodeListDimension(Dimension):
    """A coded field: a row per code valid in the period, retired codes only when counted, then Leeg."""

    has_leeg = True

    def __init__(self, key: str, title, *, code_list: str | None = None, show_code: bool = False, **kwargs):
        super().__init__(key, title, **kwargs)
        self.code_list = code_list or key
        # The relation codes are numbers counsellors and Parliament's tables use; their labels
        # repeat across groups ("kinderen en jongeren"), so the page shows code and group.
        self.show_code = show_code

    def code(self, raw, codes):
        return raw if raw != "" else None

    def valid_between(self, code, codes):
        found = codes.book.find(self.code_list, code)
        if found is None:
            return None, None
        first = found.valid_from
        recorded = recorded_from(self.code_list, code)
        if recorded and (first is None or recorded > first):
            first = recorded
        return first, found.valid_until

    def row_codes(self, codes, counted):
        listed = codes.book.codes.get(self.code_list, [])
        rows = [c.code for c in listed if codes.in_period(c) or c.code in counted]
        known = {c.code for c in listed}
        rows += sorted(c for c in counted if c is not None and c not in known)
        return rows + ([None] if self.has_leeg else [])

    def label(self, code, codes):
        return codes.book.label(self.code_list, code)


class MultiCodeListDimension(CodeListDimension):
    """A multi-valued coded field of a reported person, stored as rows of its own `model`.

    Grouped on its own rows it counts mentions; next to another multi-valued field it is
    reached through the person.
    """

    has_leeg = False

    def __init__(self, key: str, title, *, model):
        super().__init__(key, title, level=MULTI)
        self.model = model

    def grouping(self, base):
        if base == self.key:
            return self.field, F("code")
        return f"{self.field}:{base}", F(f"person__{self.field}__code")


class GroupDimension(Dimension):
    """A dimension with a fixed set of groups and their labels, in report order (no Leeg row)."""

    def __init__(self, key: str, title, *, groups: dict, **kwargs):
        super().__init__(key, title, **kwargs)
        self.groups = groups

    def row_codes(self, codes, counted):
        return list(self.groups)

    def label(self, code, codes):
        return str(self.groups.get(code, code))


class RollupDimension(GroupDimension):
    """A coded field counted by its codes' roll-up (data); an empty value or a code without one is unknown."""

    def __init__(self, key: str, title, *, code_list: str, **kwargs):
        super().__init__(key, title, field=code_list, **kwargs)
        self.code_list = code_list

    def code(self, raw, codes):
        return codes.book.rollup(self.code_list, raw) or "unknown"


class StoredDimension(GroupDimension):
    """A value the contact derives and stores itself; an empty one is unknown."""

    def code(self, raw, codes):
        return raw or "unknown"


class SeriesDimension(CodeListDimension):
    """Problems as comparable series across code changes: a problem's roll-up, or the problem itself."""

    def code(self, raw, codes):
        if not raw:
            return None
        return codes.book.rollup(self.code_list, raw) or raw

    def row_codes(self, codes, counted):
        rows: list = []
        for c in codes.book.codes.get(self.code_list, []):
            series = c.rollup or c.code
            if series not in rows and (codes.in_period(c) or series in counted):
                rows.append(series)
        rows += sorted(c for c in counted if c is not None and c not in rows)
        return rows + [None]

    def valid_between(self, code, codes):
        """A series runs from its first member's first day to its last member's last day."""
        spans = [
            CodeListDimension.valid_between(self, c.code, codes)
            for c in codes.book.codes.get(self.code_list, [])
            if (c.rollup or c.code) == code
        ]
        if not spans:
            return None, None
        firsts, lasts = [s[0] for s in spans], [s[1] for s in spans]
        return (
            None if None in firsts else min(firsts),
            None if None in lasts else max(lasts),
        )


class TeamDimension(Dimension):
    """The team: active teams (of the report's teams), others only when counted; no team is Leeg."""

    def grouping(self, base):
        return "team", F(path_to(self.level, base) + "team_id")

    def code(self, raw, codes):
        if raw is None:
            return None
        return next((t.code for t in codes.teams if t.pk == raw), str(raw))

    def row_codes(self, codes, counted):
        wanted = codes.filter.team_codes
        rows = [t.code for t in codes.teams if t.code in counted or (t.active and (wanted is None or t.code in wanted))]
        # A report for chosen teams has no contacts without a team.
        return rows + ([None] if wanted is None else [])

    def label(self, code, codes):
        return next((t.name for t in codes.teams if t.code == code), code)


class MonthDimension(Dimension):
    """The month of the contact's local date: the period's months, or all twelve over several years."""

    def grouping(self, base):
        return "month", ExtractMonth(path_to(self.level, base) + "started_on")

    def code(self, raw, codes):
        return f"{int(raw):02d}"

    def row_codes(self, codes, counted):
        period = codes.filter
        if period.is_range:
            return [f"{m:02d}" for m in range(1, 13)]
        return [f"{m:02d}" for m in range(period.start.month, period.end.month + 1)]

    def label(self, code, codes):
        return str(MONTH_LABELS[int(code) - 1])


class HourDimension(Dimension):
    """The hour of the contact's local time; a contact with a date only is Leeg."""

    def code(self, raw, codes):
        return None if raw is None else f"{int(raw):02d}"

    def row_codes(self, codes, counted):
        return [f"{h:02d}" for h in range(24)] + [None]

    def label(self, code, codes):
        return f"{code}:00–{code}:59"


class YearDimension(Dimension):
    """The year of the contact's local date: every year of the period."""

    def grouping(self, base):
        return "year", ExtractYear(path_to(self.level, base) + "started_on")

    def code(self, raw, codes):
        return str(int(raw))

    def row_codes(self, codes, counted):
        return [str(y) for y in codes.filter.years]

    def label(self, code, codes):
        return code


AGE_GROUP_LABELS = {"minor": _("Minderjarig"), "adult": _("Meerderjarig"), "unknown": _("Onbekend")}
RELATION_GROUP_LABELS = {
    "self": _("Slachtoffer zelf"),
    "close_to_victim": _("Iemand uit de omgeving van het slachtoffer"),
    "perpetrator_side": _("Pleger of iemand uit diens omgeving"),
    "work_leisure": _("Via werk of vrije tijd"),
    "unknown": _("Onbekend"),
}

DIMENSIONS: dict[str, Dimension] = {
    d.key: d
    for d in [
        CodeListDimension("channel", _("Kanaal")),
        CodeListDimension("caller_age", _("Leeftijd contactnemer")),
        RollupDimension(
            "caller_age_group",
            _("Leeftijdsgroep contactnemer"),
            code_list="caller_age",
            groups={group: AGE_GROUP_LABELS[group] for group in AGE_GROUPS},
        ),
        CodeListDimension("caller_gender", _("Gender contactnemer")),
        CodeListDimension("anonymous", _("Anonimiteit")),
        CodeListDimension("caller_relation", _("Relatie tot het slachtoffer"), show_code=True),
        RollupDimension(
            "caller_relation_group",
            _("Relatie tot het slachtoffer (gegroepeerd)"),
            code_list="caller_relation",
            groups={group: RELATION_GROUP_LABELS[group] for group in RELATION_GROUPS},
        ),
        StoredDimension(
            "caller_role",
            _("Rol contactnemer"),
            groups={
                "victim": _("Mogelijk slachtoffer"),
                "perpetrator": _("Mogelijke dader"),
                "bystander": _("Omstaander"),
                "unknown": _("Onbekend"),
            },
        ),
        TeamDimension("team", _("Team")),
        CodeListDimension("caller_region", _("Regio contactnemer")),
        StoredDimension(
            "within_opening_hours",
            _("Binnen of buiten de openingsuren"),
            groups={
                "within": _("Binnen de openingsuren"),
                "outside": _("Buiten de openingsuren"),
                # registration.derivation: unknown when the time or the channel is missing.
                "unknown": _("Onbekend (geen tijdstip of geen kanaal)"),
            },
        ),
        MonthDimension("month", _("Maand")),
        HourDimension("hour", _("Uur van de dag"), field="started_hour"),
        YearDimension("year", _("Jaar")),
        CodeListDimension("person_gender", _("Gender gemelde persoon"), field="gender", level=PERSON),
        CodeListDimension("person_age", _("Leeftijd gemelde persoon"), field="age", level=PERSON),
        CodeListDimension("problem", _("Belangrijkste problematiek"), level=PERSON),
        SeriesDimension(
            "problem_series",
            _("Belangrijkste problematiek (vergelijkbare reeks over 2021 heen)"),
            code_list="problem",
            field="problem",
            level=PERSON,
        ),
        CodeListDimension("context", _("Context van het geweld"), level=PERSON),
        RollupDimension(
            "context_rollup",
            _("Context (intra- of extrafamiliaal)"),
            code_list="context",
            level=PERSON,
            groups={
                "intrafamilial": _("Intrafamiliaal"),
                "extrafamilial": _("Extrafamiliaal"),
                "unknown": _("Onbekend"),
            },
        ),
        MultiCodeListDimension("violence_forms", _("Vormen van geweld"), model=ViolenceForm),
        MultiCodeListDimension("referrals", _("Doorverwijzingen"), model=Referral),
    ]
}
