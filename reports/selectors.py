"""Counting: every figure of a report, computed in the database.

One grouped query (values().annotate(Count)) per table or per group of tables that share
a grouping; derived dimensions are mapped from the grouped codes, never row by row. A whole
report takes a constant number of queries whatever the data size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import ExtractMonth, ExtractYear
from django.http import Http404
from django.utils import translation

from accounts.models import Role
from referrals.models import Referral
from registration.models import Code, Contact, ReportedPerson, Team, ViolenceForm

from . import cube
from .dimensions import (
    CALLER_AGE_GROUP_CODES,
    CALLER_AGE_GROUPS,
    CALLER_RELATION_GROUP_CODES,
    CALLER_ROLE_CODES,
    CONTACT,
    CONTEXT_ROLLUP_CODES,
    DERIVED_LABELS,
    DIMENSIONS,
    HOUR_CODES,
    LEEG_LABEL,
    MONTH_LABELS,
    MULTI,
    PERSON,
    WITHIN_OPENING_HOURS_CODES,
    WITHOUT_PERSON,
    WITHOUT_PERSON_LABEL,
    relation_group_fallback,
)

LEVEL_RANK = {CONTACT: 0, PERSON: 1, MULTI: 2}
MULTI_MODELS = {"violence_forms": ViolenceForm, "referrals": Referral}
REPORT_LANGUAGE = "nl-be"

# The tables of every report, in the order of the 2024 annual report and the parliamentary answers.
SINGLE_TABLES = [
    "channel",
    "caller_age",
    "caller_age_group",
    "caller_gender",
    "anonymous",
    "caller_relation",
    "caller_relation_group",
    "caller_role",
    "team",
    "caller_region",
    "within_opening_hours",
    "month",
    "hour",
    "person_gender",
    "person_age",
    "problem",
    "problem_series",
    "context",
    "context_rollup",
    "violence_forms",
    "referrals",
]
CROSS_TABLES = [
    ("month", "channel"),
    ("month", "caller_gender"),
    ("caller_age_group", "channel"),
    ("caller_gender", "channel"),
    ("problem", "person_age"),
    ("within_opening_hours", "channel"),
    ("hour", "channel"),
    ("team", "month"),
]
YEAR_TABLES = [
    "channel",
    "caller_age",
    "caller_age_group",
    "caller_gender",
    "caller_role",
    "caller_relation_group",
    "problem",
    "problem_series",
    "person_gender",
    "person_age",
    "context_rollup",
]
TOTALS_CODES = ["contacts", "persons", "contacts_without_person"]
YEAR_TOTALS_CODES = ["contacts", "persons", "contacts_without_person", "person_rows"]


def cross_without_person(first: str, second: str) -> str | None:
    """The contact dimension of a contact × per-person cross (which keeps contacts without a person)."""
    levels = [DIMENSIONS[first].level, DIMENSIONS[second].level]
    if CONTACT in levels and PERSON in levels:
        return first if levels[0] == CONTACT else second
    return None


def standard_groupings() -> list[tuple[tuple[str, ...], bool]]:
    """Every grouping a standard report (a year or a range) asks for, for pre-aggregation."""
    groupings: list[tuple[tuple[str, ...], bool]] = [((key,), False) for key in [*SINGLE_TABLES, "year"]]
    groupings += [(("year",), True), (("year", "problem"), False)]
    for pair in [*CROSS_TABLES, *[("year", key) for key in YEAR_TABLES]]:
        groupings.append((pair, False))
        contact_key = cross_without_person(*pair)
        if contact_key:
            groupings.append(((contact_key,), True))
    return groupings


def report_scope_for(user) -> tuple[str, ...] | None:
    """Return the team codes a user may report on: None for all teams; Http404 if none.

    The one place for report scope: a Flemish coordinator sees every team; a team
    coordinator their own teams; counsellors and administrators no reports at all.
    """
    if not getattr(user, "is_authenticated", False):
        raise Http404
    if user.role == Role.FLEMISH_COORDINATOR:
        return None
    if user.role == Role.TEAM_COORDINATOR:
        codes = tuple(user.teams_on().order_by("sort", "code").values_list("code", flat=True))
        if codes:
            return codes
    raise Http404


@dataclass(frozen=True)
class ReportFilter:
    """The period (by the contact's local date, inclusive) and optional teams of a report."""

    start: date
    end: date
    team_codes: tuple[str, ...] | None = None

    @property
    def years(self) -> list[int]:
        return list(range(self.start.year, self.end.year + 1))

    @property
    def is_range(self) -> bool:
        return self.start.year != self.end.year


def parse_period(text: str) -> ReportFilter:
    """Parse "2024" or "2016-2021" into a ReportFilter; ValueError when it is not a period."""
    text = (text or "").strip()
    parts = text.split("-")
    if len(parts) == 1 and parts[0].isdigit() and len(parts[0]) == 4:
        year = int(parts[0])
        return ReportFilter(date(year, 1, 1), date(year, 12, 31))
    if len(parts) == 2 and all(p.isdigit() and len(p) == 4 for p in parts):
        first, last = int(parts[0]), int(parts[1])
        if first <= last:
            return ReportFilter(date(first, 1, 1), date(last, 12, 31))
    raise ValueError(text)


def share(count: int, total: int) -> float:
    """count / total * 100, rounded half up to two decimals (0 when the total is 0)."""
    if not total:
        return 0.0
    value = (Decimal(count) * 100 / Decimal(total)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return float(value)


@dataclass
class GroupingSpec:
    memo_key: tuple
    base: str
    without_person: bool
    exprs: list
    present: list


@dataclass
class ReportContext:
    """What one report run needs besides the counts: code lists, teams, memoised groupings."""

    filter: ReportFilter
    codes: dict[str, list[Code]] = field(default_factory=dict)
    code_index: dict[tuple[str, str], Code] = field(default_factory=dict)
    teams: list[Team] = field(default_factory=list)
    team_ids: list[int] | None = None
    _grouped: dict[tuple, dict[tuple, int]] = field(default_factory=dict)
    _totals: dict[str, int] | None = None
    # Set while the pre-aggregated counts are refreshed: which contacts to count instead of the period's.
    bucket_where: Any = None

    @classmethod
    def load(cls, report_filter: ReportFilter, *, preaggregated: bool = True) -> ReportContext:
        ctx = cls(filter=report_filter)
        for code in Code.objects.order_by("list", "sort", "code"):
            ctx.codes.setdefault(code.list, []).append(code)
            ctx.code_index[(code.list, code.code)] = code
        ctx.teams = list(Team.objects.order_by("sort", "code"))
        if report_filter.team_codes is not None:
            wanted = set(report_filter.team_codes)
            ctx.team_ids = [t.pk for t in ctx.teams if t.code in wanted]
        if preaggregated and cube.enabled(report_filter):
            cube.load(ctx, standard_groupings())
            ctx._totals = {
                "contacts": sum(ctx._raw(("channel",)).values()),
                "persons": sum(ctx._raw(("problem",)).values()),
                "contacts_without_person": sum(ctx._raw(("year",), without_person=True).values()),
            }
        return ctx

    # --- base querysets -------------------------------------------------------------------
    def where(self, prefix: str = "") -> Q:
        """The report's contacts (period and teams) seen from a model `prefix` away from Contact."""
        if self.bucket_where is not None:
            return self.bucket_where(prefix)
        q = Q(**{f"{prefix}started_on__gte": self.filter.start, f"{prefix}started_on__lte": self.filter.end})
        if self.team_ids is not None:
            q &= Q(**{f"{prefix}team_id__in": self.team_ids})
        return q

    def contacts(self) -> QuerySet:
        return Contact.objects.filter(self.where())

    def persons(self) -> QuerySet:
        return ReportedPerson.objects.filter(self.where("contact__"))

    def multi(self, key: str) -> QuerySet:
        return MULTI_MODELS[key].objects.filter(
            self.where("person__contact__"), person__contact__deleted_at__isnull=True
        )

    def contacts_without_person(self) -> QuerySet:
        return self.contacts().filter(~Exists(ReportedPerson.objects.filter(contact=OuterRef("pk"))))

    # --- grouping -------------------------------------------------------------------------
    def _path(self, key: str, base: str) -> tuple[str, Any]:
        """The grouping expression of dimension `key` on a queryset of level `base`."""
        dim = DIMENSIONS[key]
        if base == CONTACT:
            prefix = ""
        elif base == PERSON:
            prefix = "" if dim.level == PERSON else "contact__"
        else:
            prefix = {CONTACT: "person__contact__", PERSON: "person__"}.get(dim.level, "")
        if dim.level == MULTI:
            if base == key:
                return dim.field, F("code")
            return f"{dim.field}:{base}", F(f"person__{dim.field}__code")
        if dim.field == "month":
            return "month", ExtractMonth(f"{prefix}started_on")
        if dim.field == "year":
            return "year", ExtractYear(f"{prefix}started_on")
        if dim.field == "team":
            return "team", F(f"{prefix}team_id")
        return dim.field, F(f"{prefix}{dim.field}")

    def spec(self, keys: tuple[str, ...], *, without_person: bool = False) -> GroupingSpec:
        """How the counts behind `keys` are grouped: the base level and the grouping expressions."""
        levels = [DIMENSIONS[k].level for k in keys]
        if without_person:
            base = CONTACT
        elif MULTI in levels:
            base = next(k for k in keys if DIMENSIONS[k].level == MULTI)
        else:
            base = max(levels, key=LEVEL_RANK.__getitem__)
        paths = [self._path(k, base) for k in keys]
        memo_key = (base, without_person, tuple(name for name, _ in paths))
        present = [f"person__{DIMENSIONS[k].field}__code" for k in keys if DIMENSIONS[k].level == MULTI and k != base]
        return GroupingSpec(memo_key, base, without_person, [expr for _, expr in paths], present)

    def grouped_queryset(self, spec: GroupingSpec) -> QuerySet:
        """The queryset a grouping counts over (before grouping)."""
        if spec.without_person:
            qs = self.contacts_without_person()
        elif spec.base == CONTACT:
            qs = self.contacts()
        elif spec.base == PERSON:
            qs = self.persons()
        else:
            qs = self.multi(spec.base)
        for path in spec.present:
            qs = qs.filter(**{f"{path}__isnull": False})
        return qs.order_by()

    def _raw(self, keys: tuple[str, ...], *, without_person: bool = False) -> dict[tuple, int]:
        """Counts grouped by the stored values behind `keys` (one query, memoised)."""
        spec = self.spec(keys, without_person=without_person)
        if spec.memo_key not in self._grouped:
            aliases = {f"d{i}": expr for i, expr in enumerate(spec.exprs)}
            rows = self.grouped_queryset(spec).values(**aliases).annotate(n=Count("pk")).values_list(*aliases, "n")
            self._grouped[spec.memo_key] = {tuple(row[:-1]): row[-1] for row in rows}
        return self._grouped[spec.memo_key]

    def map_code(self, key: str, raw: Any) -> Any:
        """The report code of a stored value for dimension `key`."""
        dim = DIMENSIONS[key]
        derive = dim.derive
        if derive is None:
            return raw if raw != "" else None
        if derive == "stored":
            return raw or "unknown"
        if derive == "caller_age_group":
            return CALLER_AGE_GROUPS.get(raw or "", "unknown")
        if derive == "caller_relation_group":
            if not raw:
                return "unknown"
            code = self.code_index.get(("caller_relation", raw))
            return (code.rollup if code and code.rollup else None) or relation_group_fallback(raw)
        if derive == "context_rollup":
            code = self.code_index.get(("context", raw or ""))
            return code.rollup if code and code.rollup else "unknown"
        if derive == "problem_series":
            if not raw:
                return None
            code = self.code_index.get(("problem", raw))
            return code.rollup if code and code.rollup else raw
        if derive == "team":
            if raw is None:
                return None
            return next((t.code for t in self.teams if t.pk == raw), str(raw))
        if derive == "month":
            return f"{int(raw):02d}"
        if derive == "hour":
            return None if raw is None else f"{int(raw):02d}"
        if derive == "year":
            return str(int(raw))
        raise ValueError(derive)

    def counts(self, keys: tuple[str, ...], *, without_person: bool = False) -> dict[tuple, int]:
        """Counts by report code for the dimensions `keys`."""
        result: dict[tuple, int] = {}
        for raw, n in self._raw(keys, without_person=without_person).items():
            codes = tuple(self.map_code(k, v) for k, v in zip(keys, raw, strict=True))
            result[codes] = result.get(codes, 0) + n
        return result

    @property
    def totals(self) -> dict[str, int]:
        if self._totals is None:
            agg = self.contacts().aggregate(
                contacts=Count("pk"),
                contacts_without_person=Count(
                    "pk", filter=~Exists(ReportedPerson.objects.filter(contact=OuterRef("pk")))
                ),
            )
            self._totals = {
                "contacts": agg["contacts"],
                "persons": self.persons().count(),
                "contacts_without_person": agg["contacts_without_person"],
            }
        return self._totals

    # --- codes, order and labels ------------------------------------------------------------
    def _in_period(self, code: Code) -> bool:
        return (code.valid_from is None or code.valid_from <= self.filter.end) and (
            code.valid_until is None or code.valid_until >= self.filter.start
        )

    def universe(self, key: str, counted: set) -> list:
        """The row codes of dimension `key` in sort order: codes valid in the period, others
        (retired or not yet valid) only when they have counts, then Leeg."""
        dim = DIMENSIONS[key]
        counted = counted - {WITHOUT_PERSON}
        if dim.code_list and dim.derive is None:
            listed = self.codes.get(dim.code_list, [])
            codes = [c.code for c in listed if self._in_period(c) or c.code in counted]
            known = {c.code for c in listed}
            codes += sorted(c for c in counted if c is not None and c not in known)
        elif dim.derive == "problem_series":
            codes = []
            for c in self.codes.get("problem", []):
                series = c.rollup or c.code
                if series not in codes and (self._in_period(c) or series in counted):
                    codes.append(series)
            codes += sorted(c for c in counted if c is not None and c not in codes)
        elif dim.derive == "team":
            wanted = self.filter.team_codes
            codes = [
                t.code for t in self.teams if t.code in counted or (t.active and (wanted is None or t.code in wanted))
            ]
            return codes + ([None] if wanted is None else [])
        elif dim.derive == "month":
            if self.filter.is_range:
                return [f"{m:02d}" for m in range(1, 13)]
            return [f"{m:02d}" for m in range(self.filter.start.month, self.filter.end.month + 1)]
        elif dim.derive == "hour":
            return list(HOUR_CODES)
        elif dim.derive == "year":
            return [str(y) for y in self.filter.years]
        else:
            fixed = {
                "caller_age_group": CALLER_AGE_GROUP_CODES,
                "caller_relation_group": CALLER_RELATION_GROUP_CODES,
                "context_rollup": CONTEXT_ROLLUP_CODES,
            }.get(dim.derive or "")
            if fixed is None:
                fixed = {"caller_role": CALLER_ROLE_CODES, "within_opening_hours": WITHIN_OPENING_HOURS_CODES}[key]
            return list(fixed)
        return codes + ([None] if dim.has_leeg else [])

    def label(self, key: str, code: Any) -> str:
        """The label of a row code in the active language."""
        if code is None:
            return str(LEEG_LABEL)
        if code == WITHOUT_PERSON:
            return str(WITHOUT_PERSON_LABEL)
        dim = DIMENSIONS[key]
        if dim.derive in DERIVED_LABELS or key in DERIVED_LABELS:
            return str(DERIVED_LABELS.get(key, {}).get(code, code))
        if dim.derive == "team":
            return next((t.name for t in self.teams if t.code == code), code)
        if dim.derive == "month":
            return str(MONTH_LABELS[int(code) - 1])
        if dim.derive == "hour":
            return f"{code}:00–{code}:59"
        if dim.derive == "year":
            return code
        list_name = "problem" if dim.derive == "problem_series" else dim.code_list
        found = self.code_index.get((list_name or "", code))
        return found.label if found else code


def single_table(ctx: ReportContext, key: str) -> dict:
    """One dimension: a row per code with label, count and share of the table's total."""
    dim = DIMENSIONS[key]
    counts = {codes[0]: n for codes, n in ctx.counts((key,)).items()}
    rows_codes = ctx.universe(key, set(counts))
    extra: dict[Any, int] = {}
    if dim.level == PERSON:
        rows_codes.append(WITHOUT_PERSON)
        extra[WITHOUT_PERSON] = ctx.totals["contacts_without_person"]
    values = [(code, counts.get(code, 0) + extra.get(code, 0)) for code in rows_codes]
    total = sum(n for _, n in values)
    rows = []
    for code, n in values:
        row = {"code": code, "label": ctx.label(key, code), "count": n, "share": share(n, total)}
        if dim.level == MULTI:
            row["share_of_persons"] = share(n, ctx.totals["persons"])
        rows.append(row)
    return {"unit": "contact" if dim.level == CONTACT else "person", "total": total, "rows": rows}


def cross_table(ctx: ReportContext, first: str, second: str) -> dict:
    """Two dimensions crossed: a row per pair of codes in both lists' order.

    A contact dimension crossed with a per-person one counts reported persons and keeps the
    contacts without a reported person as the person side's `without_person`; two per-person
    dimensions count reported persons only.
    """
    keys = (first, second)
    levels = [DIMENSIONS[k].level for k in keys]
    counts = dict(ctx.counts(keys))
    person_side = None
    if CONTACT in levels and PERSON in levels and MULTI not in levels:
        person_side = levels.index(PERSON)
        contact_key = keys[1 - person_side]
        for (code,), n in ctx.counts((contact_key,), without_person=True).items():
            pair = [code, code]
            pair[person_side] = WITHOUT_PERSON
            counts[tuple(pair)] = counts.get(tuple(pair), 0) + n
    universes = []
    for i, key in enumerate(keys):
        universe = ctx.universe(key, {c[i] for c in counts})
        if person_side == i:
            universe.append(WITHOUT_PERSON)
        universes.append(universe)
    rows = [
        {
            "code": [a, b],
            "label": [ctx.label(first, a), ctx.label(second, b)],
            "count": counts.get((a, b), 0),
        }
        for a in universes[0]
        for b in universes[1]
    ]
    unit = "contact" if levels == [CONTACT, CONTACT] else "person"
    return {"unit": unit, "total": sum(r["count"] for r in rows), "dimensions": list(keys), "rows": rows}


def totals_table(ctx: ReportContext) -> dict:
    """Contacts, reported persons and contacts without a reported person (always three rows)."""
    labels = {
        "contacts": translation.gettext("Contacten"),
        "persons": translation.gettext("Gemelde personen"),
        "contacts_without_person": translation.gettext("Contacten zonder gemelde persoon"),
    }
    return {"rows": [{"code": c, "label": labels[c], "count": ctx.totals[c]} for c in TOTALS_CODES]}


def year_totals_table(ctx: ReportContext) -> dict:
    """Per year: contacts, reported persons, contacts without one, and person rows (Parliament's
    "gemelde personen": reported persons plus contacts without one)."""
    contacts = {c[0]: n for c, n in ctx.counts(("year",)).items()}
    without = {c[0]: n for c, n in ctx.counts(("year",), without_person=True).items()}
    persons: dict[str, int] = {}
    for (year, _problem), n in ctx.counts(("year", "problem")).items():
        persons[year] = persons.get(year, 0) + n
    rows = []
    for year in ctx.universe("year", set()):
        values = {
            "contacts": contacts.get(year, 0),
            "persons": persons.get(year, 0),
            "contacts_without_person": without.get(year, 0),
        }
        values["person_rows"] = values["persons"] + values["contacts_without_person"]
        rows += [{"code": [year, c], "count": values[c]} for c in YEAR_TOTALS_CODES]
    return {"unit": "mixed", "dimensions": ["year", "totals"], "rows": rows}


def report_tables(
    report_filter: ReportFilter, *, extra_crosses=(), preaggregated: bool = True
) -> tuple[ReportContext, dict]:
    """Return the context and every table of the report for a period and optional teams."""
    ctx = ReportContext.load(report_filter, preaggregated=preaggregated)
    tables: dict[str, dict] = {"totals": totals_table(ctx)}
    for key in SINGLE_TABLES:
        tables[key] = single_table(ctx, key)
    crosses = list(CROSS_TABLES)
    if report_filter.is_range:
        tables["year"] = single_table(ctx, "year")
        tables["year_x_totals"] = year_totals_table(ctx)
        crosses += [("year", key) for key in YEAR_TABLES]
    for pair in [*crosses, *extra_crosses]:
        name = f"{pair[0]}_x_{pair[1]}"
        if name not in tables:
            tables[name] = cross_table(ctx, *pair)
    if report_filter.is_range:
        tables["year_x_problem_series"]["series"] = "comparable"
        tables["year_x_problem_series"]["note"] = translation.gettext(
            "Vergelijkbare reeks over de codewijziging van 1 juli 2021: de twee codes 'tussen volwassenen' "
            "tellen als Geweld tegen volwassenen, ritueel en eergerelateerd geweld samen."
        )
    return ctx, tables


def build_report(
    report_filter: ReportFilter, *, extra_crosses=(), language: str = REPORT_LANGUAGE, preaggregated: bool = True
) -> dict:
    """Return the report JSON of domain.md ("Report JSON") for a period and optional teams."""
    with translation.override(language):
        _ctx, tables = report_tables(report_filter, extra_crosses=extra_crosses, preaggregated=preaggregated)
    team = report_filter.team_codes
    return {
        "period": {"from": report_filter.start.isoformat(), "to": report_filter.end.isoformat()},
        "team": None if team is None else (team[0] if len(team) == 1 else list(team)),
        "tables": tables,
    }


def yearly_evolution(team_codes: tuple[str, ...] | None = None) -> list[dict]:
    """Contacts and reported persons per year over every year on record (two queries)."""
    contacts = Contact.objects.all()
    persons = ReportedPerson.objects.all()
    if team_codes is not None:
        contacts = contacts.filter(team__code__in=team_codes)
        persons = persons.filter(contact__team__code__in=team_codes)
    per_year: dict[int, dict[str, int]] = {}
    for row in contacts.order_by().values(year=ExtractYear("started_on")).annotate(n=Count("pk")):
        per_year.setdefault(row["year"], {"contacts": 0, "persons": 0})["contacts"] = row["n"]
    for row in persons.order_by().values(year=ExtractYear("contact__started_on")).annotate(n=Count("pk")):
        per_year.setdefault(row["year"], {"contacts": 0, "persons": 0})["persons"] = row["n"]
    return [{"year": year, **values} for year, values in sorted(per_year.items())]
