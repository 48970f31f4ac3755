"""Pre-aggregated counts (PostgreSQL): a year of a million contacts reports in a second.

Counts are kept per month and team, grouped exactly as the report's selectors group them.
Database triggers on contacts, reported persons, forms of violence and referrals add each change's
delta to the counts in the same transaction as the change (applied at its commit), so a new or
edited registration shows in the figures at once and a report never recounts. See reports/cube.py.
"""

from django.db import models


class CubeCount(models.Model):
    """One grouped count of one bucket (a month, by its first day) and team (0: none): `grouping`
    names the selector's grouping, `values` holds the stored values grouped by."""

    bucket = models.DateField()
    team_key = models.BigIntegerField()
    grouping = models.CharField(max_length=200)
    values = models.JSONField()
    # Kept by adding deltas (reports.cube): not a positive field, so a delta applied to a cube
    # that was loaded without its triggers can never make a registration's save fail.
    count = models.BigIntegerField()
    # The sum of the counted rows' record keys: a published cell's key (reports.disclosure).
    key_sum = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.bucket} team {self.team_key} {self.grouping} {self.values}: {self.count}"

    class Meta:
        constraints = [
            # The cell a delta is added to (INSERT … ON CONFLICT in reports.cube); its first two
            # columns serve a report's range of buckets and teams.
            models.UniqueConstraint(fields=["bucket", "team_key", "grouping", "values"], name="cube_cell_once")
        ]


class PublicationCut(models.Model):
    """When a month's publication figures were cut: the first report under the publication rule in
    that month (reports.selectors.publication). Registrations made later, also imported or dated
    back into a closed month, count from the next month on, so the Flemish coordinator's figures
    do not change between two reads within a month."""

    month = models.DateField(unique=True)
    taken_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}: {self.taken_at.isoformat()}"
