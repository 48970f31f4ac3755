"""Pre-aggregated counts (PostgreSQL): a year of a million contacts reports in a second.

Counts are kept per ten days of a month and per team, grouped exactly as the report's selectors group them.
Database triggers on contacts, reported persons, forms of violence and referrals mark the
bucket and team of every change as dirty in the same transaction as the change; the next report
recounts the dirty buckets from the live tables before it reads, so a new or edited
registration shows in the figures at once. See reports/cube.py.
"""

from django.db import models
from django.utils import timezone


class CubeMonth(models.Model):
    """A month whose counts (all teams) are pre-aggregated."""

    month = models.DateField(unique=True)

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class DirtyBucket(models.Model):
    """A bucket (ten days of a month: the 1st, 11th or 21st) and team (0: no team) changed since
    its counts were aggregated."""

    bucket = models.DateField()
    team_key = models.BigIntegerField()
    marked_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.bucket} team {self.team_key}"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["bucket", "team_key"], name="dirty_bucket_once")]


class CubeCount(models.Model):
    """One grouped count of one bucket (ten days of a month) and team: `grouping` names the
    selector's grouping, `values` holds the stored values grouped by."""

    bucket = models.DateField()
    team_key = models.BigIntegerField()
    grouping = models.CharField(max_length=200)
    values = models.JSONField()
    count = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.bucket} team {self.team_key} {self.grouping} {self.values}: {self.count}"

    class Meta:
        indexes = [models.Index(fields=["bucket", "team_key"], name="cube_bucket_team")]
