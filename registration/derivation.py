"""The derived fields of a contact, computed here and nowhere else.

- caller role from the relation code (domain.md, the "1.b" table): the role is data on
  the relation's code row, so a new relation code carries its own role;
- within opening hours from the channel, the local time and the opening-hours data.

Bulk callers (import, recompute) load the lookups once and pass them in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.utils import timezone

UNKNOWN = "unknown"
# A relation code without a role of its own (an administrator's new code) counts as a bystander:
# everything that is not the victim, the perpetrator or unknown is one (domain.md).
DEFAULT_ROLE = "bystander"


def relation_roles() -> dict[str, str]:
    from .codebook import all_codes

    return {code.code: code.caller_role for code in all_codes() if code.list == "caller_relation"}


def caller_role_for(relation: str | None, *, codes: dict[str, str] | None = None) -> str:
    """Return victim / perpetrator / bystander / unknown for a caller_relation code."""
    if not relation:
        return UNKNOWN
    roles = codes if codes is not None else relation_roles()
    return roles.get(relation) or DEFAULT_ROLE


@dataclass
class Schedule:
    """Opening hours and closures loaded once: channel → [(valid_from, always, slots)]."""

    periods: dict[str, list[tuple[date, bool, list[tuple[int, time, time]]]]] = field(default_factory=dict)
    closures: set[date] = field(default_factory=set)

    @classmethod
    def load(cls) -> Schedule:
        from .models import Closure, OpeningHours

        grouped: dict[tuple[str, date], tuple[bool, list]] = {}
        for row in OpeningHours.objects.all():
            always, slots = grouped.setdefault((row.channel, row.valid_from), (False, []))
            if row.always:
                grouped[(row.channel, row.valid_from)] = (True, slots)
            elif row.weekday is not None and row.opens and row.closes:
                slots.append((row.weekday, row.opens, row.closes))
        periods: dict[str, list] = {}
        for (channel, valid_from), (always, slots) in sorted(grouped.items()):
            periods.setdefault(channel, []).append((valid_from, always, slots))
        return cls(periods=periods, closures=set(Closure.objects.values_list("date", flat=True)))

    def is_open(self, channel: str, local: datetime) -> bool:
        current = None
        for valid_from, always, slots in self.periods.get(channel, []):
            if valid_from <= local.date():
                current = (always, slots)
        if current is None:
            # The channel did not exist yet (chat before 2019): nobody was on the line.
            return False
        always, slots = current
        if always:
            return True
        if local.date() in self.closures:
            return False
        moment = local.time()
        return any(day == local.weekday() and opens <= moment < closes for day, opens, closes in slots)


def within_opening_hours_for(channel: str | None, started_at: datetime | None, *, hours: Schedule | None = None) -> str:
    """Return within / outside / unknown for a contact's channel and start instant."""
    if not channel or started_at is None:
        return UNKNOWN
    if hours is None:
        from .codebook import held

        hours = held("schedule", Schedule.load)
    schedule = hours
    return "within" if schedule.is_open(channel, timezone.localtime(started_at)) else "outside"
