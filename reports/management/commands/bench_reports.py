"""python manage.py bench_reports --contacts N [--year 2024] [--repeat 3]

Generates N contacts of one year (with reported persons, forms of violence and referrals) in a
scratch database — on PostgreSQL a separate database created and dropped here, on SQLite a
temporary file — then times the full annual report (reports.selectors.build_report) and the
equivalent hand-written SQL on the same database, and prints both and their ratio.

On PostgreSQL it then times the report read from the pre-aggregated counts (reports.cube): the
build after the load (the generator loads with the triggers off, as a restore would; an import
with them on builds its part itself), warm, right after one edit, after one registration and after
importing 1,000 contacts into the year (one INSERT … SELECT per table with the triggers on, as a
COPY import does), and concurrent saves of the same cells from several threads (saves/s, time per
save, errors), then checks the cube's report against a live count.
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import threading
import time
import uuid
from datetime import date, datetime, timedelta

from django.core.management.base import BaseCommand
from django.db import connection, connections, transaction
from django.utils import timezone

PERSONS_PER_CONTACT = 1.4


def registered_codes(year: int) -> dict[str, list[str]]:
    """Each coded field's codes valid in the middle of the year, read from the code lists (data)."""
    from registration.models import (
        CONTACT_CODE_LISTS,
        PERSON_CODE_LISTS,
        PERSON_MULTI_CODE_LISTS,
        Code,
    )

    lists: dict[str, list[str]] = {}
    for code in Code.objects.valid_on(date(year, 7, 1)).order_by("list", "sort", "code"):
        lists.setdefault(code.list, []).append(code.code)
    fields = {**CONTACT_CODE_LISTS, **PERSON_CODE_LISTS, **PERSON_MULTI_CODE_LISTS}
    return {field: lists.get(name, []) for field, name in fields.items()}


def caller_roles(relations: list[str]) -> dict[str, str]:
    """The caller role each relation code implies, as the registration derives it."""
    from registration.derivation import caller_role_for, relation_roles

    roles = relation_roles()
    return {code: caller_role_for(code, codes=roles) for code in relations}


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
        parser.add_argument("--threads", type=int, default=4, help="concurrent savers (PostgreSQL)")
        parser.add_argument("--saves", type=int, default=25, help="saves per thread (PostgreSQL)")

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
            out += self._cube(report_filter, report, options)
        self.stdout.write("\n".join(out) + "\n")

    def _cube(self, report_filter, report, options) -> list[str]:
        from audit.history import skip_row_history
        from registration.models import Contact
        from reports import cube
        from reports.selectors import build_report

        year, repeat = report_filter.start.year, options["repeat"]

        def timed() -> tuple[float, dict]:
            t0 = time.perf_counter()
            built = build_report(report_filter)
            return time.perf_counter() - t0, built

        def after(change) -> tuple[float, float]:
            """Median seconds of `change` (committed) and of the report right after it."""
            changes, reads = [], []
            for _ in range(repeat):
                t0 = time.perf_counter()
                with transaction.atomic():
                    change()
                changes.append(time.perf_counter() - t0)
                reads.append(timed()[0])
            return statistics.median(changes), statistics.median(reads)

        t0 = time.perf_counter()
        cells = cube.rebuild()
        build = time.perf_counter() - t0
        cold, cold_report = timed()
        assert cold_report["tables"] == report["tables"]
        warm = statistics.median([timed()[0] for _ in range(repeat)])
        edit, after_edit = after(lambda: self._edit_one(year))
        register, after_register = after(lambda: self._register_one(year))
        before = Contact.objects.count()
        t0 = time.perf_counter()
        with transaction.atomic():
            # As import_contacts does: one audit event instead of a history row per row.
            skip_row_history()
            self._generate_postgresql(1000, year, triggers=True)
        imported = time.perf_counter() - t0
        after_import, import_report = timed()
        assert import_report["tables"]["totals"]["rows"][0]["count"] == before + 1000
        saves, per_save, errors = self._concurrent_saves(year, options["threads"], options["saves"])
        final = build_report(report_filter)
        assert final["tables"] == build_report(report_filter, preaggregated=False)["tables"], "cube != live"
        return [
            f"pre-aggregated: built after the load in {build:.1f} s ({cells} cells); first report {cold:.3f} s",
            f"annual report, pre-aggregated, warm: {warm:.3f} s",
            f"annual report right after one edit: {after_edit:.3f} s (the edit's transaction {edit * 1000:.0f} ms)",
            f"annual report right after one registration: {after_register:.3f} s "
            f"(the registration's transaction {register * 1000:.0f} ms)",
            f"annual report right after importing 1,000 contacts: {after_import:.3f} s "
            f"(the import's transaction {imported:.2f} s, cube delta included)",
            f"concurrent saves of the same cells, {options['threads']} threads x {options['saves']}: "
            f"{saves:.0f} saves/s, median {statistics.median(per_save) * 1000:.0f} ms, "
            f"p95 {sorted(per_save)[int(len(per_save) * 0.95) - 1] * 1000:.0f} ms, errors {errors}",
            "the cube's report equals a live count afterwards: yes",
        ]

    def _edit_one(self, year: int) -> None:
        """A counsellor's correction: another channel and another problem, in one transaction."""
        from registration.models import Contact, ReportedPerson

        persons = ReportedPerson.objects.filter(contact__started_on__year=year).order_by("pk")
        last = persons.last().pk
        person = persons.filter(pk__gte=random.randint(1, last)).first() or persons.first()
        contact = Contact.objects.select_for_update().get(pk=person.contact_id)
        contact.channel = "chat" if contact.channel != "chat" else "phone"
        contact.save()
        person.problem = "stalking" if person.problem != "stalking" else "child_abuse"
        person.save()

    def _concurrent_saves(self, year: int, threads: int, saves: int) -> tuple[float, list[float], int]:
        """Threads each save their own contacts of one bucket and team back and forth between two
        channels (so all of them add to and take from the same cells); saves per second overall."""
        from registration.models import Contact

        first = Contact.objects.filter(started_on=date(year, 5, 3)).order_by("team_id", "id").first()
        mine = list(
            Contact.objects.filter(started_on=first.started_on, team_id=first.team_id).order_by("id")[: threads * 2]
        )
        per_save: list[float] = []
        errors: list[BaseException] = []
        barrier = threading.Barrier(threads)

        def work(contacts):
            try:
                barrier.wait()
                for _ in range(saves):
                    t0 = time.perf_counter()
                    with transaction.atomic():
                        for contact in contacts:
                            contact.channel = "chat" if contact.channel == "phone" else "phone"
                            contact.save(update_fields=["channel", "updated_at"])
                    per_save.append(time.perf_counter() - t0)
            except BaseException as error:  # noqa: BLE001 - counted and printed
                errors.append(error)
            finally:
                connections.close_all()

        workers = [threading.Thread(target=work, args=(mine[i::threads],)) for i in range(threads)]
        t0 = time.perf_counter()
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        elapsed = time.perf_counter() - t0
        for error in errors:
            self.stderr.write(f"concurrent save failed: {error!r}")
        return len(per_save) / elapsed, per_save or [0.0], len(errors)

    def _register_one(self, year: int) -> None:
        from registration.models import Contact, ReportedPerson, Team

        contact = Contact(team=Team.objects.first(), channel="phone", started_on=date(year, 6, 3), status="complete")
        contact.refresh_derived()
        contact.save()
        ReportedPerson.objects.create(contact=contact, problem="child_abuse")

    def _generate_postgresql(self, n: int, year: int, *, triggers: bool = False) -> None:
        """n contacts of `year` with persons, forms and referrals; without `triggers` as a restore
        loads (no history, no cube: rebuild it), with them as an import does."""
        from registration.derivation import caller_role_for
        from registration.models import CONTACT_CODE_LISTS, PERSON_CODE_LISTS, PERSON_MULTI_CODE_LISTS

        codes = registered_codes(year)
        contact_fields = list(CONTACT_CODE_LISTS)
        person_fields = list(PERSON_CODE_LISTS)
        role_cases = " ".join(
            f"WHEN '{code}' THEN '{role}'" for code, role in caller_roles(codes["caller_relation"]).items()
        )
        start = date(year, 1, 1)
        with connection.cursor() as cursor:
            cursor.execute("SELECT coalesce(max(id), 0) FROM registration_contact")
            after_contact = cursor.fetchone()[0]
            cursor.execute("SELECT coalesce(max(id), 0) FROM registration_reportedperson")
            after_person = cursor.fetchone()[0]
            if not triggers:
                # A scratch database: history triggers would only slow the generation down.
                cursor.execute("SET session_replication_role = replica")
            cursor.execute(
                f"""
                INSERT INTO registration_contact
                  (uuid, team_id, status, started_at, started_on, started_hour, {", ".join(contact_fields)},
                   caller_role, within_opening_hours, actions, created_at, updated_at, version, record_key)
                SELECT gen_random_uuid(), t.team_id, 'complete',
                       CASE WHEN t.hour IS NULL THEN NULL
                            ELSE (t.day + make_interval(hours => t.hour)) AT TIME ZONE 'Europe/Brussels' END,
                       t.day, t.hour, {", ".join(f"t.{f}" for f in contact_fields)},
                       CASE t.caller_relation {role_cases} ELSE '{caller_role_for(None)}' END,
                       -- Office hours stand in for the opening hours: the report's timing does not
                       -- depend on which contacts fall inside them.
                       CASE WHEN t.hour IS NULL OR t.channel IS NULL THEN 'unknown'
                            WHEN t.hour BETWEEN 9 AND 17 THEN 'within' ELSE 'outside' END,
                       '[]'::jsonb, now(), now(), 1, floor(random() * 256)::int
                FROM (
                  SELECT g,
                         teams.ids[1 + g %% array_length(teams.ids, 1)] AS team_id,
                         %s::date + (floor(random() * 365))::int AS day,
                         CASE WHEN random() < 0.1 THEN NULL ELSE floor(random() * 24)::int END AS hour,
                         {", ".join(f"{_pick([*codes[f], None])} AS {f}" for f in contact_fields)}
                  FROM generate_series(1, %s) g,
                       (SELECT array_agg(id ORDER BY id) AS ids FROM registration_team) teams
                ) t
                """,
                [start, n],
            )
            cursor.execute(
                f"""
                INSERT INTO registration_reportedperson
                  (uuid, contact_id, position, record_key, {", ".join(person_fields)})
                SELECT gen_random_uuid(), c.id, s.pos, floor(random() * 256)::int,
                       {", ".join(_pick([*codes[f], None]) for f in person_fields)}
                FROM registration_contact c
                CROSS JOIN LATERAL generate_series(
                    0, floor(random() * {2 * PERSONS_PER_CONTACT + 1} + c.id * 0)::int - 1) AS s(pos)
                WHERE c.id > %s
                """,
                [after_contact],
            )
            tables = {"violence_forms": "registration_violenceform", "referrals": "referrals_referral"}
            for field in PERSON_MULTI_CODE_LISTS:
                cursor.execute(
                    f"""
                    INSERT INTO {tables[field]} (person_id, code)
                    SELECT r.id, x.code FROM registration_reportedperson r
                    CROSS JOIN LATERAL (SELECT code FROM unnest({_sql_array(codes[field])}) AS code
                                        WHERE random() < 0.25 + r.id * 0) x
                    WHERE r.id > %s
                    """,
                    [after_person],
                )
            if triggers:
                return
            cursor.execute("SET session_replication_role = DEFAULT")
            cursor.execute(
                "ANALYZE registration_contact; ANALYZE registration_reportedperson; "
                "ANALYZE registration_violenceform; ANALYZE referrals_referral"
            )

    def _generate_python(self, n: int, year: int, seed: int) -> None:
        from referrals.models import Referral
        from registration.derivation import Schedule, caller_role_for, relation_roles, within_opening_hours_for
        from registration.models import (
            CONTACT_CODE_LISTS,
            PERSON_CODE_LISTS,
            Contact,
            ReportedPerson,
            Team,
            ViolenceForm,
        )

        codes = registered_codes(year)
        roles = relation_roles()
        schedule = Schedule.load()
        rng = random.Random(seed)
        teams = list(Team.objects.all())
        start = date(year, 1, 1)
        batch = 5000
        for offset in range(0, n, batch):
            contacts = []
            for _ in range(min(batch, n - offset)):
                day = start + timedelta(days=rng.randrange(365))
                hour = None if rng.random() < 0.1 else rng.randrange(24)
                started_at = None if hour is None else timezone.make_aware(datetime(day.year, day.month, day.day, hour))
                coded = {field: rng.choice([*codes[field], None]) for field in CONTACT_CODE_LISTS}
                contacts.append(
                    Contact(
                        uuid=uuid.uuid4(),
                        team=rng.choice(teams),
                        status="complete",
                        started_on=day,
                        started_hour=hour,
                        started_at=started_at,
                        **coded,
                        caller_role=caller_role_for(coded["caller_relation"], codes=roles),
                        within_opening_hours=within_opening_hours_for(coded["channel"], started_at, hours=schedule),
                    )
                )
            contacts = Contact.objects.bulk_create(contacts)
            persons = [
                ReportedPerson(
                    uuid=uuid.uuid4(),
                    contact=contact,
                    position=pos,
                    **{field: rng.choice([*codes[field], None]) for field in PERSON_CODE_LISTS},
                )
                for contact in contacts
                for pos in range(rng.choice([0, 1, 1, 2, 3]))
            ]
            persons = ReportedPerson.objects.bulk_create(persons)
            ViolenceForm.objects.bulk_create(
                [
                    ViolenceForm(person=p, code=c)
                    for p in persons
                    for c in codes["violence_forms"]
                    if rng.random() < 0.25
                ]
            )
            Referral.objects.bulk_create(
                [Referral(person=p, code=c) for p in persons for c in codes["referrals"] if rng.random() < 0.25]
            )
