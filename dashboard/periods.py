"""The periods the overviews count: this week, month and year to date, the same periods a year
earlier, and the closed periods the Flemish coordinator sees.

- This week runs from Monday to today, this month from the 1st, this year from 1 January.
- The same period last year: the week 52 weeks earlier (so Monday compares with Monday), and
  for the month and the year the same dates one year earlier (29 February → 28 February).
- A closed period ends at the latest on the last day of the previous month (the publication
  rule of issue 12): the previous month, and the year up to the end of the previous month (in
  January: the whole previous year).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Period:
    key: str
    start: date
    end: date

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end

    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]

    def months(self) -> list[date]:
        """The first day of each month the period touches."""
        months, month = [], date(self.start.year, self.start.month, 1)
        while month <= self.end:
            months.append(month)
            month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        return months

    def split_months(self) -> tuple[list[date], list[Period]]:
        """The whole months within the period (their first days) and what lies outside them: at
        most a part before the first and a part after the last (the whole period when no month
        fits in it)."""
        if (self.end - self.start).days < 27:  # shorter than any month (a day, a week)
            return [], [self]
        whole = [m for m in self.months() if m >= self.start and month_end(m) <= self.end]
        if not whole:
            return [], [self]
        parts = []
        if self.start < whole[0]:
            parts.append(Period(self.key, self.start, whole[0] - timedelta(days=1)))
        if month_end(whole[-1]) < self.end:
            parts.append(Period(self.key, month_end(whole[-1]) + timedelta(days=1), self.end))
        return whole, parts


def month_end(month: date) -> date:
    """The last day of the day's month."""
    following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return following - timedelta(days=1)


def _year_earlier(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def current_periods(today: date) -> dict[str, Period]:
    """This week, month and year, each up to today."""
    return {
        "week": Period("week", today - timedelta(days=today.weekday()), today),
        "month": Period("month", today.replace(day=1), today),
        "year": Period("year", today.replace(month=1, day=1), today),
    }


def a_year_earlier(period: Period) -> Period:
    """The same period last year (see the module's docstring)."""
    if period.key == "week":
        return Period(period.key, period.start - timedelta(weeks=52), period.end - timedelta(weeks=52))
    return Period(period.key, _year_earlier(period.start), _year_earlier(period.end))


def end_of_previous_month(today: date) -> date:
    return today.replace(day=1) - timedelta(days=1)


def closed_periods(today: date) -> dict[str, Period]:
    """The last closed month and the year up to its end."""
    last = end_of_previous_month(today)
    return {
        "month": Period("month", last.replace(day=1), last),
        "year": Period("year", last.replace(month=1, day=1), last),
    }


def is_closed(period: Period, today: date) -> bool:
    return period.end <= end_of_previous_month(today)
