"""The report JSON against an independent count.

Random registrations in the interchange format are imported with import_contacts, then every
figure of `report YEAR --format json` is compared with a count made here in plain Python
straight from the records, following domain.md's counting conventions. The two share no code.
"""

import io
import json
import random
from collections import Counter
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import holidays
import pytest
from django.core.management import call_command

from registration.interchange import import_lines

pytestmark = pytest.mark.django_db

BRUSSELS = ZoneInfo("Europe/Brussels")
DATA = json.loads(open("registration/data/code_lists.json", encoding="utf-8").read())
LISTS = {name: [c["code"] for c in codes] for name, codes in DATA["lists"].items()}
TEAMS = [t["code"] for t in DATA["teams"]]
ROLE = {c["code"]: c["caller_role"] for c in DATA["lists"]["caller_relation"]}
RELATION_GROUP = {c["code"]: c["relation_group"] for c in DATA["lists"]["caller_relation"]}
ROLLUP = {c["code"]: c["rollup"] for c in DATA["lists"]["context"]}
SERIES = {c["code"]: c["series"] for c in DATA["lists"]["problem"]}
AGE_GROUP = {code: group for group, codes in DATA["derived"]["caller_age_group"].items() for code in codes if code}
OPENING_HOURS = DATA["opening_hours"]
# The helpline's live channels close on Belgian public holidays.
HOLIDAYS = holidays.Belgium(years=range(2012, 2031))
SWITCH = date(2021, 7, 1)


def valid(list_name, code, day):
    item = next(c for c in DATA["lists"][list_name] if c["code"] == code)
    start, end = item["valid_from"], item["valid_until"]
    return (start is None or date.fromisoformat(start) <= day) and (end is None or day <= date.fromisoformat(end))


def pick(rng, list_name, day, empty=0.1):
    if rng.random() < empty:
        return None
    return rng.choice([c for c in LISTS[list_name] if valid(list_name, c, day)])


def make_records(seed, year, n):
    rng = random.Random(seed)
    records = []
    for i in range(n):
        day = date(year, 1, 1) + timedelta(days=rng.randrange(365))
        if i == 0:
            # 23:30 on 31 March in Brussels belongs to March (21:30 UTC).
            started, local = f"{year}-03-31T21:30:00+00:00", datetime(year, 3, 31, 23, 30, tzinfo=BRUSSELS)
            day = local.date()
        elif rng.random() < 0.15:
            started, local = day.isoformat(), None
        else:
            local = datetime(day.year, day.month, day.day, rng.randrange(24), rng.randrange(60), tzinfo=BRUSSELS)
            started = local.isoformat()
        persons = []
        for _ in range(rng.choice([0, 0, 1, 1, 1, 2, 3])):
            persons.append(
                {
                    "gender": pick(rng, "person_gender", day),
                    "age": pick(rng, "person_age", day),
                    "problem": pick(rng, "problem", day),
                    "context": pick(rng, "context", day),
                    "violence_forms": rng.sample(LISTS["violence_forms"], rng.randint(0, 3)),
                    "referrals": rng.sample(LISTS["referrals"], rng.randint(0, 2)),
                }
            )
        records.append(
            {
                "external_id": f"oracle-{year}-{i}",
                "team": rng.choice(TEAMS + [None]) if rng.random() < 0.05 else rng.choice(TEAMS),
                "channel": pick(rng, "channel", day),
                "started_at": started,
                "caller_region": pick(rng, "caller_region", day),
                "caller_age": pick(rng, "caller_age", day),
                "caller_gender": pick(rng, "caller_gender", day),
                "anonymous": pick(rng, "anonymous", day),
                "caller_relation": pick(rng, "caller_relation", day, empty=0.2),
                "persons": persons,
                "_day": day,
                "_hour": None if local is None else f"{local.hour:02d}",
                "_local": local,
            }
        )
    return records


def share(count, total):
    if not total:
        return 0.0
    return float((Decimal(count) * 100 / Decimal(total)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def opening(record):
    """within / outside / unknown, straight from the opening hours of domain.md and the holidays."""
    local, channel = record["_local"], record["channel"]
    if local is None or channel is None:
        return "unknown"
    periods = [p for p in OPENING_HOURS if p["channel"] == channel and p["valid_from"] <= local.date().isoformat()]
    if not periods:
        return "outside"
    slots = max(periods, key=lambda p: p["valid_from"])["slots"]
    if slots == "always":
        return "within"
    if local.date() in HOLIDAYS:
        return "outside"
    now = local.strftime("%H:%M")
    return (
        "within"
        if any(s["weekday"] == local.weekday() and s["opens"] <= now < s["closes"] for s in slots)
        else "outside"
    )


def contact_table(records, key):
    return Counter(key(r) for r in records)


def person_table(records, key, *, without_person=True):
    counts = Counter(key(p) for r in records for p in r["persons"])
    if without_person:
        counts["without_person"] = sum(1 for r in records if not r["persons"])
    return counts


def expected_tables(records):
    persons = [p for r in records for p in r["persons"]]
    month = lambda r: f"{r['_day'].month:02d}"  # noqa: E731
    age_group = lambda r: AGE_GROUP.get(r["caller_age"], "unknown")  # noqa: E731
    series = lambda p: SERIES[p["problem"]] if p["problem"] else None  # noqa: E731
    tables = {
        "totals": Counter(
            {
                "contacts": len(records),
                "persons": len(persons),
                "contacts_without_person": sum(1 for r in records if not r["persons"]),
            }
        ),
        "channel": contact_table(records, lambda r: r["channel"]),
        "caller_age": contact_table(records, lambda r: r["caller_age"]),
        "caller_age_group": contact_table(records, age_group),
        "caller_gender": contact_table(records, lambda r: r["caller_gender"]),
        "anonymous": contact_table(records, lambda r: r["anonymous"]),
        "caller_relation": contact_table(records, lambda r: r["caller_relation"]),
        "caller_relation_group": contact_table(records, lambda r: RELATION_GROUP.get(r["caller_relation"], "unknown")),
        "caller_role": contact_table(records, lambda r: ROLE.get(r["caller_relation"], "unknown")),
        "team": contact_table(records, lambda r: r["team"]),
        "caller_region": contact_table(records, lambda r: r["caller_region"]),
        "within_opening_hours": contact_table(records, opening),
        "month": contact_table(records, month),
        "hour": contact_table(records, lambda r: r["_hour"]),
        "person_gender": person_table(records, lambda p: p["gender"]),
        "person_age": person_table(records, lambda p: p["age"]),
        "problem": person_table(records, lambda p: p["problem"]),
        "problem_series": person_table(records, series),
        "context": person_table(records, lambda p: p["context"]),
        "context_rollup": person_table(records, lambda p: ROLLUP.get(p["context"], "unknown")),
        "violence_forms": Counter(code for p in persons for code in p["violence_forms"]),
        "referrals": Counter(code for p in persons for code in p["referrals"]),
        "month_x_channel": contact_table(records, lambda r: (month(r), r["channel"])),
        "month_x_caller_gender": contact_table(records, lambda r: (month(r), r["caller_gender"])),
        "caller_age_group_x_channel": contact_table(records, lambda r: (age_group(r), r["channel"])),
        "caller_gender_x_channel": contact_table(records, lambda r: (r["caller_gender"], r["channel"])),
        "problem_x_person_age": Counter((p["problem"], p["age"]) for p in persons),
        "within_opening_hours_x_channel": contact_table(records, lambda r: (opening(r), r["channel"])),
        "hour_x_channel": contact_table(records, lambda r: (r["_hour"], r["channel"])),
        "team_x_month": contact_table(records, lambda r: (r["team"], month(r))),
    }
    return tables


def as_counter(table):
    counts = Counter()
    for row in table["rows"]:
        code = tuple(row["code"]) if isinstance(row["code"], list) else row["code"]
        assert code not in counts, f"row {code!r} appears twice"
        counts[code] = row["count"]
    return +counts  # drop zero rows: they carry no figure to compare


def run_report(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("report", *args, "--format", "json", stdout=out, stderr=err)
    return json.loads(out.getvalue())


def test_every_figure_of_the_year_report_matches_an_independent_count():
    records = make_records(seed=1712, year=2021, n=400)
    # Noise in the neighbouring years must not leak into 2021.
    noise = make_records(seed=7, year=2020, n=30) + make_records(seed=8, year=2022, n=30)
    import_lines([json.dumps({k: v for k, v in r.items() if not k.startswith("_")}) for r in records + noise])

    report = run_report("2021")
    assert report["period"] == {"from": "2021-01-01", "to": "2021-12-31"}
    assert report["team"] is None
    tables = report["tables"]
    expected_by_table = expected_tables(records)
    assert list(tables) == list(expected_by_table)
    for key, expected in expected_by_table.items():
        assert as_counter(tables[key]) == +expected, f"table {key} differs"
    # The opening hours were put to the test: contacts inside, outside and without a time.
    assert set(expected_by_table["within_opening_hours"]) == {"within", "outside", "unknown"}

    # Totals and shares follow domain.md: the without-person and Leeg rows count in the total.
    persons = sum(len(r["persons"]) for r in records)
    without = sum(1 for r in records if not r["persons"])
    problem = tables["problem"]
    assert problem["unit"] == "person"
    assert problem["total"] == persons + without
    for row in problem["rows"]:
        assert row["share"] == share(row["count"], problem["total"]), row
    leeg = next(row for row in problem["rows"] if row["code"] is None)
    assert leeg["label"] == "Leeg"
    assert tables["channel"]["total"] == len(records)
    mentions = sum(len(p["violence_forms"]) for r in records for p in r["persons"])
    assert tables["violence_forms"]["total"] == mentions
    for row in tables["violence_forms"]["rows"]:
        assert row["share"] == share(row["count"], mentions)
        if "share_of_persons" in row:
            assert row["share_of_persons"] == share(row["count"], persons)
    # Rows follow the code list's sort order, Leeg and without_person after the codes.
    order = [row["code"] for row in tables["caller_age"]["rows"] if row["code"] is not None]
    assert order == [c for c in LISTS["caller_age"] if c in order]


def test_a_team_report_counts_only_that_team():
    records = make_records(seed=3, year=2024, n=200)
    import_lines([json.dumps({k: v for k, v in r.items() if not k.startswith("_")}) for r in records])
    mine = [r for r in records if r["team"] == "limburg"]
    report = run_report("2024", "--team", "limburg")
    assert report["team"] == "limburg"
    expected_by_table = expected_tables(mine)
    assert list(report["tables"]) == list(expected_by_table)
    for key, expected in expected_by_table.items():
        assert as_counter(report["tables"][key]) == +expected, f"table {key} differs"


def test_a_range_report_has_year_tables_and_the_comparable_series():
    records = make_records(seed=11, year=2020, n=120) + make_records(seed=12, year=2021, n=120)
    import_lines([json.dumps({k: v for k, v in r.items() if not k.startswith("_")}) for r in records])
    report = run_report("2020-2021")
    assert report["period"] == {"from": "2020-01-01", "to": "2021-12-31"}
    tables = report["tables"]
    persons = [(r["_day"].year, p) for r in records for p in r["persons"]]
    expected_series = Counter((str(y), SERIES[p["problem"]] if p["problem"] else None) for y, p in persons)
    got = as_counter(tables["year_x_problem_series"])
    # Whether the series table also carries per-year without-person rows is the report's choice;
    # every person figure must match.
    got = Counter({k: v for k, v in got.items() if k[1] != "without_person"})
    assert got == +expected_series
    # The old and new adult-violence codes meet in one series.
    assert not any(code[1] in {"intrafamily_adult_violence", "extrafamily_adult_violence"} for code in got)
    assert as_counter(tables["totals"]) == +Counter(
        {
            "contacts": len(records),
            "persons": len(persons),
            "contacts_without_person": sum(1 for r in records if not r["persons"]),
        }
    )
    year_contacts = as_counter(tables["year_x_caller_role"])
    assert sum(year_contacts.values()) == len(records)


def test_a_deleted_contact_leaves_the_figures():
    from django.utils import timezone

    from registration.models import Contact

    records = make_records(seed=5, year=2023, n=40)
    import_lines([json.dumps({k: v for k, v in r.items() if not k.startswith("_")}) for r in records])
    gone = next(r for r in records if len(r["persons"]) >= 2)
    Contact.objects.filter(external_id=gone["external_id"]).update(deleted_at=timezone.now())
    kept = [r for r in records if r is not gone]
    tables = run_report("2023")["tables"]
    expected_by_table = expected_tables(kept)
    assert list(tables) == list(expected_by_table)
    for key, expected in expected_by_table.items():
        assert as_counter(tables[key]) == +expected, f"table {key} differs"
