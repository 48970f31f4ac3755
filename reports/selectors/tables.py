"""The tables of a report: which ones, and each as rows {code, label, count, share}.

A whole report takes a constant number of queries whatever the data size: each table reads
the grouped counts of its dimensions (reports.selectors.counting), shared between tables
that group by the same stored values.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import Any

from django.db.models import Count, Sum
from django.db.models.functions import ExtractYear
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from registration.models import Contact, ReportedPerson, Team

from .. import cube
from ..dimensions import CONTACT, DIMENSIONS, MULTI, PERSON, WITHOUT_PERSON
from ..models import CubeCount
from .counting import Grouping, ReportContext
from .scope import ReportFilter

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
# Crossed with the year in a report over several years.
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
TOTAL_LABELS = {
    "contacts": _("Contacten"),
    "persons": _("Gemelde personen"),
    "contacts_without_person": _("Contacten zonder gemelde persoon"),
    "person_rows": _("Gemelde personen + meldingen zonder GP"),
}


def share(count: int, total: int) -> float:
    """count / total * 100, rounded half up to two decimals (0 when the total is 0)."""
    if not total:
        return 0.0
    value = (Decimal(count) * 100 / Decimal(total)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return float(value)


def cross_without_person(first: str, second: str) -> str | None:
    """The contact dimension of a contact × per-person cross (which keeps contacts without a person)."""
    levels = [DIMENSIONS[first].level, DIMENSIONS[second].level]
    if CONTACT in levels and PERSON in levels:
        return first if levels[0] == CONTACT else second
    return None


def standard_groupings() -> list[Grouping]:
    """Every grouping a standard report (a year or a range) counts, once each, for pre-aggregation."""
    return list(_standard_groupings())


@cache
def _standard_groupings() -> tuple[Grouping, ...]:
    # The tables are fixed, so their groupings are made once (each builds query expressions).
    wanted: list[tuple[tuple[str, ...], bool]] = [((key,), False) for key in [*SINGLE_TABLES, "year"]]
    wanted += [(("year",), True), (("year", "problem"), False)]
    for pair in [*CROSS_TABLES, *[("year", key) for key in YEAR_TABLES]]:
        wanted.append((pair, False))
        contact_key = cross_without_person(*pair)
        if contact_key:
            wanted.append(((contact_key,), True))
    groupings: dict[tuple, Grouping] = {}
    for keys, without_person in wanted:
        grouping = Grouping.of(keys, without_person=without_person)
        groupings.setdefault(grouping.key, grouping)
    return tuple(groupings.values())


def row_validity(
    ctx: ReportContext, keys: tuple[str, ...], code: tuple, count: int, bounds: dict | None = None
) -> dict:
    """What a row adds about its codes' validity within the row's own period (domain.md keeps
    such rows, count 0): `valid: false` when none of its codes could be recorded then (the page
    shows n.v.t.), else `valid_from` / `valid_until` when one starts or stops within it.

    `bounds` (optional) keeps each (dimension, code)'s valid_between for the rows of one table."""
    start, end = ctx.filter.start, ctx.filter.end
    for key, value in zip(keys, code, strict=True):
        # A year or (in a one-year report) a month narrows the row's period.
        if key == "year" and value:
            start, end = max(start, date(int(value), 1, 1)), min(end, date(int(value), 12, 31))
        elif key == "month" and value and not ctx.filter.is_range:
            month = int(value)
            last = date(start.year, 12, 31) if month == 12 else date(start.year, month + 1, 1) - timedelta(days=1)
            start, end = max(start, date(start.year, month, 1)), min(end, last)
    marks: dict[str, str] = {}
    for key, value in zip(keys, code, strict=True):
        if value in (None, WITHOUT_PERSON):
            continue
        if bounds is None:
            first, last = DIMENSIONS[key].valid_between(value, ctx.codes)
        else:
            known = bounds.get((key, value))
            if known is None:
                known = bounds[(key, value)] = DIMENSIONS[key].valid_between(value, ctx.codes)
            first, last = known
        if (first and first > end) or (last and last < start):
            # Counted anyway (a legacy record): the count stands, it is not "n.v.t.".
            return {} if count else {"valid": False}
        if first and first > start:
            marks["valid_from"] = max(marks.get("valid_from", ""), first.isoformat())
        if last and last < end:
            marks["valid_until"] = min(marks.get("valid_until", "9999"), last.isoformat())
    return marks


def single_table(ctx: ReportContext, key: str) -> dict:
    """One dimension: a row per code with label, count and share of the table's total."""
    dim = DIMENSIONS[key]
    counts = {codes[0]: n for codes, n in ctx.counts((key,)).items()}
    keys = {codes[0]: k for codes, k in ctx.keys((key,)).items()}
    rows_codes = ctx.row_codes(key, set(counts))
    extra: dict[Any, int] = {}
    if dim.level == PERSON:
        rows_codes.append(WITHOUT_PERSON)
        extra[WITHOUT_PERSON] = ctx.totals["contacts_without_person"]
        keys[WITHOUT_PERSON] = ctx.total_keys["contacts_without_person"]
    ctx.row_keys[key] = {code: keys.get(code, 0) for code in rows_codes}
    values = [(code, counts.get(code, 0) + extra.get(code, 0)) for code in rows_codes]
    total = sum(n for _, n in values)
    rows = []
    for code, n in values:
        row = {"code": code, "label": ctx.label(key, code), "count": n, "share": share(n, total)}
        if dim.level == MULTI:
            row["share_of_persons"] = share(n, ctx.totals["persons"])
        row.update(row_validity(ctx, (key,), (code,), n))
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
    key_sums = dict(ctx.keys(keys))
    person_side = None
    if CONTACT in levels and PERSON in levels and MULTI not in levels:
        person_side = levels.index(PERSON)
        contact_key = keys[1 - person_side]
        without_keys = ctx.keys((contact_key,), without_person=True)
        for (code,), n in ctx.counts((contact_key,), without_person=True).items():
            pair = [code, code]
            pair[person_side] = WITHOUT_PERSON
            counts[tuple(pair)] = counts.get(tuple(pair), 0) + n
            key_sums[tuple(pair)] = key_sums.get(tuple(pair), 0) + without_keys[(code,)]
    row_codes = []
    for i, key in enumerate(keys):
        codes = ctx.row_codes(key, {c[i] for c in counts})
        if person_side == i:
            codes.append(WITHOUT_PERSON)
        row_codes.append(codes)
    # Each code's label and validity once, not once per pair.
    labels = [{code: ctx.label(key, code) for code in codes} for key, codes in zip(keys, row_codes, strict=True)]
    bounds: dict = {}
    rows = [
        {
            "code": [a, b],
            "label": [labels[0][a], labels[1][b]],
            "count": counts.get((a, b), 0),
            **row_validity(ctx, keys, (a, b), counts.get((a, b), 0), bounds),
        }
        for a in row_codes[0]
        for b in row_codes[1]
    ]
    ctx.row_keys[f"{first}_x_{second}"] = {(a, b): key_sums.get((a, b), 0) for a in row_codes[0] for b in row_codes[1]}
    unit = "contact" if levels == [CONTACT, CONTACT] else "person"
    return {"unit": unit, "total": sum(r["count"] for r in rows), "dimensions": list(keys), "rows": rows}


def totals_table(ctx: ReportContext) -> dict:
    """Contacts, reported persons and contacts without a reported person (always three rows)."""
    ctx.row_keys["totals"] = {c: ctx.total_keys[c] for c in TOTALS_CODES}
    return {"rows": [{"code": c, "label": str(TOTAL_LABELS[c]), "count": ctx.totals[c]} for c in TOTALS_CODES]}


def year_totals_table(ctx: ReportContext) -> dict:
    """Per year: contacts, reported persons, contacts without one, and person rows (Parliament's
    "gemelde personen": reported persons plus contacts without one)."""
    contacts = {c[0]: n for c, n in ctx.counts(("year",)).items()}
    without = {c[0]: n for c, n in ctx.counts(("year",), without_person=True).items()}
    persons: dict[str, int] = {}
    for (year, _problem), n in ctx.counts(("year", "problem")).items():
        persons[year] = persons.get(year, 0) + n
    # The same sums of record keys, for the cells of a published table.
    contact_keys = {c[0]: k for c, k in ctx.keys(("year",)).items()}
    without_keys = {c[0]: k for c, k in ctx.keys(("year",), without_person=True).items()}
    person_keys: dict[str, int] = {}
    for (year, _problem), k in ctx.keys(("year", "problem")).items():
        person_keys[year] = person_keys.get(year, 0) + k
    row_keys: dict[tuple, int] = {}
    rows = []
    for year in ctx.row_codes("year", set()):
        values = {
            "contacts": contacts.get(year, 0),
            "persons": persons.get(year, 0),
            "contacts_without_person": without.get(year, 0),
        }
        values["person_rows"] = values["persons"] + values["contacts_without_person"]
        keys = {
            "contacts": contact_keys.get(year, 0),
            "persons": person_keys.get(year, 0),
            "contacts_without_person": without_keys.get(year, 0),
        }
        keys["person_rows"] = keys["persons"] + keys["contacts_without_person"]
        row_keys.update({(year, c): keys[c] for c in YEAR_TOTALS_CODES})
        rows += [{"code": [year, c], "count": values[c]} for c in YEAR_TOTALS_CODES]
    ctx.row_keys["year_x_totals"] = row_keys
    return {"unit": "mixed", "dimensions": ["year", "totals"], "rows": rows}


def report_tables(
    report_filter: ReportFilter, *, extra_crosses=(), preaggregated: bool = True
) -> tuple[ReportContext, dict]:
    """Return the context and every table of the report for a period and optional teams."""
    ctx = ReportContext.load(report_filter, standard_groupings(), preaggregated=preaggregated)
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
    report_filter: ReportFilter,
    *,
    extra_crosses=(),
    language: str = REPORT_LANGUAGE,
    preaggregated: bool = True,
    publication=None,
) -> dict:
    """Return the report JSON of domain.md ("Report JSON") for a period and optional teams.

    With a `publication` rule (reports.selectors.publication) the period is cut to the closed
    months, the tables it names are perturbed and `disclosure` says how; else `disclosure` is null.
    """
    if publication is not None:
        report_filter = publication.clamp(report_filter)
    with translation.override(language):
        ctx, tables = report_tables(report_filter, extra_crosses=extra_crosses, preaggregated=preaggregated)
    team = report_filter.team_codes
    report = {
        "period": {"from": report_filter.start.isoformat(), "to": report_filter.end.isoformat()},
        "team": None if team is None else (team[0] if len(team) == 1 else list(team)),
        "tables": tables,
    }
    report["disclosure"] = publication.apply(report, report_filter, ctx.row_keys) if publication else None
    return report


def yearly_evolution(team_codes: tuple[str, ...] | None = None, *, publication=None) -> list[dict]:
    """Contacts and reported persons per year over every year on record (one query over the
    pre-aggregated counts on PostgreSQL, else two).

    Under a `publication` rule: closed months only, and perturbed for chosen teams (a count below
    the threshold is None, with `contacts_below_threshold` / `persons_below_threshold`).
    """
    per_year = _evolution_preaggregated(team_codes, publication)
    if per_year is None:
        per_year = _evolution_counted(team_codes, publication)
    perturbed = publication is not None and publication.perturbs_teams(team_codes)
    evolution = []
    for year, values in sorted(per_year.items()):
        row: dict = {"year": year}
        for name, (n, k) in values.items():
            if perturbed:
                cell = publication.published(n, k)
                row[name] = cell["count"]
                if cell.get("below_threshold"):
                    row[f"{name}_below_threshold"] = True
            else:
                row[name] = n
        evolution.append(row)
    return evolution


# Groupings of the pre-aggregated counts (reports.cube) that hold every contact, and every reported
# person, exactly once: contacts by year, reported persons by their gender.
EVOLUTION_GROUPINGS = {"contacts": ("year",), "persons": ("person_gender",)}


def _evolution_preaggregated(team_codes, publication) -> dict[int, dict[str, tuple[int, int]]] | None:
    """Contacts and reported persons per year, (count, sum of record keys), summed from the
    pre-aggregated counts; None where those cannot serve (SQLite, or under the publication rule
    while a registration made since this month's cut is dated in a closed month, as reports.cube.enabled
    decides for a report). One query over the cube instead of counting every contact and person."""
    if publication is None:
        period = ReportFilter(date.min, date.max, team_codes)
    else:
        period = ReportFilter(date.min, publication.closed_until, team_codes, publication.registered_before)
    if not cube.enabled(period):
        return None
    cube.refresh()
    names = {cube.grouping_name(Grouping.of(keys).key): name for name, keys in EVOLUTION_GROUPINGS.items()}
    cells = CubeCount.objects.filter(grouping__in=list(names))
    if publication is not None:
        cells = cells.filter(bucket__lte=publication.closed_until)
    if team_codes is not None:
        cells = cells.filter(team_key__in=Team.objects.filter(code__in=team_codes).values("pk"))
    per_year: dict[int, dict[str, tuple[int, int]]] = {}
    rows = cells.order_by().values("grouping", year=ExtractYear("bucket")).annotate(n=Sum("count"), k=Sum("key_sum"))
    for row in rows:
        # A cell whose rows all went keeps a zero until the cube is rebuilt: no count, no year.
        if row["n"]:
            values = per_year.setdefault(row["year"], {"contacts": (0, 0), "persons": (0, 0)})
            values[names[row["grouping"]]] = (row["n"], row["k"] or 0)
    return per_year


def _evolution_counted(team_codes, publication) -> dict[int, dict[str, tuple[int, int]]]:
    """Contacts and reported persons per year, (count, sum of record keys), counted (two queries)."""
    contacts = Contact.objects.all()
    persons = ReportedPerson.objects.all()
    if team_codes is not None:
        contacts = contacts.filter(team__code__in=team_codes)
        persons = persons.filter(contact__team__code__in=team_codes)
    if publication is not None:
        closed = {"started_on__lte": publication.closed_until, "created_at__lt": publication.registered_before}
        contacts = contacts.filter(**closed)
        persons = persons.filter(**{f"contact__{lookup}": value for lookup, value in closed.items()})
    per_year: dict[int, dict[str, tuple[int, int]]] = {}
    for name, qs, day in (("contacts", contacts, "started_on"), ("persons", persons, "contact__started_on")):
        for row in qs.order_by().values(year=ExtractYear(day)).annotate(n=Count("pk"), k=Sum("record_key")):
            per_year.setdefault(row["year"], {"contacts": (0, 0), "persons": (0, 0)})[name] = (row["n"], row["k"] or 0)
    return per_year
