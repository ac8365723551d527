"""督: the periodic supervision pass (`manage.py supervise`).

Set-based and idempotent:
- open assignments whose due date has passed turn red, those within `YELLOW_WORKING_DAYS` working days turn
  yellow — only rows whose flag actually changes are touched, and only those get a reminder (催办);
- reminders carry a unique key (assignment, flag, due date) and so do their notifications, so running the
  pass twice queues nothing twice; a new due date (extension, re-handling) makes a new key;
- each body's staff get one digest per pass with new flags, not one message per item;
- B/C commitments past their date become "missed"; a closed suggestion with a missed commitment re-enters
  follow-up (跟踪办理) through the service, with its event;
- when flags changed, PostgreSQL's statistics of the assignments are refreshed (ANALYZE) so that the flag
  filters are planned on the new numbers;
- accepted suggestions not assigned within their body's `assign_working_days` working days of acceptance are
  overdue for assignment (逾期未交办): the body's staff get one reminder per suggestion (keyed by its
  assign-by date, so a second pass sends nothing).
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from liaison.events.services import transition_each
from liaison.lib.workdays import WorkCalendar
from liaison.notify.models import Notification
from liaison.notify.services import queue_notification
from liaison.org.models import Body, Membership, Role, User

from ..lifecycles import assignment as assignment_lifecycle
from ..lifecycles import commitment as commitment_lifecycle
from ..models import Assignment, Commitment, Reminder, State, Suggestion
from . import common, evaluation

YELLOW_WORKING_DAYS = 5


@dataclass
class Result:
    red: int = 0
    yellow: int = 0
    missed_commitments: int = 0
    follow_ups: int = 0
    assign_overdue: int = 0
    notifications: int = 0
    details: list = field(default_factory=list)


def run(today: dt.date | None = None) -> Result:
    today = today or timezone.localdate()
    calendar = WorkCalendar.load()
    yellow_limit = calendar.add_working_days(today, YELLOW_WORKING_DAYS)
    result = Result()
    staff = common.staff_user_ids_by_body()
    red = ("a.due_date < %s AND a.flag <> %s", [today, Assignment.Flag.RED])
    yellow = ("a.due_date >= %s AND a.due_date <= %s AND a.flag = %s", [today, yellow_limit, Assignment.Flag.GREEN])
    for flag, (condition, params) in ((Assignment.Flag.RED, red), (Assignment.Flag.YELLOW, yellow)):
        with transaction.atomic():
            n, notes = _flag(flag, condition, params, today, staff)
        setattr(result, flag, n)
        result.notifications += notes
    if result.red or result.yellow:
        _refresh_statistics()
    result.missed_commitments, result.follow_ups = _missed_commitments(today)
    with transaction.atomic():
        result.assign_overdue, notes = _assign_overdue(today, calendar, staff)
    result.notifications += notes
    return result


# --- 交办时限: accepted suggestions waiting for assignment -----------------------------------------------------


def assign_by(accepted_on: dt.date, working_days: int, calendar: WorkCalendar) -> dt.date:
    """The last day to assign a suggestion accepted on `accepted_on`: the `working_days`-th working day after it."""
    return calendar.add_working_days(accepted_on, working_days)


def is_assign_overdue(accepted_on: dt.date, working_days: int, today: dt.date, calendar: WorkCalendar) -> bool:
    """More than `working_days` working days have passed since acceptance (day N is inside, day N+1 is late)."""
    return calendar.working_days_between(accepted_on, today) > working_days


def _latest_overdue_acceptance(today: dt.date, working_days: int, calendar: WorkCalendar) -> dt.date:
    """The latest acceptance day that is overdue by `today`: (day, today] holds working_days + 1 working days."""
    day, count = today, 0
    while True:
        if calendar.is_workday(day):
            count += 1
            if count > working_days:
                return day - dt.timedelta(days=1)
        day -= dt.timedelta(days=1)


def _assign_overdue(today: dt.date, calendar: WorkCalendar, staff: dict[int, list[int]]) -> tuple[int, int]:
    """Remind each body's staff of accepted suggestions past the body's assignment limit: (newly overdue, sent)."""
    tz = timezone.get_current_timezone()
    users = User.objects.in_bulk({u for ids in staff.values() for u in ids})
    overdue, sent = 0, 0
    # One query per distinct body setting: bodies may set their own limit (Body.assign_working_days).
    for limit in sorted(set(Body.objects.values_list("assign_working_days", flat=True))):
        last = _latest_overdue_acceptance(today, limit, calendar)
        before = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        rows = Suggestion.objects.filter(
            state=State.ACCEPTED, body__assign_working_days=limit, accepted_at__lt=before
        ).only("pk", "code", "title", "body_id", "accepted_at")
        for suggestion in rows.order_by("accepted_at", "pk"):
            due = assign_by(timezone.localdate(suggestion.accepted_at, tz), limit, calendar)
            new = 0
            for user_id in staff.get(suggestion.body_id, ()):
                queued = queue_notification(
                    recipient=users[user_id],
                    subject=f"逾期未交办：建议《{suggestion.title}》应于 {due:%Y-%m-%d} 前交办",
                    link=reverse("suggestions:assign", args=[suggestion.code]),
                    key=f"sugg:assign-overdue:{suggestion.code}:{due:%Y%m%d}:{user_id}",
                )
                new += queued is not None
            overdue += bool(new)
            sent += new
    return overdue, sent


def _tables() -> dict:
    from liaison.org.models import Membership, User

    return {
        "assignment": Assignment._meta.db_table,
        "suggestion": Suggestion._meta.db_table,
        "reminder": Reminder._meta.db_table,
        "notification": Notification._meta.db_table,
        "membership": Membership._meta.db_table,
        "user": User._meta.db_table,
    }


def _flag(flag: str, condition: str, params: list, today: dt.date, staff: dict[int, list[int]]) -> tuple[int, int]:
    """Flag, remind and notify in four set-based statements (INSERT … SELECT … ON CONFLICT DO NOTHING and one
    UPDATE), so no row travels through Python; works on PostgreSQL and SQLite alike."""
    t = _tables()
    open_states = list(assignment_lifecycle.OPEN)
    where = f"a.state IN ({', '.join(['%s'] * len(open_states))}) AND {condition}"
    where_params = [*open_states, *params]
    now = timezone.now()
    if flag == Assignment.Flag.RED:
        kind, prefix, suffix, label = Reminder.Kind.RED, "超期催办：建议《", "》已超过办理期限 ", "超期"
    else:
        kind, prefix, suffix, label = Reminder.Kind.YELLOW, "临期提醒：建议《", "》将于此日到期：", "临期"
    key = "a.code || ':' || %s || ':' || CAST(a.due_date AS TEXT)"
    text = "%s || s.title || %s || CAST(a.due_date AS TEXT)"
    base = f"FROM {t['assignment']} a JOIN {t['suggestion']} s ON s.id = a.suggestion_id WHERE {where}"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT s.body_id, COUNT(*), MIN(a.id), MAX(a.id) {base} GROUP BY s.body_id", where_params)
        per_body = cursor.fetchall()
        if not per_body:
            return 0, 0
        cursor.execute(
            f"INSERT INTO {t['reminder']} (assignment_id, kind, note, key, created_at, created_by_id) "
            f"SELECT a.id, %s, SUBSTR({text}, 1, 300), {key}, %s, NULL {base} ON CONFLICT (key) DO NOTHING",
            [kind, prefix, suffix, flag, now, *where_params],
        )
        cursor.execute(
            f"INSERT INTO {t['notification']} (recipient_id, phone, email, subject, body, link, key, status, attempts,"
            f" last_error, created_at) "
            f"SELECT m.user_id, '', '', SUBSTR({text}, 1, 200), '', '/units/assignments/' || a.code || '/', "
            f"'sugg:flag:' || {key} || ':' || CAST(m.user_id AS TEXT), %s, 0, '', %s "
            f"FROM {t['assignment']} a JOIN {t['suggestion']} s ON s.id = a.suggestion_id "
            f"JOIN {t['membership']} m ON m.unit_id = a.unit_id AND m.role = %s "
            f"JOIN {t['user']} u ON u.id = m.user_id AND u.is_active "
            f"WHERE {where} ON CONFLICT (key) DO NOTHING",
            [prefix, suffix, flag, Notification.Status.PENDING, now, Role.UNIT, *where_params],
        )
        notes = cursor.rowcount
        cursor.execute(
            # No join needed: the condition only reads the assignment's own columns.
            f"UPDATE {t['assignment']} SET flag = %s WHERE {where.replace('a.', '')}",
            [flag, *where_params],
        )
        flagged = cursor.rowcount
    digests = [
        Notification(
            recipient_id=user_id,
            subject=f"督办提醒：{today:%Y-%m-%d} 新增{label}交办 {n} 件",
            link=f"/suggestions/?flag={flag}",
            key=f"sugg:digest:{body_id}:{flag}:{today:%Y%m%d}:{n}:{lo}:{hi}:{user_id}",
        )
        for body_id, n, lo, hi in per_body
        for user_id in staff.get(body_id, ())
    ]
    created = Notification.objects.bulk_create(digests, ignore_conflicts=True)
    return flagged, max(notes, 0) + len(created)


def _refresh_statistics() -> None:
    """A pass may change the flags of a good part of the open assignments at once; the lists filtering on them
    (the staff list's 临期/超期, the flagged partial index) are planned from PostgreSQL's statistics, which would
    still say "no flags" until autovacuum comes by — and a plan for a handful of rows over thousands is slow."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(Assignment._meta.db_table)}")


def _unit_users() -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for unit_id, user_id in Membership.objects.filter(role=Role.UNIT, user__is_active=True).values_list(
        "unit_id", "user_id"
    ):
        out.setdefault(unit_id, []).append(user_id)
    return out


def _missed_commitments(today: dt.date) -> tuple[int, int]:
    """Commitments past their date become missed (one event each on the suggestion's chain); a closed suggestion
    with a missed commitment re-enters follow-up (跟踪办理) and its answering units are told."""
    due = Commitment.objects.filter(state=Commitment.State.OPEN, due_date__lt=today).select_related("suggestion")
    missed = transition_each(
        due.order_by("suggestion_id", "pk"),
        table=commitment_lifecycle.TRANSITIONS,
        to=Commitment.State.MISSED,
        action="commitment_missed",
        actor=None,
        subject=lambda c: (common.SUBJECT, c.suggestion.code),
        note=lambda c: f"承诺“{c.text}”到期（{c.due_date:%Y-%m-%d}）未兑现",
    )
    if not missed:
        return 0, 0
    follow_ups = 0
    unit_users = _unit_users()
    for suggestion in Suggestion.objects.filter(
        pk__in={c.suggestion_id for c in missed}, state=State.CLOSED
    ).select_related("body", "body__region"):
        with transaction.atomic():
            evaluation.open_follow_up(suggestion=suggestion, note="答复承诺到期未兑现，转入跟踪办理")
            for assignment in suggestion.assignments.filter(
                role__in=assignment_lifecycle.ANSWERING_ROLES, state=Assignment.State.CLOSED
            ).only("pk", "code", "unit_id"):
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
                for user_id in unit_users.get(assignment.unit_id, ()):
                    Notification.objects.get_or_create(
                        key=f"sugg:commitment:{key}:{user_id}",
                        defaults={
                            "recipient_id": user_id,
                            "subject": f"答复承诺逾期：《{suggestion.title}》转入跟踪办理",
                            "link": f"/units/assignments/{assignment.code}/",
                        },
                    )
        follow_ups += 1
    return len(missed), follow_ups
