import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from audit.services import audit_event
from registration.interchange import ImportFailed, import_lines

MAX_WARNINGS_SHOWN = 20


class Command(BaseCommand):
    help = "Import contacts from a JSON Lines file (domain.md's interchange format), all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .jsonl file, or - for standard input")
        parser.add_argument(
            "--update", action="store_true", help="replace contacts whose external_id exists with other content"
        )

    def handle(self, *args, file, update, **options):
        stream = sys.stdin if file == "-" else None
        try:
            if stream is None:
                stream = open(file, encoding="utf-8-sig")  # noqa: SIM115 (a BOM from Windows tools is fine)
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}") from exc
        with stream:
            lines = stream.read().splitlines()
        bar = self._progress(len(lines))
        try:
            # The contacts and their one audit event are committed together, or neither is.
            with transaction.atomic():
                result = import_lines(lines, update=update, progress=bar.update if bar else None)
                audit_event(
                    None,
                    "import",
                    via="cli",
                    details={
                        "file": str(file),
                        "created": result.created,
                        "updated": result.updated,
                        "skipped": result.skipped,
                    },
                )
        except ImportFailed as failed:
            if bar:
                bar.close()
            for error in failed.errors:
                self.stderr.write(error)
            raise CommandError(f"{len(failed.errors)} error(s): nothing was imported.") from None
        if bar:
            bar.close()
        for warning in result.warnings[:MAX_WARNINGS_SHOWN]:
            self.stderr.write(f"warning: {warning}")
        if len(result.warnings) > MAX_WARNINGS_SHOWN:
            self.stderr.write(f"… and {len(result.warnings) - MAX_WARNINGS_SHOWN} more warning(s).")
        self.stdout.write(
            f"Imported {result.created} contact(s) with {result.persons} reported person(s); "
            f"{result.skipped} unchanged skipped, {result.updated} updated."
        )

    def _progress(self, total):
        # A progress bar on a terminal only; pipes and CI get the summary line alone.
        if not self.stderr.isatty():
            return None
        from tqdm import tqdm

        return tqdm(total=total, unit=" lines", file=sys.stderr, desc="validating")
