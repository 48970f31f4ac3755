"""python manage.py bench_list [--contacts N]: time the contact list for a counsellor of one team.

PostgreSQL only. Tops the database up to N contacts (default 1,000,000) spread over ten years
(2015–2024) and the five teams, with 0–3 reported persons each, generated in SQL (external_id
bench-list-…; the generated rows stay for the next run). Then, as a counsellor of one team,
requests through the whole stack (middleware, view, template) the first page, a filtered page
(team + problem + three months) and page 500 (reached by its cursor, as "Volgende" links do),
and prints the median of --repeat runs, this process's CPU per request and the number of queries
of each. Each request ends as a served one does (the database connection closes unless
CONN_MAX_AGE keeps it), so a new connection's cost is counted when the settings pay it.
"""

from __future__ import annotations

import os
import re
import statistics
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import Role, TeamMembership, User
from registration import paging, selectors
from registration.models import Contact, Team

BENCH_PREFIX = "bench-list-"
ROW_LINK = re.compile(r'<a href="/contacts/[0-9a-f-]{36}/">')
BENCH_USER = "bench.list.counsellor"
CHUNK = 100_000

CONTACTS_SQL = """
INSERT INTO registration_contact (
    uuid, external_id, team_id, status, channel, started_at, started_on, started_hour, duration_minutes,
    caller_role, within_opening_hours, actions, created_at, updated_at, version, record_key
)
SELECT gen_random_uuid(), %(prefix)s || g, t.ids[1 + g %% cardinality(t.ids)],
       CASE WHEN g %% 9 = 0 THEN 'incomplete' ELSE 'complete' END,
       c.codes[1 + g %% cardinality(c.codes)],
       CASE WHEN g %% 10 = 0 THEN NULL
            ELSE (d.day + make_interval(secs => (g * 7919) %% 86400)) AT TIME ZONE 'Europe/Brussels' END,
       d.day::date, CASE WHEN g %% 10 = 0 THEN NULL ELSE ((g * 7919) %% 86400) / 3600 END, 1 + g %% 60,
       'unknown', 'unknown', '[]'::jsonb, now(), now(), 1, g %% 256
FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS g
CROSS JOIN (SELECT array_agg(id ORDER BY id) AS ids FROM registration_team) AS t
CROSS JOIN (SELECT array_agg(code ORDER BY code) AS codes FROM registration_code WHERE list = 'channel') AS c
CROSS JOIN LATERAL (SELECT (date '2015-01-01' + ((g * 104729) %% 3652)::int) AS day) AS d
"""

PERSONS_SQL = """
INSERT INTO registration_reportedperson (uuid, contact_id, position, problem, record_key)
SELECT gen_random_uuid(), k.id, p.position, pr.codes[1 + (k.id * 31 + p.position * 7) %% cardinality(pr.codes)],
       (k.id + p.position) %% 256
FROM registration_contact AS k
CROSS JOIN (SELECT array_agg(code ORDER BY code) AS codes FROM registration_code WHERE list = 'problem') AS pr
CROSS JOIN LATERAL generate_series(0, (ARRAY[-1, 0, 0, 0, 1, 2])[1 + k.id %% 6]) AS p(position)
WHERE k.external_id LIKE %(prefix)s AND k.id > %(after)s::bigint
"""


class Command(BaseCommand):
    help = (
        "Time the contact list (first page, team + problem + three months, page 500) for a counsellor of "
        "one team on PostgreSQL, after topping the database up to --contacts generated contacts."
    )

    def add_arguments(self, parser):
        parser.add_argument("--contacts", type=int, default=1_000_000)
        parser.add_argument("--repeat", type=int, default=7)

    def handle(self, *args, contacts, repeat, **options):
        if connection.vendor != "postgresql":
            raise CommandError("bench_list measures PostgreSQL: set DATABASE_URL to a PostgreSQL database.")
        self._top_up(contacts)
        user = self._counsellor()
        client = self._client(user)
        team = user.teams_on().first()
        visible = selectors.contacts_visible_to(user).count()
        problem, period = self._busy_problem(team)
        cases = {
            "first page": "/contacts/",
            "team + problem + 3 months": (
                f"/contacts/?team={team.code}&problem={problem}&date_from={period[0]}&date_to={period[1]}"
            ),
            "page 500": "/contacts/?cursor=" + self._cursor_of_page(user, 500),  # the last page if fewer
        }
        total = Contact.objects.count()
        self.stdout.write(
            f"database: {connection.vendor}; contacts: {total:,}; visible to {BENCH_USER} (team {team.code}): "
            f"{visible:,}; {settings.CONTACTS_PER_PAGE} per page; median of {repeat}; "
            f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
        )
        for name, url in cases.items():
            times, cpu, queries = [], [], 0
            client.get(url, secure=True)  # warm: the first request of a process pays for imports and caches
            close_old_connections()
            for _ in range(repeat):
                with CaptureQueriesContext(connection) as captured:
                    started, cpu_started = time.perf_counter(), time.process_time()
                    # secure: as behind the HTTPS proxy (without DEBUG every http request is redirected).
                    response = client.get(url, secure=True)
                    # As at the end of a served request: with CONN_MAX_AGE 0 the connection closes,
                    # and the next request pays for a new one (the test client skips this).
                    close_old_connections()
                    times.append(time.perf_counter() - started)
                    cpu.append(time.process_time() - cpu_started)
                queries = len(captured.captured_queries)
                if response.status_code != 200:
                    raise CommandError(f"{name}: HTTP {response.status_code}")
            shown = len(ROW_LINK.findall(response.content.decode()))
            self.stdout.write(
                f"{name:<28} {statistics.median(times) * 1000:7.1f} ms  (min {min(times) * 1000:.1f}, "
                f"max {max(times) * 1000:.1f}; this process's CPU {statistics.median(cpu) * 1000:.1f} ms; "
                f"{queries} queries; {shown} rows)"
            )
        self.stdout.write(
            f"load average {os.getloadavg()[0]:.1f} at the end; connections kept "
            f"{settings.DATABASES['default'].get('CONN_MAX_AGE', 0)} s (CONN_MAX_AGE)"
        )

    def _top_up(self, wanted: int) -> None:
        have = Contact.all_objects.count()
        if have >= wanted:
            return
        first = Contact.all_objects.filter(external_id__startswith=BENCH_PREFIX).count()
        missing = wanted - have
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            superuser = cursor.fetchone()[0]
        self.stdout.write(
            f"Generating {missing:,} contacts (once; they stay in this database"
            f"{', without change history: use a database of its own' if superuser else ''}) …"
        )
        started = time.perf_counter()
        for start in range(first, first + missing, CHUNK):
            last = min(start + CHUNK, first + missing) - 1
            with transaction.atomic():
                before = Contact.all_objects.order_by("-id").values_list("id", flat=True).first() or 0
                with connection.cursor() as cursor:
                    if superuser:
                        # Generated rows for a benchmark: no change history, no hash chain, no report
                        # marking (a row at a time, they would take 20 minutes for a million).
                        cursor.execute("SET LOCAL session_replication_role = replica")
                    cursor.execute(CONTACTS_SQL, {"prefix": BENCH_PREFIX, "first": start, "last": last})
                    cursor.execute(PERSONS_SQL, {"prefix": BENCH_PREFIX + "%", "after": before})
            self.stdout.write(f"  {last + 1 - first:,} of {missing:,} [{time.perf_counter() - started:.0f} s]")
        # Statistics and the visibility map (index-only scans), as autovacuum would make them.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE registration_contact")
            cursor.execute("VACUUM ANALYZE registration_reportedperson")

    def _counsellor(self) -> User:
        user, created = User.objects.get_or_create(username=BENCH_USER, defaults={"role": Role.COUNSELLOR})
        if created:
            user.set_unusable_password()
            user.save()
            TeamMembership.objects.create(user=user, team=Team.objects.get(code="antwerpen"))
        return user

    def _client(self, user: User) -> Client:
        from django_otp.plugins.otp_totp.models import TOTPDevice

        hosts = [h for h in settings.ALLOWED_HOSTS if h not in ("*",) and not h.startswith(".")]
        client = Client(HTTP_HOST=hosts[0] if hosts else "localhost")
        client.force_login(user)
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
        return client

    def _busy_problem(self, team: Team):
        """The team's most frequent problem in its latest full quarter of the generated years."""
        period = ("2024-10-01", "2024-12-31")
        from registration.models import ReportedPerson

        row = (
            ReportedPerson.all_objects.filter(
                contact__team=team, contact__started_on__range=period, problem__isnull=False
            )
            .values_list("problem", flat=True)
            .first()
        )
        return row or "child_abuse", period

    def _cursor_of_page(self, user: User, number: int) -> str:
        """The cursor the "Volgende" link of page number - 1 carries (the last row before the page)."""
        per_page = settings.CONTACTS_PER_PAGE
        rows = selectors.contact_list_for_user(user).order_by(*paging.ORDER)
        visible = rows.count()
        if visible <= per_page:
            return ""
        number = min(number, -(-visible // per_page))
        last = rows[(number - 1) * per_page - 1]
        return paging.Cursor.of(last, number=number).encode()
