"""python manage.py report YEAR|FROM-TO --format json|csv|xlsx [--team CODE] [--cross A,B]... [--output FILE]
[--publish] [--language nl|en]"""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from reports.exporters import render_csv, render_xlsx, report_rows
from reports.params import ReportParameterError, crosses_checked, period_checked, team_checked, with_team
from reports.selectors import yearly_evolution
from reports.selectors.publication import OpenPeriod, closed_months_notice, open_period_message, publication_for
from reports.selectors.tables import REPORT_LANGUAGE
from reports.services import report_run

# The command line speaks Dutch unless asked otherwise: its CSV then opens in a Belgian Excel.
LANGUAGES = {"nl": REPORT_LANGUAGE, "en": "en"}


class Command(BaseCommand):
    help = "Print the report of a year or a range of years (JSON or CSV on stdout), or write it to a file."

    def add_arguments(self, parser):
        parser.add_argument("period", help="YEAR (2024) or FROM-TO (2016-2021)")
        parser.add_argument("--format", choices=["json", "csv", "xlsx"], default="json")
        parser.add_argument("--team", help="team code (noord-west-vlaanderen, oost-vlaanderen, antwerpen, ...)")
        parser.add_argument(
            "--cross",
            action="append",
            default=[],
            metavar="A,B",
            help="add the crossed table A_x_B of two dimensions (e.g. problem,caller_age_group); repeatable",
        )
        parser.add_argument("--output", help="write to this file instead of standard output")
        parser.add_argument("--publish", action="store_true", help="publication-safe figures (publication mode)")
        parser.add_argument(
            "--language",
            choices=sorted(LANGUAGES),
            default="nl",
            help="labels and number format of CSV and XLSX (nl: ';' and decimal comma; en: ',' and point); "
            "JSON keeps its Dutch labels",
        )

    def handle(self, *args, **options):
        # Messages in the command's language (Dutch unless --language en), whatever language an
        # earlier caller in the same process left active.
        with translation.override(LANGUAGES[options["language"]]):
            self.report(options)

    def report(self, options):
        fmt = options["format"]
        output = options.get("output")
        try:
            report_filter = period_checked(options["period"])
            if options.get("team"):
                report_filter = with_team(report_filter, team_checked(options["team"]))
            crosses = crosses_checked(options["cross"])
        except ReportParameterError as error:
            raise CommandError(f"{error.field}: {error.message}") from None
        if fmt == "xlsx" and not output:
            raise CommandError("--format xlsx needs --output FILE (a workbook is not written to standard output)")

        language = REPORT_LANGUAGE if fmt == "json" else LANGUAGES[options["language"]]
        # --publish: the Flemish coordinator's figures (closed months, perturbed where the rule says).
        publication = publication_for(publish=options["publish"])
        with translation.override(language):
            try:
                report = report_run(
                    report_filter,
                    via="cli",
                    publish=options["publish"],
                    fmt=fmt,
                    extra_crosses=crosses,
                    language=language,
                )
            except OpenPeriod as closed:
                raise CommandError(open_period_message(closed.publication)) from None
            if publication is not None and report["period"]["to"] < report_filter.end.isoformat():
                self.stderr.write(closed_months_notice(publication))
            if fmt == "xlsx":
                evolution = yearly_evolution(report_filter.team_codes, publication=publication)
                content: bytes | str = render_xlsx(report, evolution=evolution)
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
