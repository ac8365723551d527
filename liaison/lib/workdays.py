"""Working days on China's official calendar (法定节假日 and 调休 make-up workdays).

The calendar comes from the chinese-calendar package; an admin-editable override table
(`suggestions.WorkdayOverride`) adds or corrects days, e.g. for years the package does not know yet.
Years the package does not cover and no override mentions fall back to Monday–Friday.

Use `WorkCalendar.load()` once when computing many dates (one query for the overrides); the module-level
functions load a calendar per call and are fine for a single computation.
"""

import datetime as dt
from collections.abc import Mapping
from functools import lru_cache

import chinese_calendar

from liaison.lib.months import add_months  # noqa: F401 (part of this module's API)


class WorkCalendar:
    def __init__(self, overrides: Mapping[dt.date, bool] | None = None):
        self.overrides = dict(overrides or {})

    @classmethod
    def load(cls) -> "WorkCalendar":
        from django.apps import apps

        model = apps.get_model("suggestions", "WorkdayOverride")
        return cls(dict(model.objects.values_list("date", "is_workday")))

    def is_workday(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        return _official_workday(day)

    def next_workday(self, day: dt.date) -> dt.date:
        """`day` itself when it is a working day, else the next working day."""
        while not self.is_workday(day):
            day += dt.timedelta(days=1)
        return day

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The n-th working day after `start` (n = 0: `start` rolled forward to a working day)."""
        if n <= 0:
            return self.next_workday(start)
        day = start
        while n > 0:
            day += dt.timedelta(days=1)
            if self.is_workday(day):
                n -= 1
        return day

    def working_days_between(self, a: dt.date, b: dt.date) -> int:
        """Working days in (a, b]; negative when b is before a."""
        if b < a:
            return -self.working_days_between(b, a)
        count, day = 0, a
        while day < b:
            day += dt.timedelta(days=1)
            if self.is_workday(day):
                count += 1
        return count

    def due_date(self, start: dt.date, *, months: int = 0, working_days: int = 0, paused_days: int = 0) -> dt.date:
        """A limit of `months` calendar months and/or `working_days` working days from `start`, extended by
        `paused_days` working days during which the clock stood still; a due date on a holiday moves to
        the next working day."""
        day = add_months(start, months) if months else start
        if working_days:
            day = self.add_working_days(day, working_days)
        if paused_days:
            day = self.add_working_days(day, paused_days)
        return self.next_workday(day)


@lru_cache(maxsize=8192)
def _official_workday(day: dt.date) -> bool:
    """The package's answer for `day`, remembered: it is fixed for the process's life, and each lookup costs the
    package a scan of its whole holiday table (lists counting days to due dates ask for thousands)."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def is_workday(day: dt.date) -> bool:
    return WorkCalendar.load().is_workday(day)


def add_working_days(start: dt.date, n: int) -> dt.date:
    return WorkCalendar.load().add_working_days(start, n)


def working_days_between(a: dt.date, b: dt.date) -> int:
    return WorkCalendar.load().working_days_between(a, b)
