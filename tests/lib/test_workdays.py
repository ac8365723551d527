import datetime as dt

import pytest

from liaison.lib.workdays import WorkCalendar, add_months, add_working_days, is_workday, working_days_between

D = dt.date
CAL = WorkCalendar()


def test_it_knows_national_day_2025_and_its_make_up_workdays():
    assert CAL.is_workday(D(2025, 9, 28))  # Sunday, make-up workday
    assert CAL.is_workday(D(2025, 10, 11))  # Saturday, make-up workday
    assert not any(CAL.is_workday(D(2025, 10, d)) for d in range(1, 9))
    assert not CAL.is_workday(D(2025, 10, 12))  # ordinary Sunday


def test_it_knows_mid_autumn_and_national_day_2026_and_their_make_up_workdays():
    assert CAL.is_workday(D(2026, 9, 20))  # Sunday, make-up workday
    assert not any(CAL.is_workday(D(2026, 9, d)) for d in (25, 26, 27))  # Mid-autumn (Fri–Sun)
    assert not any(CAL.is_workday(D(2026, 10, d)) for d in range(1, 8))
    assert CAL.is_workday(D(2026, 10, 10))  # Saturday, make-up workday
    assert not CAL.is_workday(D(2026, 10, 11))  # ordinary Sunday
    # Tue 29 Sep + 1 = Wed 30 Sep; + 2 = Thu 8 Oct; + 4 = the make-up Saturday; + 5 = Mon 12 Oct.
    assert [CAL.add_working_days(D(2026, 9, 29), n) for n in range(1, 6)] == [
        D(2026, 9, 30),
        D(2026, 10, 8),
        D(2026, 10, 9),
        D(2026, 10, 10),
        D(2026, 10, 12),
    ]
    assert CAL.add_working_days(D(2026, 9, 18), 1) == D(2026, 9, 20)  # Fri → the make-up Sunday
    assert CAL.working_days_between(D(2026, 9, 24), D(2026, 10, 12)) == 7
    assert CAL.due_date(D(2026, 7, 7), months=3) == D(2026, 10, 8)  # 7 Oct is a holiday
    assert CAL.due_date(D(2026, 7, 10), months=3) == D(2026, 10, 10)  # a make-up Saturday stays


def test_it_knows_spring_festival_2026_and_its_make_up_saturdays():
    assert CAL.is_workday(D(2026, 2, 14)) and CAL.is_workday(D(2026, 2, 28))  # Saturdays, make-up workdays
    assert not any(CAL.is_workday(D(2026, 2, d)) for d in range(15, 24))  # 15–23 Feb
    assert CAL.add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert CAL.add_working_days(D(2026, 2, 13), 2) == D(2026, 2, 24)
    assert CAL.working_days_between(D(2026, 2, 13), D(2026, 2, 28)) == 6  # 14, 24, 25, 26, 27, 28
    assert CAL.due_date(D(2025, 11, 18), months=3) == D(2026, 2, 24)  # 18 Feb is in the holiday


def test_it_adds_working_days_across_national_day():
    # Fri 26 Sep + 1 = Sun 28 Sep (make-up); + 2 = Tue 30 Sep; + 3 = Thu 9 Oct (holiday skipped)
    assert CAL.add_working_days(D(2025, 9, 26), 1) == D(2025, 9, 28)
    assert CAL.add_working_days(D(2025, 9, 26), 2) == D(2025, 9, 29)
    assert CAL.add_working_days(D(2025, 9, 30), 1) == D(2025, 10, 9)
    assert CAL.add_working_days(D(2025, 9, 30), 3) == D(2025, 10, 11)  # the make-up Saturday counts
    assert CAL.add_working_days(D(2025, 9, 30), 4) == D(2025, 10, 13)
    assert CAL.add_working_days(D(2025, 10, 3), 0) == D(2025, 10, 9)  # rolled forward to a working day


def test_it_counts_working_days_between_dates():
    assert CAL.working_days_between(D(2025, 9, 30), D(2025, 10, 13)) == 4
    assert CAL.working_days_between(D(2025, 10, 13), D(2025, 9, 30)) == -4
    assert CAL.working_days_between(D(2025, 10, 1), D(2025, 10, 1)) == 0
    for n in range(1, 30):
        start = D(2025, 9, 20)
        assert CAL.working_days_between(start, CAL.add_working_days(start, n)) == n


def test_it_adds_calendar_months_clamping_the_day():
    assert add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert add_months(D(2025, 11, 15), 3) == D(2026, 2, 15)
    assert add_months(D(2025, 3, 31), -1) == D(2025, 2, 28)


def test_it_moves_a_due_date_off_the_holiday_and_extends_it_by_paused_days():
    # 3 months from 2025-07-01 is 2025-10-01 (National Day) → first working day after the holiday.
    assert CAL.due_date(D(2025, 7, 1), months=3) == D(2025, 10, 9)
    # The clock stood still for 3 working days while the item was returned.
    assert CAL.due_date(D(2025, 7, 1), months=3, paused_days=3) == D(2025, 10, 11)  # make-up Saturday
    assert CAL.due_date(D(2025, 9, 24), working_days=7) == D(2025, 10, 10)


def test_it_falls_back_to_weekdays_for_unknown_years():
    assert CAL.is_workday(D(2031, 6, 2))  # Monday
    assert not CAL.is_workday(D(2031, 6, 1))  # Sunday


@pytest.mark.django_db
def test_it_applies_admin_overrides():
    from liaison.suggestions.models import WorkdayOverride

    assert is_workday(D(2031, 10, 1))
    WorkdayOverride.objects.create(date=D(2031, 10, 1), is_workday=False, note="国庆节")
    WorkdayOverride.objects.create(date=D(2031, 9, 28), is_workday=True, note="国庆调休")  # a Sunday
    assert not is_workday(D(2031, 10, 1))
    assert is_workday(D(2031, 9, 28))
    assert add_working_days(D(2031, 9, 26), 1) == D(2031, 9, 28)
    assert working_days_between(D(2031, 9, 30), D(2031, 10, 2)) == 1
