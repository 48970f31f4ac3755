"""The two attacks of issue 12, replayed on the demo's 2024 against the published figures.

(a) Recovering a small cell from other tables: `context` against `context_rollup`, relation Leeg
    as group Onbekend minus code 9999, a crossed table's row total minus its visible cells,
    `within_opening_hours_x_channel`, and, beyond the issue, one team's table against the exact
    table of all teams and the other teams' tables. The attacker knows the method (rounding to
    5, below 10 shown as "< 10", zeros stay zero) and narrows every cell's range by every
    relation between cells until nothing moves; no cell below the threshold comes out exact.
(b) Reading before and after a registration: the Flemish coordinator reads Limburg's 2024, a
    counsellor registers one contact (this month) and one dated back into 2024; reads within
    the month do not change at all, and next month's read differs only in multiples of 5 and
    only in cells that hold the new contact.
"""

import io
import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import transaction

from registration.demo import demo_years_create
from registration.models import Team
from registration.services import PersonInput, RegistrationInput, contact_register
from reports import disclosure
from tests.factories import UserFactory

# Marked so pytest-django runs this module with the database tests (see test_demo_report.py).
pytestmark = pytest.mark.django_db

TEAMS = ["noord-west-vlaanderen", "oost-vlaanderen", "antwerpen", "limburg", "oost-brabant"]
BRUSSELS = ZoneInfo("Europe/Brussels")

# Roll-ups as domain.md defines them, written out here rather than read from the engine.
CONTEXT_ROLLUP = {
    "intrafamilial": ["separated_nuclear_family", "nuclear_family", "extended_family", "foster_family"],
    "extrafamilial": [
        "youth_institution",
        "care_home",
        "psychosocial",
        "medical",
        "sport",
        "leisure",
        "school",
        "work",
        "religion",
        "other_context",
    ],
    "unknown": ["unknown", None],
    "without_person": ["without_person"],
}
CALLER_AGE_GROUP = {
    "minor": ["under_12", "12_17", "minor_unknown"],
    "adult": ["18_64", "65_plus", "adult_unknown"],
    "unknown": ["unknown", None],
}


def relation_group(code):
    if code in (None, "9999"):
        return "unknown"
    if code == "1100":
        return "self"
    if code.startswith("1"):
        return "close_to_victim"
    if code.startswith("2"):
        return "perpetrator_side"
    return "work_leisure"


@pytest.fixture(scope="module")
def demo_2024(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        demo_years_create([2024], seed=1712)
        yield
        transaction.set_rollback(True)


def run(*args) -> dict:
    out = io.StringIO()
    call_command("report", *args, "--format", "json", stdout=out, stderr=io.StringIO())
    return json.loads(out.getvalue())


def key(code):
    return tuple(code) if isinstance(code, list) else code


class Ranges:
    """What an attacker knows of each true count: a range, narrowed by linear relations
    (sum of `plus` minus sum of `minus` = 0) until nothing moves."""

    def __init__(self):
        self.bounds: dict = {}
        self.relations: list[tuple[list, list]] = []

    def know(self, var, low: int, high: int) -> None:
        old_low, old_high = self.bounds.get(var, (0, 10**9))
        self.bounds[var] = (max(old_low, low), min(old_high, high))

    def published(self, var, row: dict, exact: bool) -> None:
        n = row["count"]
        if exact:
            self.know(var, n, n)
        elif row.get("below_threshold"):
            # 1 to 9, or 0 to 9 where an empty cell shows as "< 10" too (the method is public).
            self.know(var, 1 if disclosure.ZEROS_SHOWN else 0, 9)
        elif n == 0:
            self.know(var, 0, 0)
        else:
            # Rounded to the nearest 5; 8 and 9 would have been "< 10".
            self.know(var, max(10, n - 2), n + 2)

    def equal(self, total, parts: list) -> None:
        self.relations.append(([total], list(parts)))

    def narrow(self) -> None:
        changed = True
        while changed:
            changed = False
            for plus, minus in self.relations:
                terms = [(v, 1) for v in plus] + [(v, -1) for v in minus]
                for i, (var, sign) in enumerate(terms):
                    rest_low = sum(self._low(v, s) for j, (v, s) in enumerate(terms) if j != i)
                    rest_high = sum(self._high(v, s) for j, (v, s) in enumerate(terms) if j != i)
                    # sign * var = -(rest)
                    low, high = (-rest_high, -rest_low) if sign == 1 else (rest_low, rest_high)
                    old = self.bounds.setdefault(var, (0, 10**9))
                    new = (max(old[0], low), min(old[1], high))
                    if new != old:
                        assert new[0] <= new[1], f"contradiction at {var}: the attacker's model is wrong"
                        self.bounds[var] = new
                        changed = True

    def _low(self, var, sign):
        low, high = self.bounds.setdefault(var, (0, 10**9))
        return low * sign if sign == 1 else -high

    def _high(self, var, sign):
        low, high = self.bounds.setdefault(var, (0, 10**9))
        return high * sign if sign == 1 else -low


def add_report(ranges: Ranges, team: str, report: dict, *, exact_tables: set = frozenset()) -> None:
    """A report's cells and the relations the attacker reads off it."""
    tables = report["tables"]
    for name, table in tables.items():
        exact = name in exact_tables
        if name == "totals":
            for row in table["rows"]:
                ranges.published((team, name, row["code"]), row, exact)
            continue
        cells = [(team, name, key(row["code"])) for row in table["rows"]]
        for var, row in zip(cells, table["rows"], strict=True):
            ranges.published(var, row, exact)
        total = (team, name, "total")
        if table.get("total") is not None:
            ranges.published(total, {"count": table["total"]}, exact)
        elif table.get("total_below_threshold"):
            ranges.know(total, 1 if disclosure.ZEROS_SHOWN else 0, 9)
        ranges.equal(total, cells)
        if "dimensions" not in table:
            continue
        first, second = table["dimensions"]
        for side, index, dim in (("rows", 0, first), ("columns", 1, second)):
            margin_rows = (table.get("margins") or {}).get(side) or []
            codes = {key(row["code"])[index] for row in table["rows"]}
            for code in codes:
                margin = (team, name, side, code)
                ranges.equal(margin, [v for v in cells if v[2][index] == code])
                row = next((m for m in margin_rows if m["code"] == code), None)
                if row is not None:
                    ranges.published(margin, row, exact)
                # The same cell as the one-way table of the same unit: a crossed table of two
                # contact dimensions, or of two per-person ones (without their without_person row).
                if dim in tables and code != "without_person":
                    ranges.equal(margin, [(team, dim, code)])
    # The issue's relations between tables.
    for rollup, codes in CONTEXT_ROLLUP.items():
        ranges.equal((team, "context_rollup", rollup), [(team, "context", c) for c in codes])
    for group, codes in CALLER_AGE_GROUP.items():
        ranges.equal((team, "caller_age_group", group), [(team, "caller_age", c) for c in codes])
    groups: dict = {}
    for row in tables["caller_relation"]["rows"]:
        groups.setdefault(relation_group(row["code"]), []).append((team, "caller_relation", row["code"]))
    for group, members in groups.items():
        ranges.equal((team, "caller_relation_group", group), members)
    ranges.equal((team, "totals", "contacts"), [(team, "channel", "total")])
    ranges.equal((team, "problem", "without_person"), [(team, "totals", "contacts_without_person")])


def test_no_small_cell_of_one_team_can_be_worked_out(demo_2024):
    published = run("2024", "--team", "antwerpen", "--publish")
    truth = run("2024", "--team", "antwerpen")["tables"]
    everyone = run("2024", "--publish")
    ranges = Ranges()
    add_report(ranges, "antwerpen", published)
    # The Flemish coordinator also reads the other teams, and every team's exact one-way tables.
    for other in TEAMS:
        if other != "antwerpen":
            add_report(ranges, other, run("2024", "--team", other, "--publish"))
    exact = {name for name, table in everyone["tables"].items() if not table.get("perturbed")}
    add_report(ranges, "all", everyone, exact_tables=exact)
    for name in exact - {"totals", "team"}:
        for row in everyone["tables"][name]["rows"]:
            # No contact of the demo is without a team, so all teams add up to the whole.
            ranges.equal(("all", name, key(row["code"])), [(t, name, key(row["code"])) for t in TEAMS])
    ranges.narrow()

    small = [
        (name, key(row["code"]))
        for name, table in published["tables"].items()
        for row in table["rows"]
        if row.get("below_threshold")
    ]
    assert len(small) > 50  # the attack has something to aim at
    truths = {(name, key(row["code"])): row["count"] for name, table in truth.items() for row in table["rows"]}
    recovered = []
    for name, code in small:
        low, high = ranges.bounds[("antwerpen", name, code)]
        assert low <= truths[(name, code)] <= high  # the attacker's reasoning is sound
        # Working out that a cell is empty names no one; working out 1 to 9 people would.
        if low == high and low > 0:
            recovered.append((name, code, low))
    assert recovered == []


def test_the_issues_own_example_gives_a_range_not_a_count(demo_2024):
    """context hides Geloof en religie (2); context_rollup's extrafamilial minus the visible rows
    used to give it back exactly."""
    tables = run("2024", "--team", "antwerpen", "--publish")["tables"]
    context = {row["code"]: row for row in tables["context"]["rows"]}
    assert context["religion"] == {
        "code": "religion",
        "label": "Geloof en religie",
        "count": None,
        "share": None,
        "below_threshold": True,
    }
    extrafamilial = next(r["count"] for r in tables["context_rollup"]["rows"] if r["code"] == "extrafamilial")
    shown = [context[c]["count"] for c in CONTEXT_ROLLUP["extrafamilial"] if context[c]["count"] is not None]
    hidden = [c for c in CONTEXT_ROLLUP["extrafamilial"] if context[c]["count"] is None]
    assert len(hidden) >= 2  # the difference is shared by several cells "< 10"
    # Each published count is off by up to 2: the difference is known only to within 2 * (cells + 1).
    spread = 2 * (len(shown) + 1)
    low = max(len(hidden), extrafamilial - sum(shown) - spread)
    high = min(9 * len(hidden), extrafamilial - sum(shown) + spread)
    assert high - low >= 2 * len(hidden)


@pytest.fixture
def limburg_counsellor(db):
    return UserFactory(username="counsellor_limburg", role="counsellor", teams=["limburg"])


def register(user, day: date, channel: str) -> None:
    started = datetime(day.year, day.month, day.day, 14, 5, tzinfo=BRUSSELS)
    data = RegistrationInput(
        started_on=day,
        started_at=started,
        fields={
            "team": Team.objects.get(code="limburg"),
            "channel": channel,
            "caller_region": "limburg",
            "caller_age": "12_17",
            "caller_gender": "nonbinary_other",
            "anonymous": "no",
            "caller_relation": "1100",
        },
        persons=[
            PersonInput(
                gender="nonbinary_other",
                age="13_17",
                problem="homo_transphobic_violence",
                context="religion",
                violence_forms=["emotional_violence"],
                referrals=["helplines"],
            )
        ],
    )
    contact_register(user=user, data=data)


def test_reads_before_and_after_a_registration_reveal_nothing(
    demo_2024, flemish_coordinator, limburg_counsellor, login, monkeypatch
):
    monkeypatch.setattr("reports.selectors.publication.current_date", lambda: date(2025, 1, 10))
    client = login(flemish_coordinator)

    def read():
        response = client.get("/api/reports/2024/?team=limburg")
        assert response.status_code == 200
        return response.json()

    exact_before = run("2024", "--team", "limburg")["tables"]
    first = read()
    register(limburg_counsellor, date(2025, 1, 10), "chat")  # today: an open month
    assert read() == first
    register(limburg_counsellor, date(2024, 11, 5), "chat")  # dated back into a closed month
    assert read() == first  # the same figures all month

    monkeypatch.setattr("reports.selectors.publication.current_date", lambda: date(2025, 2, 3))
    later = read()
    exact_after = run("2024", "--team", "limburg")["tables"]
    # Which cells hold the back-dated contact (its exact count went up by one).
    holding = {
        (name, key(row["code"]))
        for name, table in exact_after.items()
        for row, before in zip(table["rows"], exact_before[name]["rows"], strict=True)
        if row["count"] != before["count"]
    }
    assert ("channel", "chat") in holding
    changed = []
    for name, table in later["tables"].items():
        for row, before in zip(table["rows"], first["tables"][name]["rows"], strict=True):
            if row != before:
                cell = (name, key(row["code"]))
                # Cells the new contact is not in keep their value (their records and keys did not change).
                assert cell in holding, cell
                changed.append((cell, before["count"], row["count"]))
    for _cell, before, after in changed:
        # Never a difference of one: a multiple of 5, or to or from "< 10".
        assert None in (before, after) or (after - before) % 5 == 0
    # Most tables do not show the contact at all.
    assert len({cell[0] for cell, _b, _a in changed}) < len(later["tables"]) / 2
