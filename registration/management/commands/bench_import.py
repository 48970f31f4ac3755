import json
import random
import time
from datetime import date, datetime, timedelta

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from registration.interchange import Reference, import_records, parse_lines
from registration.models import CONTACT_CODE_LISTS, PERSON_CODE_LISTS, PERSON_MULTI_CODE_LISTS, Code, Team


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
                book = Reference.load()
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
