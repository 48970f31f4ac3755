"""Writing the demo years to the database, and deleting them again."""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction

from audit.history import skip_row_history
from audit.services import audit_event
from followup.models import FollowUpItem
from referrals.models import Referral
from registration.models import (
    CONTACT_CODE_LISTS,
    PERSON_CODE_LISTS,
    Contact,
    ContactText,
    Draft,
    ReportedPerson,
    ViolenceForm,
)
from registration.services import REQUIRED_FOR_COMPLETE

from .assumptions import FOLLOW_UP_SHARE, NEW_SYSTEM_FROM
from .figures import YEAR_TOTALS
from .lookups import Lookups
from .planning import plan_contacts, plan_handling, plan_persons

DEMO_PREFIX = "demo-"
DEFAULT_SEED = 1712
BATCH = 2000


@dataclass
class YearSummary:
    year: int
    contacts: int = 0
    persons: int = 0
    without_person: int = 0
    violence_forms: int = 0
    referrals: int = 0
    date_only: int = 0
    incomplete: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        return (
            f"{self.year}: {self.contacts} contacts, {self.persons} reported persons "
            f"({self.without_person} contacts without one), {self.violence_forms} forms of violence, "
            f"{self.referrals} referrals, {self.incomplete} incomplete, {self.date_only} date only "
            f"[{self.seconds:.1f} s]"
        )


def _is_incomplete(values: dict, persons: list[dict]) -> bool:
    # Every demo person has a form of violence, so the coded fields decide (as status_for does).
    return any(values[n] is None for n in REQUIRED_FOR_COMPLETE) or any(
        p[n] is None for p in persons for n in PERSON_CODE_LISTS
    )


def _check_codes(lookups: Lookups, values: dict, persons: list[dict]) -> None:
    day = values["started_on"]
    for name, list_name in CONTACT_CODE_LISTS.items():
        lookups.check(list_name, values[name], day)
    for person in persons:
        for name, list_name in PERSON_CODE_LISTS.items():
            lookups.check(list_name, person[name], day)


def create_year(year: int, *, seed: int, lookups: Lookups) -> YearSummary:
    """Generate and insert one demo year; return its counts."""
    started = time.monotonic()
    rng = random.Random(f"{seed}-{year}")
    contacts = plan_contacts(rng, lookups, year)
    persons = plan_persons(rng, lookups, year, contacts)
    summary = YearSummary(year=year)

    persons_of: list[list[dict]] = [[] for _ in contacts]
    for person in persons:
        persons_of[person["contact"]].append(person)

    saved: list = []  # the year's contacts already inserted (they have a pk)
    for start in range(0, len(contacts), BATCH):
        chunk = range(start, min(start + BATCH, len(contacts)))
        objects = []
        for index in chunk:
            values = contacts[index]
            _check_codes(lookups, values, persons_of[index])
            incomplete = _is_incomplete(values, persons_of[index])
            contact = Contact(
                uuid=uuid.UUID(int=rng.getrandbits(128), version=4),
                external_id=f"{DEMO_PREFIX}{year}-{index + 1:05d}",
                team=lookups.teams[values["team"]],
                status=Contact.Status.INCOMPLETE if incomplete else Contact.Status.COMPLETE,
                started_at=values["started_at"],
                started_on=values["started_on"],
                duration_minutes=values["duration_minutes"],
                **{name: values[name] for name in CONTACT_CODE_LISTS},
            )
            if year >= NEW_SYSTEM_FROM and not incomplete:
                for name, value in plan_handling(rng).items():
                    setattr(contact, name, value)
                # A callback or a new contact about the same situation, pointing to a contact
                # already saved in an earlier batch of the year.
                if saved and rng.random() < FOLLOW_UP_SHARE:
                    contact.follow_up_of = saved[rng.randrange(max(0, len(saved) - 400), len(saved))]
            contact.refresh_derived(codes=lookups.roles, hours=lookups.schedule)
            objects.append(contact)
            summary.incomplete += incomplete
            summary.date_only += values["started_at"] is None
        Contact.objects.bulk_create(objects, batch_size=500)
        saved.extend(objects)

        person_objects, person_values = [], []
        for contact, index in zip(objects, chunk, strict=True):
            for person in persons_of[index]:
                person_objects.append(
                    ReportedPerson(
                        uuid=uuid.UUID(int=rng.getrandbits(128), version=4),
                        contact=contact,
                        position=person["position"],
                        **{name: person[name] for name in PERSON_CODE_LISTS},
                    )
                )
                person_values.append(person)
        ReportedPerson.objects.bulk_create(person_objects, batch_size=500)
        forms, referrals = [], []
        for obj, person in zip(person_objects, person_values, strict=True):
            forms.extend((obj.pk, code) for code in person["violence_forms"])
            referrals.extend((obj.pk, code) for code in person["referrals"])
        # Two-column rows without signals or defaults, faster than bulk_create; database triggers
        # (the audit history) still see every row. On PostgreSQL one statement per batch: the
        # reports' statement triggers then run once per batch, not once per row.
        connection = transaction.get_connection()
        with connection.cursor() as cursor:
            for model, rows in ((ViolenceForm, forms), (Referral, referrals)):
                table = model._meta.db_table
                if not rows:
                    continue
                if connection.vendor == "postgresql":
                    person_ids, codes = zip(*rows, strict=True)
                    cursor.execute(
                        f"INSERT INTO {table} (person_id, code) SELECT * FROM unnest(%s::bigint[], %s::text[])",
                        [list(person_ids), list(codes)],
                    )
                else:
                    cursor.executemany(f"INSERT INTO {table} (person_id, code) VALUES (%s, %s)", rows)
        summary.contacts += len(objects)
        summary.persons += len(person_objects)
        summary.without_person += sum(1 for index in chunk if not persons_of[index])
        summary.violence_forms += len(forms)
        summary.referrals += len(referrals)
        if start == 0 and connection.vendor == "postgresql":
            # The planner's row counts from the tables as they now are (this transaction's rows
            # included), before the rest of the year: statistics taken when the tables were empty,
            # or full of rolled-back rows, make the reports' delta triggers join a growing table
            # row by row (seen: a quarter of a second per batch insert).
            _analyze(connection)
    summary.seconds = time.monotonic() - started
    return summary


def demo_data_delete() -> int:
    """Delete every demo contact (external_id demo-…) with its persons; return how many.

    Each deleted row gets its history row: the history of a DELETE cannot be skipped (audit.history).
    """
    demo = Contact.all_objects.filter(external_id__startswith=DEMO_PREFIX)
    with transaction.atomic():
        count = demo.count()
        # One set-based DELETE per table (no per-object collector: it deletes in batches of 100 ids,
        # and every statement runs the reports' delta triggers). Demo contacts have nothing else
        # pointing at them but follow-ups and drafts, cleared first.
        Contact.all_objects.filter(follow_up_of__in=demo).update(follow_up_of=None)
        Draft.objects.filter(registered__in=demo).update(registered=None)
        FollowUpItem.objects.filter(contact__in=demo).delete()  # few or none: the collector is fine
        for queryset in (
            Referral.objects.filter(person__contact__in=demo),
            ViolenceForm.objects.filter(person__contact__in=demo),
            ReportedPerson.all_objects.filter(contact__in=demo),
            ContactText.objects.filter(contact__in=demo),
            demo,
        ):
            queryset._raw_delete(queryset.db)
        audit_event(None, "demo_delete", via="cli", details={"contacts": count})
    return count


def demo_years_create(
    years: Iterable[int], *, seed: int = DEFAULT_SEED, on_year: Callable[[YearSummary], None] | None = None
) -> list[YearSummary]:
    """Insert the demo years in one transaction; return one summary per year."""
    years = sorted(set(years))
    unknown = [y for y in years if y not in YEAR_TOTALS]
    if unknown:
        raise ValueError(f"no demo figures for {', '.join(map(str, unknown))} (demo years: 2012–2024)")
    summaries = []
    with transaction.atomic():
        connection = transaction.get_connection()
        if connection.vendor == "sqlite":
            # The indexes of ~500.000 new rows outgrow SQLite's default 2 MB page cache, and the
            # transaction then spills to disk on every batch: give this connection 256 MB.
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size = -262144")
        skip_row_history()
        lookups = Lookups()
        for year in years:
            summary = create_year(year, seed=seed, lookups=lookups)
            summaries.append(summary)
            if on_year:
                on_year(summary)
        years_loaded = {s.year: {"contacts": s.contacts, "persons": s.persons} for s in summaries}
        audit_event(None, "demo_load", via="cli", details={"seed": seed, "years": years_loaded})
        if connection.vendor == "postgresql":
            _analyze(connection)
    return summaries


def _analyze(connection) -> None:
    """Give the planner the new row counts now (it counts this transaction's own rows).

    Without it, until autovacuum passes (or never, where it is off), the planner takes tables of
    tens of thousands of rows for empty ones, and the reports' delta triggers of a later bulk
    change scan them once per row. A login that does not own the tables gets a warning, not an error.
    """
    tables = [m._meta.db_table for m in (Contact, ContactText, ReportedPerson, ViolenceForm, Referral)]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in tables))
