"""督: the periodic supervision pass (`manage.py supervise`).

Set-based and idempotent:
- open assignments whose due date has passed turn red, those within `YELLOW_WORKING_DAYS` working days turn
  yellow — only rows whose flag actually changes are touched, and only those get a reminder (催办);
- reminders carry a unique key (assignment, flag, due date) and so do their notifications, so running the
  pass twice queues nothing twice; a new due date (extension, re-handling) makes a new key;
- each body's staff get one digest per pass with new flags, not one message per item;
- B/C commitments past their date become "missed"; a closed suggestion with a missed commitment re-enters
  follow-up (跟踪办理) through the service, with its event.
"""

import datetime as dt
import hashlib
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from liaison.lib.workdays import WorkCalendar
from liaison.notify.models import Notification
from liaison.org.models import Membership, Role

from . import services
from .models import Assignment, Commitment, Reminder, State

YELLOW_WORKING_DAYS = 5
BATCH = 2000


@dataclass
class Result:
    red: int = 0
    yellow: int = 0
    missed_commitments: int = 0
    follow_ups: int = 0
    notifications: int = 0
    details: list = field(default_factory=list)


def run(today: dt.date | None = None) -> Result:
    today = today or timezone.localdate()
    calendar = WorkCalendar.load()
    yellow_limit = calendar.add_working_days(today, YELLOW_WORKING_DAYS)
    result = Result()
    open_qs = Assignment.objects.filter(state__in=Assignment.OPEN)
    red = open_qs.filter(due_date__lt=today).exclude(flag=Assignment.Flag.RED)
    yellow = open_qs.filter(due_date__gte=today, due_date__lte=yellow_limit, flag=Assignment.Flag.GREEN)
    unit_users = _unit_users()
    staff = services.staff_user_ids_by_body()
    for flag, qs in ((Assignment.Flag.RED, red), (Assignment.Flag.YELLOW, yellow)):
        rows = list(
            qs.values_list(
                "pk", "code", "unit_id", "due_date", "suggestion__code", "suggestion__title", "suggestion__body_id"
            )
        )
        for start in range(0, len(rows), BATCH):
            chunk = rows[start : start + BATCH]
            with transaction.atomic():
                # Conditional: a row whose flag changed meanwhile is simply not re-flagged.
                Assignment.objects.filter(pk__in=[r[0] for r in chunk], state__in=Assignment.OPEN).update(flag=flag)
                result.notifications += _remind(chunk, flag, today, unit_users, staff)
        setattr(result, flag, len(rows))
    result.missed_commitments, result.follow_ups = _missed_commitments(today)
    return result


def _unit_users() -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for unit_id, user_id in Membership.objects.filter(role=Role.UNIT, user__is_active=True).values_list(
        "unit_id", "user_id"
    ):
        out.setdefault(unit_id, []).append(user_id)
    return out


def _remind(rows, flag, today, unit_users, staff) -> int:
    now = timezone.now()
    kind = Reminder.Kind.RED if flag == Assignment.Flag.RED else Reminder.Kind.YELLOW
    reminders, notes, per_body = [], [], {}
    for pk, code, unit_id, due, _s_code, title, body_id in rows:
        key = f"{code}:{flag}:{due:%Y%m%d}"
        if flag == Assignment.Flag.RED:
            text = f"超期催办：建议《{title}》已超过办理期限 {due:%Y-%m-%d}，请立即办理答复"
        else:
            text = f"临期提醒：建议《{title}》将于 {due:%Y-%m-%d} 到期，请抓紧办理"
        reminders.append(Reminder(assignment_id=pk, kind=kind, note=text[:300], key=key, created_at=now))
        for user_id in unit_users.get(unit_id, ()):
            notes.append(
                Notification(
                    recipient_id=user_id,
                    subject=text[:200],
                    link=f"/units/assignments/{code}/",
                    key=f"sugg:flag:{key}:{user_id}",
                )
            )
        per_body.setdefault(body_id, []).append(code)
    Reminder.objects.bulk_create(reminders, ignore_conflicts=True, batch_size=BATCH)
    label = "超期" if flag == Assignment.Flag.RED else "临期"
    for body_id, codes in per_body.items():
        digest = hashlib.sha1(",".join(sorted(codes)).encode()).hexdigest()[:16]
        for user_id in staff.get(body_id, ()):
            notes.append(
                Notification(
                    recipient_id=user_id,
                    subject=f"督办提醒：{today:%Y-%m-%d} 新增{label}交办 {len(codes)} 件",
                    body="、".join(codes[:50]) + ("……" if len(codes) > 50 else ""),
                    link=f"/suggestions/?flag={flag}",
                    key=f"sugg:digest:{body_id}:{flag}:{today:%Y%m%d}:{digest}:{user_id}",
                )
            )
    Notification.objects.bulk_create(notes, ignore_conflicts=True, batch_size=BATCH)
    return len(notes)


def _missed_commitments(today: dt.date) -> tuple[int, int]:
    due = Commitment.objects.filter(state=Commitment.State.OPEN, due_date__lt=today)
    rows = list(due.values_list("pk", "suggestion_id"))
    if not rows:
        return 0, 0
    Commitment.objects.filter(pk__in=[r[0] for r in rows], state=Commitment.State.OPEN).update(
        state=Commitment.State.MISSED
    )
    follow_ups = 0
    from .models import Suggestion

    for suggestion in Suggestion.objects.filter(pk__in={r[1] for r in rows}, state=State.CLOSED).select_related(
        "body", "body__region"
    ):
        with transaction.atomic():
            services.open_follow_up(suggestion=suggestion, note="答复承诺到期未兑现，转入跟踪办理")
            for assignment in suggestion.assignments.filter(role__in=("lead", "split"), state="closed").only(
                "pk", "code", "unit_id"
            ):
                key = f"{assignment.code}:commitment:{today:%Y%m%d}"
                Reminder.objects.get_or_create(
                    key=key,
                    defaults={
                        "assignment": assignment,
                        "kind": Reminder.Kind.COMMITMENT,
                        "note": f"建议《{suggestion.title}》答复承诺逾期未兑现，请跟踪办理",
                        "created_at": timezone.now(),
                    },
                )
                for user_id in _unit_users().get(assignment.unit_id, ()):
                    Notification.objects.get_or_create(
                        key=f"sugg:commitment:{key}:{user_id}",
                        defaults={
                            "recipient_id": user_id,
                            "subject": f"答复承诺逾期：《{suggestion.title}》转入跟踪办理",
                            "link": f"/units/assignments/{assignment.code}/",
                        },
                    )
        follow_ups += 1
    return len(rows), follow_ups
