"""python manage.py rebuild_cube [--check]

Counts the reports' pre-aggregated counts (reports.cube) again from the registrations, on
PostgreSQL. Saves and imports keep the counts current themselves; this is for a database loaded
with its triggers off (a restore with session_replication_role = replica) or to repair. With
--check it only compares the counts with a fresh count and says whether they differ.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from reports import cube


class Command(BaseCommand):
    help = "Count the reports' pre-aggregated counts again from the registrations (PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="compare only; exit 1 when they differ")

    def handle(self, *args, check=False, **options):
        if connection.vendor != "postgresql":
            self.stdout.write("No pre-aggregated counts on this database: reports count live.")
            return
        if check:
            differing = self._differences()
            self.stdout.write(f"cells that differ from a fresh count: {differing}")
            if differing:
                raise CommandError("the pre-aggregated counts differ: run rebuild_cube")
            return
        cells = cube.rebuild()
        self.stdout.write(f"pre-aggregated counts rebuilt: {cells} cells")

    def _differences(self) -> int:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMPORARY TABLE fresh_cube ON COMMIT DROP AS "
                'SELECT bucket, team_key, grouping, "values", count, key_sum FROM reports_cubecount WITH NO DATA'
            )
            cursor.execute(cube.rebuild_sql().replace("INSERT INTO reports_cubecount", "INSERT INTO fresh_cube", 1))
            cursor.execute(
                'SELECT count(*) FROM (SELECT bucket, team_key, grouping, "values", count, key_sum '
                "FROM reports_cubecount WHERE count <> 0 OR key_sum <> 0) kept "
                'FULL JOIN fresh_cube f USING (bucket, team_key, grouping, "values") '
                "WHERE kept.count IS DISTINCT FROM f.count OR kept.key_sum IS DISTINCT FROM f.key_sum"
            )
            differing = cursor.fetchone()[0]
            cursor.execute("DROP TABLE fresh_cube")
            return differing
