"""What the demo generator reads from the database once: teams, codes and their roll-ups, hours."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from registration.derivation import Schedule, relation_roles
from registration.models import Code, Team

BRUSSELS = ZoneInfo("Europe/Brussels")


class Lookups:
    """The data the generator reads once: teams, code validity and roll-ups, opening hours."""

    def __init__(self) -> None:
        self.teams = Team.objects.in_bulk(field_name="code")
        self.codes: dict[str, dict[str, Code]] = defaultdict(dict)
        for code in Code.objects.all():
            self.codes[code.list][code.code] = code
        # Who is a minor, a relation's group, a context's roll-up: Code.rollup (data); a code
        # without one, and an empty field, count as unknown.
        self._rollups = {
            list_name: {value: code.rollup or "unknown" for value, code in codes.items()}
            for list_name, codes in self.codes.items()
        }
        self.roles = relation_roles()
        self.schedule = Schedule.load()
        self._valid_problems: dict[date, frozenset] = {}
        self._open_days: dict[tuple, list] = {}

    def rollup(self, list_name: str, value: str | None) -> str:
        """The roll-up of a code of list_name ("minor", "self", "intrafamilial", …) or "unknown"."""
        return self._rollups.get(list_name, {}).get(value, "unknown")

    def valid_problems(self, day: date) -> frozenset:
        """The problem codes valid on day (as Code.objects.of_list("problem").valid_on(day))."""
        if day not in self._valid_problems:
            self._valid_problems[day] = frozenset(
                c for c, code in self.codes["problem"].items() if code.is_valid_on(day)
            )
        return self._valid_problems[day]

    def check(self, list_name: str, value: str | None, day: date) -> None:
        if value is None:
            return
        code = self.codes[list_name].get(value)
        if code is None or not code.is_valid_on(day):
            raise ValueError(f"demo data: {list_name} code {value!r} is not valid on {day}")

    def slots(self, channel: str, day: date) -> list[tuple[time, time]]:
        """The opening slots of a live channel on day; empty on a closure or before the channel."""
        current = None
        for valid_from, always, slots in self.schedule.periods.get(channel, []):
            if valid_from <= day:
                current = (always, slots)
        if current is None or current[0] or day in self.schedule.closures:
            return []
        return [(opens, closes) for weekday, opens, closes in current[1] if weekday == day.weekday()]

    def open_days(self, channel: str, year: int, month: int) -> list[tuple[date, list]]:
        key = (channel, year, month)
        if key not in self._open_days:
            self._open_days[key] = [(day, s) for day in month_days(year, month) if (s := self.slots(channel, day))]
        return self._open_days[key]


def month_days(year: int, month: int) -> list[date]:
    day = date(year, month, 1)
    days = []
    while day.month == month:
        days.append(day)
        day += timedelta(days=1)
    return days


def local_instant(day: date, minutes: int) -> datetime:
    """The Brussels instant `minutes` after midnight on day."""
    return datetime(day.year, day.month, day.day, minutes // 60, minutes % 60, tzinfo=BRUSSELS)
