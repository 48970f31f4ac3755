"""python manage.py report YEAR|FROM-TO --format json|csv|xlsx [--team CODE] [--output FILE] [--publish]"""

import json
from dataclasses import replace

from django.core.management.base import BaseCommand, CommandError

from registration.models import Team
from reports.exporters import render_csv, render_xlsx, report_rows
from reports.selectors import parse_period
from reports.services import report_run


class Command(BaseCommand):
    help = "Print the report of a year or a range of years (JSON or CSV on stdout), or write it to a file."

    def add_arguments(self, parser):
        parser.add_argument("period", help="YEAR (2024) or FROM-TO (2016-2021)")
        parser.add_argument("--format", choices=["json", "csv", "xlsx"], default="json")
        parser.add_argument("--team", help="team code (noord-west-vlaanderen, oost-vlaanderen, antwerpen, ...)")
        parser.add_argument("--output", help="write to this file instead of standard output")
        parser.add_argument("--publish", action="store_true", help="hide small counts (publication mode)")

    def handle(self, *args, **options):
        try:
            report_filter = parse_period(options["period"])
        except ValueError:
            raise CommandError(f"Not a year or range of years: {options['period']!r} (use 2024 or 2016-2021)") from None
        fmt = options["format"]
        output = options.get("output")
        if fmt == "xlsx" and not output:
            raise CommandError("--format xlsx needs --output FILE (a workbook is not written to standard output)")
        team = options.get("team")
        if team:
            if not Team.objects.filter(code=team).exists():
                codes = ", ".join(Team.objects.values_list("code", flat=True))
                raise CommandError(f"Unknown team {team!r}; one of: {codes}")
            report_filter = replace(report_filter, team_codes=(team,))

        report = report_run(report_filter, via="cli", publish=options["publish"], fmt=fmt)

        if fmt == "xlsx":
            content: bytes | str = render_xlsx(report)
        elif fmt == "csv":
            content = render_csv(report_rows(report))
        else:
            content = json.dumps(report, ensure_ascii=False, indent=1) + "\n"

        if output:
            mode = "wb" if isinstance(content, bytes) else "w"
            with open(output, mode, **({} if mode == "wb" else {"encoding": "utf-8", "newline": ""})) as handle:
                handle.write(content)
            self.stderr.write(f"Report written to {output}")
        else:
            self.stdout.write(content, ending="")
