"""python manage.py bench_dashboard [--contacts N] [--reuse] [--keep] [--repeat 5]

Builds a data set of N contacts spread over the last thirteen years, five teams and fifty
counsellors (with follow-up items) in a scratch database — on PostgreSQL a database named after
the configured one with `_bench_dashboard`, on SQLite a file in the temporary directory — then
requests the team coordinator's dashboard (/dashboard/) and the Flemish overview
(/dashboard/teams/) through the whole stack (middleware, session, two-factor, template) and
prints each page's median, fastest and slowest time, its number of queries and the median time
spent in them. On PostgreSQL the contacts go in with the triggers off, so the reports'
pre-aggregation (which the pages read) is rebuilt from them afterwards.

With --reuse an existing scratch database is kept and only the missing contacts are added, so
a large data set is built once; --keep leaves it in place afterwards (--reuse implies it).
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
from datetime import date, datetime, timedelta

from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

YEARS = 13
COUNSELLORS_PER_TEAM = 10
CHANNELS = ["phone", "phone", "phone", "chat", "chat", "email", None]
REGIONS = ["west-vlaanderen", "oost-vlaanderen", "antwerpen", "limburg", "vlaams-brabant-brussel", "unknown", None]


class Command(BaseCommand):
    help = "Time the team coordinator's dashboard and the Flemish overview at N contacts."

    def add_arguments(self, parser):
        parser.add_argument("--contacts", type=int, default=100_000)
        parser.add_argument("--repeat", type=int, default=5, help="requests of each page; the median is printed")
        parser.add_argument("--reuse", action="store_true", help="reuse (and keep) the scratch database")
        parser.add_argument("--keep", action="store_true", help="keep the scratch database afterwards")
        parser.add_argument("--seed", type=int, default=1712)

    def handle(self, *args, **options):
        creation = connection.creation
        old_name = connection.settings_dict["NAME"]
        test_settings = connection.settings_dict.setdefault("TEST", {})
        keep = options["keep"] or options["reuse"]
        if connection.vendor == "sqlite":
            test_settings["NAME"] = os.path.join(tempfile.gettempdir(), "bench_dashboard.sqlite3")
        else:
            test_settings["NAME"] = f"{old_name}_bench_dashboard"
        self.stderr.write(f"Scratch database {test_settings['NAME']} …")
        creation.create_test_db(verbosity=0, autoclobber=True, serialize=False, keepdb=options["reuse"])
        try:
            self._run(options)
        finally:
            if keep:
                self.stderr.write(f"Kept the scratch database {test_settings['NAME']}")
                connection.close()
                connection.settings_dict["NAME"] = old_name
            else:
                creation.destroy_test_db(old_name, verbosity=0)

    def _run(self, options):
        from registration.models import Contact
        from reports import cube
        from reports.models import CubeCount

        n = options["contacts"]
        counsellors = self._users()
        have = Contact.objects.count()
        if have < n:
            started = time.perf_counter()
            if connection.vendor == "postgresql":
                self._generate_postgresql(n - have, counsellors)
            else:
                self._generate_python(n - have, counsellors, options["seed"] + have)
            self._follow_ups(counsellors, options["seed"])
            self.stderr.write(f"Added {n - have} contacts in {time.perf_counter() - started:.1f} s")
        if connection.vendor == "postgresql" and (have < n or not CubeCount.objects.exists()):
            # The contacts went in with the triggers off: count the pre-aggregation from them.
            started = time.perf_counter()
            cube.rebuild()
            with connection.cursor() as cursor:
                # As autovacuum would after a bulk load: the visibility map lets index-only scans skip the table.
                cursor.execute("VACUUM ANALYZE registration_contact")
            self.stderr.write(f"Rebuilt the pre-aggregation in {time.perf_counter() - started:.1f} s")
        total = Contact.objects.count()

        coordinator, flemish = self._client("bench_tc"), self._client("bench_vc")
        # The machine's load says how far the times are from an idle server's.
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        lines = [f"backend={connection.vendor} contacts={total} repeat={options['repeat']} load average={load}"]
        for label, client, url in (
            ("team dashboard /dashboard/", coordinator, "/dashboard/"),
            ("Flemish overview /dashboard/teams/", flemish, "/dashboard/teams/"),
        ):
            times, queries, database = self._time(client, url, options["repeat"])
            median, low, high = (round(t * 1000) for t in (statistics.median(times), min(times), max(times)))
            lines.append(
                f"{label}: median {median} ms (min {low}, max {high}), {queries} queries "
                f"(database median {statistics.median(database) * 1000:.0f} ms)"
            )
        self.stdout.write("\n".join(lines) + "\n")

    @override_settings(ALLOWED_HOSTS=["*"])
    def _time(self, client: Client, url: str, repeat: int) -> tuple[list[float], int, list[float]]:
        """Each request's time, the most queries a request made, and each request's time in its queries."""
        response = client.get(url, secure=True)  # warm caches (and take this month's publication cut)
        assert response.status_code == 200, (url, response.status_code)
        times, counts, database = [], [], []
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url, secure=True)
                times.append(time.perf_counter() - started)
            assert response.status_code == 200
            counts.append(len(queries))
            database.append(sum(float(q["time"]) for q in queries.captured_queries))
        return times, max(counts), database

    def _users(self) -> dict[int, list[int]]:
        """The bench's users: a coordinator of team Antwerpen, the Flemish coordinator, and
        ten counsellors per team; return the counsellors' ids by team id."""
        from accounts.models import Role, TeamMembership, User
        from registration.models import Team

        counsellors: dict[int, list[int]] = {}
        for team in Team.objects.filter(active=True):
            for i in range(COUNSELLORS_PER_TEAM):
                user, created = User.objects.get_or_create(
                    username=f"bench_{team.code}_{i}", defaults={"role": Role.COUNSELLOR}
                )
                if created:
                    TeamMembership.objects.create(user=user, team=team, valid_from=date(2000, 1, 1))
                counsellors.setdefault(team.pk, []).append(user.pk)
        coordinator, created = User.objects.get_or_create(username="bench_tc", defaults={"role": Role.TEAM_COORDINATOR})
        if created:
            TeamMembership.objects.create(
                user=coordinator, team=Team.objects.get(code="antwerpen"), valid_from=date(2000, 1, 1)
            )
        User.objects.get_or_create(username="bench_vc", defaults={"role": Role.FLEMISH_COORDINATOR})
        return counsellors

    def _client(self, username: str) -> Client:
        """A client logged in as the user, past the two-factor step."""
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from accounts.models import User

        user = User.objects.get(username=username)
        device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
        client = Client()
        client.force_login(user)
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
        return client

    def _generate_postgresql(self, n: int, counsellors: dict[int, list[int]]) -> None:
        start = timezone.localdate() - timedelta(days=365 * YEARS)
        days = (timezone.localdate() - start).days + 1
        team_ids = sorted(counsellors)
        users = [counsellors[t] for t in team_ids]
        per_team = COUNSELLORS_PER_TEAM

        def array(values) -> str:
            return "(ARRAY[" + ", ".join("NULL" if v is None else f"'{v}'" for v in values) + "]::text[])"

        with connection.cursor() as cursor:
            # A scratch database: the change-history and pre-aggregation triggers would only slow
            # the generation down (the reports' pre-aggregation rebuilds from the rows anyway).
            cursor.execute("SET session_replication_role = replica")
            cursor.execute(
                f"""
                INSERT INTO registration_contact
                  (uuid, team_id, status, started_on, channel, caller_region, created_by_id,
                   actions, created_at, updated_at, version, record_key, within_opening_hours, caller_role)
                SELECT gen_random_uuid(), t.team_id,
                       CASE WHEN random() < 0.1 THEN 'incomplete' ELSE 'complete' END,
                       t.day, t.channel, t.region,
                       CASE WHEN random() < 0.05 THEN NULL
                            ELSE (ARRAY{users}::int[])[t.team_no][1 + floor(random() * {per_team})::int] END,
                       '[]'::jsonb, t.day::timestamp AT TIME ZONE 'Europe/Brussels',
                       t.day::timestamp AT TIME ZONE 'Europe/Brussels', 1, floor(random() * 256)::int,
                       'unknown', 'unknown'
                FROM (
                  SELECT g, 1 + g %% {len(team_ids)} AS team_no,
                         (ARRAY{team_ids}::int[])[1 + g %% {len(team_ids)}] AS team_id,
                         %s::date + floor(random() * {days})::int AS day,
                         {array(CHANNELS)}[1 + floor(random() * {len(CHANNELS)})::int] AS channel,
                         {array(REGIONS)}[1 + floor(random() * {len(REGIONS)})::int] AS region
                  FROM generate_series(1, %s) g
                ) t
                -- In the order they were registered, as a real table fills up: a period's
                -- contacts lie together on disk.
                ORDER BY t.day
                """,
                [start, n],
            )
            cursor.execute("SET session_replication_role = DEFAULT")
            cursor.execute("ANALYZE registration_contact")

    def _generate_python(self, n: int, counsellors: dict[int, list[int]], seed: int) -> None:
        from registration.models import Contact

        rng = random.Random(seed)
        today = timezone.localdate()
        team_ids = sorted(counsellors)
        for offset in range(0, n, 5000):
            batch = []
            for _ in range(min(5000, n - offset)):
                team_id = rng.choice(team_ids)
                day = today - timedelta(days=rng.randrange(365 * YEARS))
                batch.append(
                    Contact(
                        team_id=team_id,
                        status="incomplete" if rng.random() < 0.1 else "complete",
                        started_on=day,
                        channel=rng.choice(CHANNELS),
                        caller_region=rng.choice(REGIONS),
                        created_by_id=None if rng.random() < 0.05 else rng.choice(counsellors[team_id]),
                    )
                )
            created = Contact.objects.bulk_create(batch)
            # Registered on their day (before this month's publication cut), as real ones were.
            Contact.objects.filter(pk__in=[c.pk for c in created]).update(
                created_at=timezone.make_aware(datetime(2000, 1, 1))
            )

    def _follow_ups(self, counsellors: dict[int, list[int]], seed: int) -> None:
        """About 150 follow-up items a team over the last month: open, taken, closed, late."""
        from followup.deadlines import due_dates_for
        from followup.models import FollowUpItem, Kind

        rng = random.Random(seed)
        now = timezone.now()
        kinds = [Kind.VOICEMAIL, Kind.EMAIL, Kind.TEAM_CONSULTATION, Kind.INCOMPLETE]
        items = []
        for team_id, users in counsellors.items():
            for _ in range(150):
                received = now - timedelta(hours=rng.randrange(24 * 40))
                closed = received + timedelta(hours=rng.randrange(1, 72)) if rng.random() < 0.7 else None
                items.append(
                    FollowUpItem(
                        team_id=team_id,
                        kind=rng.choice(kinds),
                        received_at=received,
                        assigned_to_id=rng.choice(users) if rng.random() < 0.6 else None,
                        closed_at=closed if closed and closed < now else None,
                        close_reason="not_reached" if closed and closed < now else "",
                    )
                )
        items = FollowUpItem.objects.bulk_create(items)
        due = due_dates_for(items)
        for item in items:
            item.due_on = due[item.pk]
        FollowUpItem.objects.bulk_update(items, ["due_on"], batch_size=1000)
