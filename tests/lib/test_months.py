"""Calendar months: the monthly consultation, the monthly bulletin and the dashboards' month filters all count
months with these helpers; a wrong boundary shows up as last month's items in this month's report."""

import datetime as dt
import zoneinfo

from liaison.lib.months import add_months, month_range, month_start, next_month, previous_month, shift_month

D = dt.date
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def test_month_start_is_the_first_of_the_same_month():
    assert month_start(D(2026, 3, 31)) == D(2026, 3, 1)
    assert month_start(D(2026, 3, 1)) == D(2026, 3, 1)


def test_shift_month_lands_on_the_first_of_the_target_month():
    assert shift_month(D(2026, 1, 31), 1) == D(2026, 2, 1)  # not 28 Feb: the day is dropped first
    assert shift_month(D(2026, 3, 15), -3) == D(2025, 12, 1)
    assert shift_month(D(2026, 3, 15), 0) == D(2026, 3, 1)
    assert shift_month(D(2026, 11, 30), 14) == D(2028, 1, 1)


def test_previous_and_next_month_cross_the_year():
    assert previous_month(2026, 1) == (2025, 12)
    assert previous_month(2026, 7) == (2026, 6)
    assert next_month(2025, 12) == (2026, 1)
    assert next_month(2026, 7) == (2026, 8)


def test_month_range_is_the_whole_month_in_local_time_and_nothing_more():
    start, end = month_range(2026, 2, SHANGHAI)
    assert start == dt.datetime(2026, 2, 1, 0, 0, tzinfo=SHANGHAI)
    assert end == dt.datetime(2026, 3, 1, 0, 0, tzinfo=SHANGHAI)
    assert start.utcoffset() == dt.timedelta(hours=8)
    # An item at 23:59 on the last day of February counts in February; one at midnight on 1 March does not.
    assert start <= dt.datetime(2026, 2, 28, 23, 59, tzinfo=SHANGHAI) < end
    assert not dt.datetime(2026, 3, 1, 0, 0, tzinfo=SHANGHAI) < end
    december = month_range(2025, 12, SHANGHAI)
    assert december == (dt.datetime(2025, 12, 1, tzinfo=SHANGHAI), dt.datetime(2026, 1, 1, tzinfo=SHANGHAI))


def test_add_months_keeps_the_day_where_the_month_has_it():
    assert add_months(D(2026, 1, 15), 1) == D(2026, 2, 15)
    assert add_months(D(2026, 1, 15), 0) == D(2026, 1, 15)
    assert add_months(D(2026, 5, 31), 1) == D(2026, 6, 30)
