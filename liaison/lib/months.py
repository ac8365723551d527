"""Calendar-month arithmetic, in one place (python-dateutil's relativedelta does the work)."""

import datetime as dt

from dateutil.relativedelta import relativedelta


def add_months(day: dt.date, n: int) -> dt.date:
    """Same day n calendar months later, clamped to the end of shorter months (Jan 31 + 1 → Feb 28/29)."""
    return day + relativedelta(months=n)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def shift_month(day: dt.date, n: int) -> dt.date:
    """The first day of the month n months after `day`'s month."""
    return month_start(day) + relativedelta(months=n)


def previous_month(year: int, month: int) -> tuple[int, int]:
    day = shift_month(dt.date(year, month, 1), -1)
    return day.year, day.month


def next_month(year: int, month: int) -> tuple[int, int]:
    day = shift_month(dt.date(year, month, 1), 1)
    return day.year, day.month


def month_range(year: int, month: int, tz) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of a calendar month as aware datetimes in `tz`."""
    first = dt.date(year, month, 1)
    return (
        dt.datetime.combine(first, dt.time.min, tz),
        dt.datetime.combine(shift_month(first, 1), dt.time.min, tz),
    )
