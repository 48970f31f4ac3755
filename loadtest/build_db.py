"""Build the load test's database once: ten years of demo data topped up to 100,000 contacts, and the accounts.

Run by scripts/load.sh (python -m loadtest.build_db) with DATABASE_URL set to the load test's own database.
The demo years (seed_demo, 2015–2024) are topped up with generated contacts of 2024 through
import_contacts (the generator of bench_import). Idempotent: a database that already holds the
contacts is left as it is. Then 50 counsellors (bench.hv.01 … over the five teams) and 2 Flemish
coordinators (bench.vc.01, bench.vc.02), each with a known TOTP secret (loadtest.accounts), are made.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time


def main(contacts: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from registration.management.commands.bench_import import Command as BenchImport
    from registration.models import Contact

    from .accounts import ensure_accounts

    call_command("migrate", verbosity=0)
    started = time.monotonic()
    if not Contact.all_objects.exists():
        print("Loading the demo years 2015–2024 …", flush=True)
        call_command("seed_demo", years="2015-2024")
    have = Contact.all_objects.count()
    if have < contacts:
        missing = contacts - have
        print(f"Importing {missing:,} generated contacts of 2024 …", flush=True)
        lines = BenchImport()._lines(missing, random.Random(1712))
        with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as handle:
            for line in lines:
                handle.write(line.replace('"bench-', '"load-') + "\n")
        try:
            call_command("import_contacts", handle.name)
        finally:
            os.unlink(handle.name)
    ensure_accounts()
    # Fresh statistics and visibility map: without them (autovacuum off, or not yet run after the
    # bulk load) PostgreSQL plans the list for an empty table and reads every team's row.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"Contacts: {Contact.all_objects.count():,} [{time.monotonic() - started:.0f} s]", flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
