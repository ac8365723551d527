import datetime as dt

import pytest
import time_machine
from django.core.management import call_command

from liaison.lib.errors import DomainError
from liaison.notify.models import Notification
from liaison.suggestions import services
from liaison.suggestions.models import Assignment, Reminder

from .helpers import answered, assigned

pytestmark = pytest.mark.django_db


def at(y, m, d):
    return time_machine.travel(dt.datetime(y, m, d, 9, tzinfo=dt.UTC), tick=False)


def test_it_flags_an_overdue_assignment_once_and_reminds_once(cast):
    with at(2025, 7, 1):
        s, lead, co = assigned(cast)
    assert lead.due_date == dt.date(2025, 10, 9)  # 3 months → Oct 1 is National Day → first working day after
    assert co[0].due_date == dt.date(2025, 8, 1)
    Notification.objects.all().delete()
    with at(2025, 10, 10):
        call_command("supervise", verbosity=0)
        call_command("supervise", verbosity=0)
    with at(2025, 10, 11):
        call_command("supervise", verbosity=0)
    lead.refresh_from_db()
    assert lead.flag == "red"
    assert Reminder.objects.filter(assignment=lead, kind="red").count() == 1
    unit_msgs = Notification.objects.filter(recipient=cast.unit_user, subject__contains="超期")
    assert unit_msgs.count() == 1
    staff_msgs = Notification.objects.filter(recipient=cast.staff, subject__contains="超期")
    assert staff_msgs.count() == 1
    # The worker delivers the outbox once.
    call_command("worker", verbosity=0)
    assert unit_msgs.get().status == "sent"
    before = Notification.objects.count()
    with at(2025, 10, 12):
        call_command("supervise", verbosity=0)
    assert Notification.objects.count() == before


def test_it_raises_a_yellow_flag_within_five_working_days(cast):
    with at(2025, 7, 1):
        s, lead, _ = assigned(cast, co=False)
    with at(2025, 9, 30):  # working days left: Oct 9 is the 1st after the holiday → yellow
        call_command("supervise", verbosity=0)
    lead.refresh_from_db()
    assert lead.flag == "yellow"
    assert Reminder.objects.filter(assignment=lead, kind="yellow").count() == 1
    with at(2025, 9, 30):
        call_command("supervise", verbosity=0)
    assert Reminder.objects.filter(assignment=lead).count() == 1


def test_it_counts_the_make_up_saturday_for_the_return_window(cast):
    with at(2025, 9, 26):
        s, lead, _ = assigned(cast, co=False)
    # 7 working days after Fri 26 Sep: 28 (Sun), 29, 30 Sep, 9, 10, 11 (Sat), 13 Oct.
    with at(2025, 10, 14):
        with pytest.raises(DomainError):
            services.return_assignment(assignment=lead, actor=cast.unit_user, reason="不属于我局")
    with at(2025, 10, 13):
        services.return_assignment(assignment=lead, actor=cast.unit_user, reason="不属于我局")
    assert Assignment.objects.get(pk=lead.pk).state == "returned"


def test_it_stops_the_clock_while_returned(cast):
    with at(2025, 9, 1):
        s, lead, _ = assigned(cast, co=False)
        services.return_assignment(assignment=lead, actor=cast.unit_user, reason="不属于我局")
    with at(2025, 9, 5):  # Tue–Fri: 4 working days stopped
        new = services.reassign_assignment(assignment=lead, actor=cast.staff, unit=cast.unit_b)
    assert new.paused_days == 4
    assert new.due_date == dt.date(2025, 12, 5)  # 2025-12-01 + 4 working days


def test_it_reopens_follow_up_when_a_commitment_is_missed(cast):
    with at(2026, 3, 2):
        s, lead, _ = answered(cast, answer_class="B")
        services.evaluate_answer(suggestion=s, actor=cast.deputy_user, process="satisfied", result="basic")
        services.close_suggestion(suggestion=s, actor=cast.staff)
    commitment = s.commitments.get()
    with at(2026, 5, 5):
        call_command("supervise", verbosity=0)
        call_command("supervise", verbosity=0)
    s.refresh_from_db()
    commitment.refresh_from_db()
    assert commitment.state == "missed" and s.state == "follow_up"
    assert Reminder.objects.filter(kind="commitment").count() == 1
    assert Notification.objects.filter(recipient=cast.unit_user, subject__contains="承诺逾期").count() == 1
    with at(2026, 5, 6):
        services.fulfil_commitment(commitment=commitment, actor=cast.unit_user, note="已完成加固")
    s.refresh_from_db()
    assert s.state == "closed"


def test_it_resets_the_flag_when_an_extension_moves_the_due_date(cast):
    with at(2025, 7, 1):
        s, lead, _ = assigned(cast, co=False)
        services.sign_assignment(assignment=lead, actor=cast.unit_user)
    with at(2025, 10, 10):
        call_command("supervise", verbosity=0)
        ext = services.request_extension(assignment=lead, actor=cast.unit_user, months=1, reason="工程量大")
        services.decide_extension(request=ext, actor=cast.staff, approve=True)
    lead.refresh_from_db()
    assert lead.flag == "green" and lead.due_date == dt.date(2025, 11, 3)  # Nov 1 is a Saturday
