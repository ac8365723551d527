"""Every time limit of the suggestion loop, at its boundary: the last day inside and the first day outside.

All dates run across the 2026 Mid-autumn Festival and National Day on China's official calendar
(chinese-calendar): Sun 20 Sep is a make-up workday, 25–27 Sep and 1–7 Oct are holidays, Sat 10 Oct is a
make-up workday. A limit that changes by one day, or a calendar that forgets the holidays or the 调休,
moves a boundary and fails a test here.

    Sep 2026: 24 Thu · 25–27 holiday · 28 Mon · 29 Tue · 30 Wed
    Oct 2026: 1–7 holiday · 8 Thu · 9 Fri · 10 Sat (workday) · 11 Sun · 12 Mon · 13 Tue
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from liaison.lib.errors import DomainError
from liaison.lib.workdays import WorkCalendar
from liaison.notify.models import Notification
from liaison.org.models import Body
from liaison.suggestions import services
from liaison.suggestions.models import Assignment, Reminder
from liaison.suggestions.services import supervision

from .helpers import accepted, answered, assigned, signed

pytestmark = pytest.mark.django_db

D = dt.date
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: dt.date):
    """Travel to 09:00 Beijing time on `day` (the clock does not tick)."""
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 9, tzinfo=SHANGHAI), tick=False)


def supervise_on(day: dt.date):
    with at(day):
        call_command("supervise", verbosity=0)


def reload(obj):
    obj.refresh_from_db()
    return obj


def set_body(body, **limits):
    Body.objects.filter(pk=body.pk).update(**limits)


def answer_a(assignment, actor):
    return services.answer_assignment(
        assignment=assignment, actor=actor, answer_class="A", text="已维修完毕", signer="李局长"
    )


# --- 交办: assign within Body.assign_working_days (5) working days of acceptance --------------------------------


def _assign_overdue_notes(suggestion):
    return Notification.objects.filter(key__startswith=f"sugg:assign-overdue:{suggestion.code}:")


def test_it_flags_an_accepted_suggestion_not_assigned_on_the_sixth_working_day(cast, client_for):
    with at(D(2026, 9, 28)):  # Monday
        s = accepted(cast)
    # Working days after acceptance: 29 Sep (1), 30 Sep (2), 8 Oct (3), 9 Oct (4), Sat 10 Oct (5), 12 Oct (6).
    staff = client_for(cast.staff)
    for day in (D(2026, 9, 30), D(2026, 10, 7), D(2026, 10, 10), D(2026, 10, 11)):
        supervise_on(day)
        assert not _assign_overdue_notes(s).exists(), day
    with at(D(2026, 10, 10)):
        page = staff.get("/suggestions/review/").content.decode()
    assert "立案后请在 5 个工作日内交办" in page
    assert "交办期限 2026-10-10" in page and "逾期未交办" not in page
    supervise_on(D(2026, 10, 12))
    supervise_on(D(2026, 10, 12))
    supervise_on(D(2026, 10, 13))
    note = _assign_overdue_notes(s).get()  # once, however often the pass runs
    assert note.recipient == cast.staff
    assert s.title in note.subject and "2026-10-10" in note.subject
    assert note.link == f"/suggestions/{s.code}/assign/"
    with at(D(2026, 10, 12)):
        page = staff.get("/suggestions/review/").content.decode()
    assert "逾期未交办" in page
    # Assigned: no longer waiting, no longer flagged.
    with at(D(2026, 10, 13)):
        services.assign_suggestion(suggestion=reload(s), actor=cast.staff, lead=cast.unit)
        page = staff.get("/suggestions/review/").content.decode()
    assert "逾期未交办" not in page


def test_it_takes_the_assignment_limit_from_the_body(cast, client_for):
    set_body(cast.county_body, assign_working_days=6)
    set_body(cast.township_body, assign_working_days=3)
    with at(D(2026, 9, 28)):
        county = accepted(cast)
        township = accepted(cast, title="关于修缮村道的建议", deputy=cast.deputy2, user=cast.deputy2_user)
    assert township.body == cast.township_body
    supervise_on(D(2026, 10, 8))  # township: day 3 of 3 — inside
    assert not _assign_overdue_notes(township).exists()
    supervise_on(D(2026, 10, 9))  # township: day 4 — late; the township presidium's staff are told
    assert list(_assign_overdue_notes(township).values_list("recipient", flat=True)) == [cast.township_staff.pk]
    supervise_on(D(2026, 10, 12))  # county: day 6 of 6 — inside
    assert not _assign_overdue_notes(county).exists()
    with at(D(2026, 10, 12)):
        page = client_for(cast.staff).get("/suggestions/review/").content.decode()
        township_page = client_for(cast.township_staff).get("/suggestions/review/").content.decode()
    assert "石台县人大常委会 6 个工作日" in page and "仁里镇人大主席团 3 个工作日" in page
    assert "5 个工作日" not in page
    assert "交办期限 2026-10-12" in page and "交办期限 2026-10-08" in page
    assert "立案后请在 3 个工作日内交办" in township_page
    supervise_on(D(2026, 10, 13))  # county: day 7 — late
    assert _assign_overdue_notes(county).get().recipient == cast.staff


def test_it_agrees_with_itself_on_which_acceptance_days_are_overdue():
    # The set-based pass (latest overdue acceptance day) and the per-item rule give the same answer.
    calendar = WorkCalendar()
    for today in (D(2026, 10, 8), D(2026, 10, 10), D(2026, 10, 11), D(2026, 10, 12), D(2026, 2, 24)):
        for n in (0, 1, 3, 5, 6, 20):
            last = supervision._latest_overdue_acceptance(today, n, calendar)
            for offset in range(0, 40):
                day = today - dt.timedelta(days=offset)
                assert supervision.is_assign_overdue(day, n, today, calendar) == (day <= last), (today, n, day)


# --- 退回: a unit may return within Body.return_working_days (7) working days of assignment ----------------------


def test_it_accepts_a_return_on_the_seventh_working_day_and_refuses_it_on_the_eighth(cast):
    with at(D(2026, 9, 24)):  # Thursday
        _, inside, _ = assigned(cast, co=False)
        _, outside, _ = assigned(cast, co=False, title="关于增设路灯的建议")
    # 28 (1), 29 (2), 30 Sep (3), 8 (4), 9 (5), Sat 10 (6), Mon 12 Oct (7), 13 Oct (8).
    with at(D(2026, 10, 12)):
        services.return_assignment(assignment=inside, actor=cast.unit_user, reason="不属于我局职责")
    assert reload(inside).state == "returned"
    with at(D(2026, 10, 13)):
        with pytest.raises(DomainError, match="7 个工作日"):
            services.return_assignment(assignment=outside, actor=cast.unit_user, reason="不属于我局职责")
    assert reload(outside).state == "assigned"
    set_body(cast.county_body, return_working_days=8)
    with at(D(2026, 10, 13)):
        services.return_assignment(assignment=reload(outside), actor=cast.unit_user, reason="不属于我局职责")
    assert reload(outside).state == "returned"


def test_it_stops_the_clock_for_the_working_days_an_item_waits_for_reassignment(cast):
    with at(D(2026, 9, 22)):
        _, lead, _ = assigned(cast, co=False)
    assert lead.due_date == D(2026, 12, 22)
    with at(D(2026, 9, 29)):
        services.return_assignment(assignment=lead, actor=cast.unit_user, reason="不属于我局职责")
    with at(D(2026, 10, 9)):  # stopped on 30 Sep, 8 Oct, 9 Oct — not on the holidays
        new = services.reassign_assignment(assignment=reload(lead), actor=cast.staff, unit=cast.unit_b)
    assert new.paused_days == 3
    assert new.due_date == D(2026, 12, 25)  # 22 Dec + 3 working days


# --- 协办意见: a co-handler's opinion is due within one month of assignment --------------------------------------


def test_it_turns_a_co_handler_red_the_day_after_its_one_month_limit(cast):
    with at(D(2026, 9, 1)):
        _, lead, (co,) = assigned(cast)
    assert co.due_date == D(2026, 10, 8)  # 1 Oct is National Day → the first working day after it
    assert lead.due_date == D(2026, 12, 1)
    supervise_on(D(2026, 10, 8))
    assert reload(co).flag == "yellow"
    supervise_on(D(2026, 10, 9))
    assert reload(co).flag == "red"
    assert Reminder.objects.filter(assignment=co, kind="red").count() == 1
    assert reload(lead).flag == "green"


# --- 答复: the lead unit answers within Body.answer_months (3) months of assignment -----------------------------


def test_it_counts_an_answer_on_the_due_date_as_on_time_and_the_next_day_as_late(cast):
    with at(D(2026, 7, 7)):
        _, inside, _ = signed(cast, co=False)
        _, outside, _ = signed(cast, co=False, title="关于增设路灯的建议")
    assert inside.due_date == outside.due_date == D(2026, 10, 8)  # 7 Oct is a holiday
    with at(D(2026, 10, 8)):
        assert answer_a(inside, cast.unit_user).on_time
    with at(D(2026, 10, 9)):
        assert not answer_a(outside, cast.unit_user).on_time


def test_it_keeps_a_due_date_on_a_make_up_saturday(cast):
    with at(D(2026, 7, 10)):
        _, lead, _ = assigned(cast, co=False)
    assert lead.due_date == D(2026, 10, 10)  # 10 Oct 2026 is a Saturday, but a working day (调休)


def test_it_takes_the_answer_limit_from_the_body(cast):
    set_body(cast.county_body, answer_months=2)
    with at(D(2026, 7, 7)):
        _, lead, _ = assigned(cast, co=False)
    assert lead.due_date == D(2026, 9, 7)


# --- 延期: extensions, at most Body.max_total_months (6) months in all -----------------------------------------


def test_it_extends_to_six_months_in_all_and_not_a_month_more(cast):
    with at(D(2026, 4, 7)):
        _, lead, _ = signed(cast, co=False)
        assert lead.due_date == D(2026, 7, 7)
        with pytest.raises(DomainError, match="6 个月"):
            services.request_extension(assignment=lead, actor=cast.unit_user, months=4, reason="需列入年度预算")
        ext = services.request_extension(assignment=lead, actor=cast.unit_user, months=3, reason="需列入年度预算")
        services.decide_extension(request=ext, actor=cast.staff, approve=True)
    lead = reload(lead)
    assert lead.extension_months == 3 and lead.due_date == D(2026, 10, 8)  # 6 months → 7 Oct, a holiday
    with at(D(2026, 4, 8)):
        with pytest.raises(DomainError, match="6 个月"):
            services.request_extension(assignment=lead, actor=cast.unit_user, months=1, reason="再延一个月")
    supervise_on(D(2026, 10, 8))
    assert reload(lead).flag == "yellow"
    supervise_on(D(2026, 10, 9))
    assert reload(lead).flag == "red"


def test_it_takes_the_extension_cap_from_the_body(cast):
    set_body(cast.county_body, max_total_months=7)
    with at(D(2026, 4, 7)):
        _, lead, _ = signed(cast, co=False)
        ext = services.request_extension(assignment=lead, actor=cast.unit_user, months=4, reason="需列入年度预算")
        services.decide_extension(request=ext, actor=cast.staff, approve=True)
    assert reload(lead).due_date == D(2026, 11, 9)  # 7 Nov is a Saturday


# --- 测评回执: deputies have Body.evaluation_working_days (20) working days; staff close after that --------------


def test_it_closes_an_unevaluated_answer_only_after_twenty_working_days(cast):
    with at(D(2026, 9, 15)):  # Tuesday
        s, _, _ = answered(cast)
    # 16, 17, 18, Sun 20 Sep (make-up), 21–24, 28–30 Sep, 8, 9, Sat 10, 12–16 Oct, Mon 19 Oct = 20 working days.
    for day in (D(2026, 10, 16), D(2026, 10, 18), D(2026, 10, 19)):
        with at(day):
            with pytest.raises(DomainError, match="20 个工作日"):
                services.close_suggestion(suggestion=reload(s), actor=cast.staff)
    with at(D(2026, 10, 20)):
        services.close_suggestion(suggestion=reload(s), actor=cast.staff)
    assert reload(s).state == "closed"


def test_it_takes_the_evaluation_receipt_window_from_the_body(cast):
    set_body(cast.county_body, evaluation_working_days=21)
    with at(D(2026, 9, 15)):
        s, _, _ = answered(cast)
    with at(D(2026, 10, 20)):
        with pytest.raises(DomainError, match="21 个工作日"):
            services.close_suggestion(suggestion=reload(s), actor=cast.staff)
    with at(D(2026, 10, 21)):
        services.close_suggestion(suggestion=reload(s), actor=cast.staff)
    assert reload(s).state == "closed"


# --- 重新办理: after 不满意 the unit answers again within Body.rehandle_months (1) month ---------------------------


def test_it_gives_re_handling_one_month_from_the_unsatisfied_evaluation(cast):
    with at(D(2026, 8, 3)):
        inside, inside_lead, _ = answered(cast, co=False)
        outside, outside_lead, _ = answered(cast, co=False, title="关于增设路灯的建议")
    with at(D(2026, 9, 3)):
        for s in (inside, outside):
            services.evaluate_answer(
                suggestion=reload(s), actor=cast.deputy_user, process="basic", result="unsatisfied"
            )
    assert reload(inside).state == "rehandling"
    assert reload(inside_lead).due_date == reload(outside_lead).due_date == D(2026, 10, 8)  # 3 Oct is a holiday
    supervise_on(D(2026, 10, 8))
    assert reload(outside_lead).flag == "yellow"
    with at(D(2026, 10, 8)):
        assert answer_a(reload(inside_lead), cast.unit_user).on_time
    supervise_on(D(2026, 10, 9))
    assert reload(outside_lead).flag == "red"
    with at(D(2026, 10, 9)):
        assert not answer_a(reload(outside_lead), cast.unit_user).on_time


def test_it_takes_the_re_handling_limit_from_the_body(cast):
    set_body(cast.county_body, rehandle_months=2)
    with at(D(2026, 8, 3)):
        s, lead, _ = answered(cast, co=False)
    with at(D(2026, 9, 3)):
        services.evaluate_answer(suggestion=s, actor=cast.deputy_user, process="basic", result="unsatisfied")
    assert reload(lead).due_date == D(2026, 11, 3)


# --- 答复承诺: a B/C commitment is missed the day after its date ------------------------------------------------


def test_it_marks_a_commitment_missed_the_day_after_its_date_and_reopens_follow_up(cast):
    with at(D(2026, 8, 3)):
        s, lead, _ = signed(cast, co=False)
        services.answer_assignment(
            assignment=lead,
            actor=cast.unit_user,
            answer_class="B",
            text="已列入计划",
            signer="李局长",
            commitments=[(D(2026, 10, 9), "完成石桥加固")],
        )
        services.evaluate_answer(suggestion=reload(s), actor=cast.deputy_user, process="satisfied", result="basic")
        services.close_suggestion(suggestion=reload(s), actor=cast.staff)
    commitment = s.commitments.get()
    supervise_on(D(2026, 10, 9))
    assert reload(commitment).state == "open" and reload(s).state == "closed"
    supervise_on(D(2026, 10, 10))
    assert reload(commitment).state == "missed" and reload(s).state == "follow_up"
    assert Reminder.objects.filter(assignment=lead, kind="commitment").count() == 1


# --- 临期/超期: yellow within YELLOW_WORKING_DAYS (5) working days of the due date, red the day after it ----------


def test_it_raises_the_yellow_flag_five_working_days_ahead_and_the_red_flag_the_day_after(cast):
    with at(D(2026, 7, 12)):  # a Sunday: due 12 Oct
        _, five, _ = assigned(cast, co=False)
    with at(D(2026, 7, 13)):  # due 13 Oct
        _, six, _ = assigned(cast, co=False, title="关于增设路灯的建议")
    assert (five.due_date, six.due_date) == (D(2026, 10, 12), D(2026, 10, 13))
    # From Tue 29 Sep: 30 Sep (1), 8 (2), 9 (3), Sat 10 (4), Mon 12 Oct (5), 13 Oct (6).
    supervise_on(D(2026, 9, 29))
    assert (reload(five).flag, reload(six).flag) == ("yellow", "green")
    reminder = Reminder.objects.get(assignment=five)
    assert reminder.kind == "yellow" and "2026-10-12" in reminder.note
    assert not Reminder.objects.filter(assignment=six).exists()
    unit_note = Notification.objects.get(recipient=cast.unit_user, key__contains=f"{five.code}:yellow")
    assert "临期" in unit_note.subject
    supervise_on(D(2026, 9, 30))  # now 13 Oct is the 5th working day ahead
    assert reload(six).flag == "yellow"
    supervise_on(D(2026, 10, 12))  # the due date itself: not yet overdue
    assert reload(five).flag == "yellow"
    supervise_on(D(2026, 10, 13))
    assert (reload(five).flag, reload(six).flag) == ("red", "yellow")
    assert Reminder.objects.filter(assignment=five, kind="red").count() == 1
    assert Assignment.objects.get(pk=five.pk).flag == "red"


def test_it_says_how_overdue_an_assignment_is_in_working_days_on_every_page(cast, client_for):
    # Due Thu 24 Sep; on Thu 8 Oct it is 4 working days late (28, 29, 30 Sep and 8 Oct), 14 calendar days.
    s, lead, _co = assigned(cast, co=False)
    Assignment.objects.filter(pk=lead.pk).update(due_date=D(2026, 9, 24))
    unit, staff = client_for(cast.unit_user), client_for(cast.staff)
    with at(D(2026, 10, 8)):
        pages = {
            "inbox": unit.get("/units/inbox/"),
            "assignment": unit.get(f"/units/assignments/{lead.code}/"),
            "home": unit.get("/"),
            "detail": staff.get(f"/suggestions/{s.code}/"),
        }
    for name, response in pages.items():
        html = response.content.decode()
        assert response.status_code == 200, name
        assert "已超期 4 个工作日" in html, name
        assert "14 天" not in html and "剩余 -" not in html, name
