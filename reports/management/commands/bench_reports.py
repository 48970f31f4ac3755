"""python manage.py bench_reports --contacts N [--year 2024] [--repeat 3]

Generates N contacts of one year (with reported persons, forms of violence and referrals) in a
scratch database — on PostgreSQL a separate database created and dropped here, on SQLite a
temporary file — then times the full annual report (reports.selectors.build_report) and the
equivalent hand-written SQL on the same database, and prints both and their ratio.
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
import uuid
from datetime import date, timedelta

from django.core.management.base import BaseCommand
from django.db import connection
from django.utils import timezone

PERSONS_PER_CONTACT = 1.4

CHANNELS = ["phone", "chat", "email"]
CALLER_AGES = ["under_12", "12_17", "minor_unknown", "18_64", "65_plus", "adult_unknown", "unknown"]
GENDERS = ["female", "male", "nonbinary_other", "unknown"]
ANONYMOUS = ["yes", "no", "unknown"]
REGIONS = ["west-vlaanderen", "oost-vlaanderen", "antwerpen", "limburg", "vlaams-brabant-brussel", "unknown"]
RELATIONS = ["1100", "1200", "1300", "1500", "1700", "1800", "2100", "2200", "3100", "6100", "7000", "9999"]
PERSON_AGES = ["unborn", "0_2", "3_6", "7_12", "13_17", "minor_unknown", "18_59", "60_plus", "adult_unknown", "unknown"]
PROBLEMS = [
    "child_abuse",
    "partner_violence",
    "violence_between_minors",
    "intrafamily_adult_violence",
    "extrafamily_adult_violence",
    "parent_abuse",
    "elder_abuse",
    "trauma_processing",
    "stalking",
    "other_problem",
]
CONTEXTS = ["separated_nuclear_family", "nuclear_family", "extended_family", "school", "work", "sport", "unknown"]
FORMS = ["emotional_violence", "physical_violence", "sexual_violence", "emotional_neglect", "other", "unknown"]
REFERRALS = ["police_justice", "caw", "education", "medical_psychological", "information_advice", "vk_ocj"]
ROLES = {"1100": "victim", "2100": "perpetrator", "9999": "unknown"}


def _sql_array(values: list[str | None]) -> str:
    items = ", ".join("NULL" if v is None else "'" + v.replace("'", "''") + "'" for v in values)
    return f"ARRAY[{items}]::text[]"


def _pick(values: list[str | None]) -> str:
    """A random element of a text array, one draw per row (the row reference defeats caching)."""
    return f"({_sql_array(values)})[1 + floor(random() * {len(values)})::int]"


def hand_written_sql(start: date, end: date) -> list[tuple[str, list]]:
    """The annual report's figures as plain SQL: the same groupings the selectors ask for."""
    where = "c.deleted_at IS NULL AND c.started_on >= %s AND c.started_on <= %s"
    p = [start, end]
    contact = "FROM registration_contact c WHERE " + where
    person = "FROM registration_reportedperson r JOIN registration_contact c ON c.id = r.contact_id WHERE " + where
    month = "EXTRACT(MONTH FROM c.started_on)" if connection.vendor == "postgresql" else "strftime('%%m', c.started_on)"
    queries = [
        ("SELECT list, code, label_nl, rollup, sort, valid_from, valid_until FROM registration_code", []),
        ("SELECT id, code, name FROM registration_team", []),
        (
            "SELECT COUNT(*), COUNT(*) FILTER (WHERE NOT EXISTS "
            "(SELECT 1 FROM registration_reportedperson r WHERE r.contact_id = c.id)) " + contact,
            p,
        ),
        ("SELECT COUNT(*) " + person, p),
    ]
    for column in [
        "c.channel",
        "c.caller_age",
        "c.caller_gender",
        "c.anonymous",
        "c.caller_relation",
        "c.caller_role",
        "c.team_id",
        "c.caller_region",
        "c.within_opening_hours",
        month,
        "c.started_hour",
        f"{month}, c.channel",
        f"{month}, c.caller_gender",
        "c.caller_age, c.channel",
        "c.caller_gender, c.channel",
        "c.within_opening_hours, c.channel",
        "c.started_hour, c.channel",
        f"c.team_id, {month}",
    ]:
        queries.append((f"SELECT {column}, COUNT(*) {contact} GROUP BY {column}", p))
    for column in ["r.gender", "r.age", "r.problem", "r.context", "r.problem, r.age"]:
        queries.append((f"SELECT {column}, COUNT(*) {person} GROUP BY {column}", p))
    for table in ["registration_violenceform", "referrals_referral"]:
        queries.append(
            (
                f"SELECT m.code, COUNT(*) FROM {table} m JOIN registration_reportedperson r ON r.id = m.person_id "
                f"JOIN registration_contact c ON c.id = r.contact_id WHERE {where} GROUP BY m.code",
                p,
            )
        )
    return queries


class Command(BaseCommand):
    help = "Time the annual report against hand-written SQL on N generated contacts in a scratch database."

    def add_arguments(self, parser):
        parser.add_argument("--contacts", type=int, default=10_000)
        parser.add_argument("--year", type=int, default=2024)
        parser.add_argument("--repeat", type=int, default=3, help="runs of each; the median is reported")
        parser.add_argument("--seed", type=int, default=1712)
        parser.add_argument("--keep", action="store_true", help="keep the scratch database (PostgreSQL) to inspect it")

    def handle(self, *args, **options):
        creation = connection.creation
        old_name = connection.settings_dict["NAME"]
        test_settings = connection.settings_dict.setdefault("TEST", {})
        tmp = None
        if connection.vendor == "sqlite":
            handle, tmp = tempfile.mkstemp(prefix="bench_reports_", suffix=".sqlite3")
            os.close(handle)
            test_settings["NAME"] = tmp
        else:
            test_settings["NAME"] = f"{old_name}_bench_{os.getpid()}"
        self.stderr.write(f"Creating the scratch database {test_settings['NAME']} …")
        creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            self._run(options)
        finally:
            if options["keep"] and not tmp:
                self.stderr.write(f"Kept the scratch database {test_settings['NAME']}")
                connection.close()
                connection.settings_dict["NAME"] = old_name
            else:
                creation.destroy_test_db(old_name, verbosity=0)
            if tmp and os.path.exists(tmp):
                os.remove(tmp)

    def _run(self, options):
        n, year = options["contacts"], options["year"]
        started = time.perf_counter()
        if connection.vendor == "postgresql":
            self._generate_postgresql(n, year)
        else:
            self._generate_python(n, year, options["seed"])
        self.stderr.write(f"Generated {n} contacts in {time.perf_counter() - started:.1f} s")

        from registration.models import Contact, ReportedPerson
        from reports.selectors import ReportFilter, build_report

        report_filter = ReportFilter(date(year, 1, 1), date(year, 12, 31))
        persons = ReportedPerson.objects.count()
        repeat = options["repeat"]

        def timed(**kwargs) -> tuple[float, dict]:
            t0 = time.perf_counter()
            report = build_report(report_filter, **kwargs)
            return time.perf_counter() - t0, report

        # Live: every figure counted from the registrations, one grouped query per table.
        timed(preaggregated=False)  # warm the database's and Python's caches
        live_times = [timed(preaggregated=False)[0] for _ in range(repeat)]
        live_seconds, report = timed(preaggregated=False)
        assert report["tables"]["totals"]["rows"][0]["count"] == Contact.objects.count()

        queries = hand_written_sql(report_filter.start, report_filter.end)
        sql_times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            with connection.cursor() as cursor:
                for sql, params in queries:
                    cursor.execute(sql, params)
                    cursor.fetchall()
            sql_times.append(time.perf_counter() - t0)
        live, sql = statistics.median(live_times), statistics.median(sql_times)
        out = [
            f"backend={connection.vendor} contacts={n} persons={persons} year={year}",
            f"annual report, live (reports.selectors, {len(report['tables'])} tables): {live:.3f} s",
            f"hand-written SQL ({len(queries)} queries): {sql:.3f} s",
            f"ratio live / hand-written: {live / sql if sql else float('inf'):.2f}",
        ]
        from reports import cube

        if cube.enabled(report_filter):
            cold, cold_report = timed()
            assert cold_report["tables"] == report["tables"]
            warm = statistics.median([timed()[0] for _ in range(repeat)])
            self._register_one(year)
            changed, changed_report = timed()
            assert changed_report["tables"]["totals"]["rows"][0]["count"] == Contact.objects.count()
            out += [
                f"annual report, pre-aggregated: first build {cold:.3f} s, then {warm:.3f} s",
                f"annual report right after a new registration: {changed:.3f} s",
            ]
        self.stdout.write("\n".join(out) + "\n")

    def _register_one(self, year: int) -> None:
        from registration.models import Contact, ReportedPerson, Team

        contact = Contact(team=Team.objects.first(), channel="phone", started_on=date(year, 6, 3), status="complete")
        contact.refresh_derived()
        contact.save()
        ReportedPerson.objects.create(contact=contact, problem="child_abuse")

    def _generate_postgresql(self, n: int, year: int) -> None:
        start = date(year, 1, 1)
        with connection.cursor() as cursor:
            # A scratch database: history triggers would only slow the generation down.
            cursor.execute("SET session_replication_role = replica")
            cursor.execute(
                f"""
                INSERT INTO registration_contact
                  (uuid, team_id, status, channel, started_at, started_on, started_hour, caller_region,
                   caller_age, caller_gender, anonymous, caller_relation, caller_role, within_opening_hours,
                   actions, created_at, updated_at, version)
                SELECT gen_random_uuid(), t.team_id, 'complete', t.channel,
                       CASE WHEN t.hour IS NULL THEN NULL
                            ELSE (t.day + make_interval(hours => t.hour)) AT TIME ZONE 'Europe/Brussels' END,
                       t.day, t.hour, t.region, t.age, t.gender, t.anon, t.relation,
                       CASE WHEN t.relation IS NULL OR t.relation = '9999' THEN 'unknown'
                            WHEN t.relation = '1100' THEN 'victim' WHEN t.relation = '2100' THEN 'perpetrator'
                            ELSE 'bystander' END,
                       CASE WHEN t.hour IS NULL OR t.channel IS NULL THEN 'unknown'
                            WHEN t.hour BETWEEN 9 AND 17 THEN 'within' ELSE 'outside' END,
                       '[]'::jsonb, now(), now(), 1
                FROM (
                  SELECT g,
                         teams.ids[1 + g %% array_length(teams.ids, 1)] AS team_id,
                         {_pick([*CHANNELS, "phone", "phone", None])} AS channel,
                         %s::date + (floor(random() * 365))::int AS day,
                         CASE WHEN random() < 0.1 THEN NULL ELSE floor(random() * 24)::int END AS hour,
                         {_pick([*REGIONS, None])} AS region,
                         {_pick([*CALLER_AGES, "18_64", "18_64", None])} AS age,
                         {_pick([*GENDERS, "female", "female", None])} AS gender,
                         {_pick([*ANONYMOUS, None])} AS anon,
                         {_pick([*RELATIONS, None])} AS relation
                  FROM generate_series(1, %s) g,
                       (SELECT array_agg(id ORDER BY id) AS ids FROM registration_team) teams
                ) t
                """,
                [start, n],
            )
            cursor.execute(
                f"""
                INSERT INTO registration_reportedperson (uuid, contact_id, position, gender, age, problem, context)
                SELECT gen_random_uuid(), c.id, s.pos,
                       {_pick([*GENDERS, None])}, {_pick([*PERSON_AGES, None])},
                       {_pick([*PROBLEMS, "child_abuse", "child_abuse", "child_abuse", None])},
                       {_pick([*CONTEXTS, "nuclear_family", None])}
                FROM registration_contact c
                CROSS JOIN LATERAL generate_series(
                    0, floor(random() * {2 * PERSONS_PER_CONTACT + 1} + c.id * 0)::int - 1) AS s(pos)
                """
            )
            for table, codes in [("registration_violenceform", FORMS), ("referrals_referral", REFERRALS)]:
                cursor.execute(
                    f"""
                    INSERT INTO {table} (person_id, code)
                    SELECT r.id, x.code FROM registration_reportedperson r
                    CROSS JOIN LATERAL (SELECT code FROM unnest({_sql_array(codes)}) AS code
                                        WHERE random() < 0.25 + r.id * 0) x
                    """
                )
            cursor.execute("SET session_replication_role = DEFAULT")
            cursor.execute(
                "ANALYZE registration_contact; ANALYZE registration_reportedperson; "
                "ANALYZE registration_violenceform; ANALYZE referrals_referral"
            )

    def _generate_python(self, n: int, year: int, seed: int) -> None:
        from referrals.models import Referral
        from registration.models import Contact, ReportedPerson, Team, ViolenceForm

        rng = random.Random(seed)
        teams = list(Team.objects.all())
        start = date(year, 1, 1)
        batch = 5000
        for offset in range(0, n, batch):
            contacts = []
            for _ in range(min(batch, n - offset)):
                day = start + timedelta(days=rng.randrange(365))
                hour = None if rng.random() < 0.1 else rng.randrange(24)
                relation = rng.choice([*RELATIONS, None])
                channel = rng.choice([*CHANNELS, None])
                contacts.append(
                    Contact(
                        uuid=uuid.uuid4(),
                        team=rng.choice(teams),
                        status="complete",
                        channel=channel,
                        started_on=day,
                        started_hour=hour,
                        started_at=None
                        if hour is None
                        else timezone.make_aware(timezone.datetime(day.year, day.month, day.day, hour)),
                        caller_region=rng.choice([*REGIONS, None]),
                        caller_age=rng.choice([*CALLER_AGES, None]),
                        caller_gender=rng.choice([*GENDERS, None]),
                        anonymous=rng.choice([*ANONYMOUS, None]),
                        caller_relation=relation,
                        caller_role=ROLES.get(relation or "9999", "bystander"),
                        within_opening_hours="unknown"
                        if hour is None or channel is None
                        else ("within" if 9 <= hour < 17 else "outside"),
                    )
                )
            contacts = Contact.objects.bulk_create(contacts)
            persons = [
                ReportedPerson(
                    uuid=uuid.uuid4(),
                    contact=contact,
                    position=pos,
                    gender=rng.choice([*GENDERS, None]),
                    age=rng.choice([*PERSON_AGES, None]),
                    problem=rng.choice([*PROBLEMS, None]),
                    context=rng.choice([*CONTEXTS, None]),
                )
                for contact in contacts
                for pos in range(rng.choice([0, 1, 1, 2, 3]))
            ]
            persons = ReportedPerson.objects.bulk_create(persons)
            ViolenceForm.objects.bulk_create(
                [ViolenceForm(person=p, code=c) for p in persons for c in FORMS if rng.random() < 0.25]
            )
            Referral.objects.bulk_create(
                [Referral(person=p, code=c) for p in persons for c in REFERRALS if rng.random() < 0.25]
            )
