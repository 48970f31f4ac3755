"""python manage.py seed_demo: load the demo years 2012–2024 (registration/demo/)."""

import re
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from registration.demo import DEFAULT_SEED, DEMO_PREFIX, YEAR_TOTALS, demo_data_delete, demo_years_create
from registration.models import Contact


def parse_years(value: str) -> list[int]:
    """'2012-2024', '2024' or '2012,2020-2021' -> the list of years."""
    years: list[int] = []
    for part in value.split(","):
        match = re.fullmatch(r"\s*(\d{4})\s*(?:[-–]\s*(\d{4})\s*)?", part)
        if not match:
            raise CommandError(f"--years: {part!r} is not a year or a range like 2012-2024")
        first, last = int(match[1]), int(match[2] or match[1])
        if last < first:
            raise CommandError(f"--years: {part.strip()} ends before it starts")
        years.extend(range(first, last + 1))
    return years


class Command(BaseCommand):
    help = (
        "Load demo registrations for 2012–2024 (external_id demo-YEAR-NNNNN) whose yearly contacts and "
        "reported persons follow the published 1712 figures: 2016–2021 from the parliamentary answers, "
        "2012 and 2023 as the 2024 annual report's +276%/+514% and +2%/+4% imply, and a 2024 shaped like "
        "that report (9594 contacts, 13281 reported persons, its shares). 2013–2015 and 2022 are not "
        "published: they are interpolated (2013–2015 so that 2012–2021 add up to the ten-year totals of "
        "51699 contacts and 66069 person rows; 2022 halfway between 2021 and 2023). Deterministic for a "
        "given --seed; every source is documented in registration/demo/figures.py. Refuses to run on a database "
        "that already has contacts: earlier demo contacts are replaced with --flush; any other contact (a "
        "real or imported registration) is never mixed with demo data."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--years", default="2012-2024", help="a year, a range or a comma list, e.g. 2024 or 2012-2024 (default)"
        )
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
        parser.add_argument(
            "--flush", action="store_true", help="delete the existing demo contacts (external_id demo-…) first"
        )

    def handle(self, *args, years, seed, flush, **options):
        wanted = parse_years(years)
        missing = [str(year) for year in wanted if year not in YEAR_TOTALS]
        if missing:
            raise CommandError(f"--years: no demo figures for {', '.join(missing)} (demo years: 2012–2024)")
        demo = Contact.all_objects.filter(external_id__startswith=DEMO_PREFIX)
        # all_objects: soft-deleted registrations are real data too.
        others_count = Contact.all_objects.exclude(external_id__startswith=DEMO_PREFIX).count()
        if others_count:
            # Demo figures mixed into real registrations would corrupt every report: never.
            raise CommandError(
                f"The database holds {others_count} contact(s) that are not demo data; "
                "seed_demo only runs on a database without real registrations."
            )
        demo_count = demo.count()
        if demo_count and not flush:
            raise CommandError(
                f"The database already holds {demo_count} demo contact(s). "
                "Run with --flush to delete them and load the demo years again."
            )
        # One transaction: a failure leaves the earlier demo data as it was.
        with transaction.atomic():
            if demo_count:
                started = time.monotonic()
                deleted = demo_data_delete()
                self.stdout.write(f"Deleted {deleted} demo contact(s) [{time.monotonic() - started:.1f} s].")
            started = time.monotonic()
            try:
                summaries = demo_years_create(wanted, seed=seed, on_year=lambda s: self.stdout.write(s.line()))
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
        contacts = sum(s.contacts for s in summaries)
        persons = sum(s.persons for s in summaries)
        self.stdout.write(
            f"Loaded {contacts} demo contact(s) with {persons} reported person(s) "
            f"in {time.monotonic() - started:.1f} s (seed {seed})."
        )
