"""Time import_contacts on N generated contacts, and PostgreSQL's own COPY of the same rows.

Everything is rolled back afterwards: the database is left as it was. On PostgreSQL the import
is timed up to its deferred foreign-key checks (SET CONSTRAINTS ALL IMMEDIATE, what COMMIT would
run), then the very rows it wrote are copied into the same tables, with the same triggers in
the same state (the change history skipped for a bulk load, the reports' marking on), by plain
`COPY … FROM STDIN` of their text form: the floor any import through SQL can reach.
"""

import io
import json
import random
import statistics
import time
from datetime import date, datetime, timedelta

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from audit.history import history_context, skip_row_history
from registration.interchange import Reference, import_records, parse_lines
from registration.interchange.copy import TABLES
from registration.interchange.parse import plausibility_warnings
from registration.models import CONTACT_CODE_LISTS, PERSON_CODE_LISTS, PERSON_MULTI_CODE_LISTS, Code, Team


class Rollback(Exception):
    pass


# The rows of one import, per table, by the external_ids of its contacts (%s: a text[]).
OWN_ROWS = {
    "registration_contact": "external_id = ANY(%s)",
    "registration_contacttext": "contact_id IN (SELECT id FROM registration_contact WHERE external_id = ANY(%s))",
    "registration_reportedperson": "contact_id IN (SELECT id FROM registration_contact WHERE external_id = ANY(%s))",
    "registration_violenceform": (
        "person_id IN (SELECT p.id FROM registration_reportedperson p JOIN registration_contact c "
        "ON c.id = p.contact_id WHERE c.external_id = ANY(%s))"
    ),
    "referrals_referral": (
        "person_id IN (SELECT p.id FROM registration_reportedperson p JOIN registration_contact c "
        "ON c.id = p.contact_id WHERE c.external_id = ANY(%s))"
    ),
}


class Command(BaseCommand):
    help = (
        "Time import_contacts on N generated contacts on the configured database (and, on PostgreSQL, "
        "a plain COPY of the same rows). Everything is rolled back afterwards."
    )

    def add_arguments(self, parser):
        parser.add_argument("--contacts", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=1712)
        parser.add_argument(
            "--repeat", type=int, default=1, help="run import and COPY this many times each, alternately; print medians"
        )
        parser.add_argument(
            "--floor",
            action="store_true",
            help=(
                "also time the same COPY with no trigger and no foreign-key check at all "
                "(session_replication_role = replica: a superuser's login only): the rows and indexes alone"
            ),
        )

    def handle(self, *args, contacts, seed, repeat, floor=False, **options):
        lines = list(self._lines(contacts, random.Random(seed)))
        postgres = connection.vendor == "postgresql"
        self.stdout.write(f"database: {connection.vendor}")
        imports, copies, floors = [], [], []
        for _ in range(max(repeat, 1)):
            self._vacuum(postgres)
            counts, phases, dumped = self._import(lines, postgres)
            imports.append((counts, phases))
            if postgres:
                self._vacuum(postgres)
                copies.append(self._copy(dumped))
                if floor:
                    self._vacuum(postgres)
                    floors.append(self._copy(dumped, bare=True))
        counts, phases = sorted(imports, key=lambda run: run[1]["total"][0])[len(imports) // 2]
        self.stdout.write(
            f"contacts: {contacts}, reported persons: {counts[0]}, plausibility warnings: {counts[1]}"
            + (f" (the median of {len(imports)} runs)" if len(imports) > 1 else "")
        )
        for name, (wall, cpu) in phases.items():
            if name != "total":
                self.stdout.write(f"{name}: {wall:.1f} s (CPU here {cpu:.1f} s)")
        wall, cpu = phases["total"]
        self.stdout.write(f"total: {wall:.1f} s (CPU here {cpu:.1f} s), {contacts / wall:,.0f} contacts/s")
        if postgres:
            copied = statistics.median(copies)
            self.stdout.write(
                f"PostgreSQL COPY of the same rows (same tables and triggers, with the foreign-key checks): "
                f"{copied:.1f} s, {contacts / copied:,.0f} contacts/s\n"
                f"import / COPY: {wall / copied:.2f}×"
            )
        if floors:
            bare = statistics.median(floors)
            self.stdout.write(
                f"the same COPY with no trigger and no foreign-key check (the tables and their indexes alone): "
                f"{bare:.1f} s, {contacts / bare:,.0f} contacts/s"
            )

    def _vacuum(self, postgres: bool) -> None:
        """Clear the dead rows a rolled-back run leaves, so each run starts from the same tables.

        Every index entry of the run before is still there (and a unique check visits its row) until
        a vacuum: with autovacuum off, or before it comes by, the second of two runs pays for the
        first. Not timed; a role that does not own the tables gets a warning and no vacuum.
        """
        if not postgres:
            return
        from reports.cube import DELTA_TABLE, PENDING_TABLE

        tables = [model._meta.db_table for model in TABLES] + [DELTA_TABLE, PENDING_TABLE]
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM {', '.join(tables)}")

    def _import(self, lines: list[str], postgres: bool) -> tuple[tuple[int, int], dict, dict[str, bytes]]:
        """One timed import, rolled back: (persons, warnings), {phase: (wall s, CPU s)}, and the rows
        it wrote (PostgreSQL)."""
        marks = []

        def mark():
            # Wall clock, and this process's CPU: on a shared machine the two tell apart the work
            # done here from waiting for a core (or for PostgreSQL).
            marks.append((time.perf_counter(), time.process_time()))

        dumped: dict[str, bytes] = {}
        try:
            with transaction.atomic():
                mark()
                reference = Reference.load()
                records = parse_lines(lines, reference)
                mark()
                persons = sum(len(r.persons) for r in records)
                import_records(records)
                mark()
                warnings = [w for r in records for w in plausibility_warnings(r, reference.book)]
                mark()
                if postgres:
                    with connection.cursor() as cursor:
                        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                    mark()
                    dumped = self._dump([r.external_id for r in records])
                raise Rollback
        except Rollback:
            pass
        names = ["parse and validate", "insert", "warnings", "foreign-key checks"]
        phases: dict[str, tuple[float, float]] = {}
        for name, start, end in zip(names, marks, marks[1:], strict=False):
            phases[name] = (end[0] - start[0], end[1] - start[1])
        phases["total"] = (marks[-1][0] - marks[0][0], marks[-1][1] - marks[0][1])
        return (persons, len(warnings)), phases, dumped

    def _dump(self, ids: list[str]) -> dict[str, bytes]:
        """The rows the import wrote, per table, in COPY's text form (with their ids)."""
        dumped = {}
        with connection.cursor() as cursor:
            for model, columns in TABLES.items():
                table = model._meta.db_table
                buffer = io.BytesIO()
                query = f"COPY (SELECT {', '.join(columns)} FROM {table} WHERE {OWN_ROWS[table]}) TO STDOUT"
                with cursor.copy(query, [ids]) as copy:
                    for data in copy:
                        buffer.write(data)
                dumped[table] = buffer.getvalue()
        return dumped

    def _copy(self, dumped: dict[str, bytes], bare: bool = False) -> float:
        try:
            with transaction.atomic(), history_context(via="cli", command="bench_import"):
                skip_row_history()
                if bare:
                    with connection.cursor() as cursor:
                        cursor.execute("SET LOCAL session_replication_role = replica")
                started = time.perf_counter()
                with connection.cursor() as cursor:
                    for model, columns in TABLES.items():
                        table = model._meta.db_table
                        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                            copy.write(dumped[table])
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                elapsed = time.perf_counter() - started
                raise Rollback
        except Rollback:
            pass
        return elapsed

    def _lines(self, n, rng):
        codes: dict[str, list[str]] = {}
        for lst, code in Code.objects.filter(valid_until__isnull=True, valid_from__isnull=True).values_list(
            "list", "code"
        ):
            codes.setdefault(lst, []).append(code)
        teams = list(Team.objects.values_list("code", flat=True))
        start = date(2024, 1, 1)
        for i in range(n):
            day = start + timedelta(days=rng.randrange(366))
            moment = timezone.make_aware(datetime(day.year, day.month, day.day, rng.randrange(24), rng.randrange(60)))
            persons = [
                {
                    **{name: rng.choice(codes[list_name]) for name, list_name in PERSON_CODE_LISTS.items()},
                    "violence_forms": rng.sample(codes[PERSON_MULTI_CODE_LISTS["violence_forms"]], rng.randint(0, 3)),
                    "referrals": rng.sample(codes[PERSON_MULTI_CODE_LISTS["referrals"]], rng.randint(0, 2)),
                }
                for _ in range(rng.choice([0, 1, 1, 1, 2, 3]))
            ]
            yield json.dumps(
                {
                    "external_id": f"bench-{i}",
                    "team": rng.choice(teams),
                    **{name: rng.choice(codes[list_name]) for name, list_name in CONTACT_CODE_LISTS.items()},
                    "started_at": moment.isoformat() if i % 10 else day.isoformat(),
                    "duration_minutes": rng.randint(1, 90),
                    "persons": persons,
                }
            )
