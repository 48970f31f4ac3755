import json
import random
import time
from datetime import date, datetime, timedelta

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from registration.interchange import CodeBook, import_records, parse_lines
from registration.models import Code, Team


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = (
        "Time import_contacts on N generated contacts on the configured database. "
        "Everything is rolled back afterwards: the database is left as it was."
    )

    def add_arguments(self, parser):
        parser.add_argument("--contacts", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=1712)

    def handle(self, *args, contacts, seed, **options):
        lines = list(self._lines(contacts, random.Random(seed)))
        started = time.perf_counter()
        try:
            with transaction.atomic():
                book = CodeBook()
                records = parse_lines(lines, book)
                parsed = time.perf_counter()
                persons = sum(len(r.persons) for r in records)
                import_records(records)
                done = time.perf_counter()
                raise Rollback
        except Rollback:
            pass
        total = done - started
        self.stdout.write(
            f"database: {connection.vendor}\n"
            f"contacts: {contacts}, reported persons: {persons}\n"
            f"parse and validate: {parsed - started:.1f} s\n"
            f"insert: {done - parsed:.1f} s\n"
            f"total: {total:.1f} s ({contacts / total:,.0f} contacts/s)"
        )

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
                    "gender": rng.choice(codes["person_gender"]),
                    "age": rng.choice(codes["person_age"]),
                    "problem": rng.choice(codes["problem"]),
                    "context": rng.choice(codes["context"]),
                    "violence_forms": rng.sample(codes["violence_forms"], rng.randint(0, 3)),
                    "referrals": rng.sample(codes["referrals"], rng.randint(0, 2)),
                }
                for _ in range(rng.choice([0, 1, 1, 1, 2, 3]))
            ]
            yield json.dumps(
                {
                    "external_id": f"bench-{i}",
                    "team": rng.choice(teams),
                    "channel": rng.choice(codes["channel"]),
                    "started_at": moment.isoformat() if i % 10 else day.isoformat(),
                    "duration_minutes": rng.randint(1, 90),
                    "caller_region": rng.choice(codes["caller_region"]),
                    "caller_age": rng.choice(codes["caller_age"]),
                    "caller_gender": rng.choice(codes["caller_gender"]),
                    "anonymous": rng.choice(codes["anonymous"]),
                    "caller_relation": rng.choice(codes["caller_relation"]),
                    "persons": persons,
                }
            )
