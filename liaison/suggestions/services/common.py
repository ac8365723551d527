"""What every suggestion service shares: the subject of their events, moves through the lifecycle tables,
locking, notifications and the deadline rule."""

import datetime as dt
from collections.abc import Iterable, Sequence

from django.urls import reverse
from django.utils import timezone

from liaison.events.services import record_event, transition
from liaison.lib.errors import DomainError
from liaison.lib.workdays import WorkCalendar
from liaison.notify.services import queue_notification
from liaison.org.models import Body, Deputy, Membership, Role, User

from ..lifecycles import assignment as assignment_lifecycle
from ..lifecycles import suggestion as suggestion_lifecycle
from ..models import (
    Assignment,
    Suggestion,
)

SUBJECT = "suggestion"


def today() -> dt.date:
    return timezone.localdate()


def move_suggestion(suggestion: Suggestion, to: str, *, action: str, actor, note: str = "", updates=None, data=None):
    return transition(
        suggestion,
        table=suggestion_lifecycle.TRANSITIONS,
        to=to,
        action=action,
        actor=actor,
        subject_type=SUBJECT,
        subject_id=suggestion.code,
        note=note,
        updates=updates,
        data=data,
    )


def move_assignment(assignment: Assignment, to: str, *, action: str, actor, note: str = "", updates=None):
    return transition(
        assignment,
        table=assignment_lifecycle.TRANSITIONS,
        to=to,
        action=action,
        actor=actor,
        subject_type=SUBJECT,
        subject_id=assignment.suggestion.code,
        note=note,
        updates=updates,
        data={"assignment": assignment.code, "unit": assignment.unit.name, "role": assignment.role},
    )


def suggestion_event(suggestion: Suggestion, action: str, *, actor, note: str = "", data=None):
    return record_event(
        subject_type=SUBJECT,
        subject_id=suggestion.code,
        action=action,
        actor=actor,
        note=note,
        data=data,
        from_state=suggestion.state,
        to_state=suggestion.state,
    )


def link(name: str, *args) -> str:
    return reverse(name, args=args)


def notify_users(users: Iterable[User], subject: str, *, link: str = "", body: str = "", key: str | None = None):
    for user in users:
        queue_notification(
            recipient=user, subject=subject, body=body, link=link, key=f"{key}:{user.pk}" if key else None
        )


def deputy_users(deputy_ids: Sequence[int]) -> list[User]:
    return [d.user for d in Deputy.objects.filter(pk__in=deputy_ids, user__isnull=False).select_related("user")]


def unit_users(unit_id: int) -> list[User]:
    return list(User.objects.filter(memberships__role=Role.UNIT, memberships__unit_id=unit_id, is_active=True))


def staff_users(body: Body) -> list[User]:
    return list(
        User.objects.filter(memberships__role=Role.STAFF, memberships__region_id=body.region_id, is_active=True)
    )


def require(condition: bool, message: str):
    if not condition:
        raise DomainError(message)


def lock_suggestion(suggestion: Suggestion) -> Suggestion:
    """Re-read the suggestion's row under a lock (serialises work on one suggestion's assignments)."""
    fresh = Suggestion.objects.select_for_update().select_related("body", "body__region").get(pk=suggestion.pk)
    return fresh


def due_date_for(calendar: WorkCalendar, assignment: Assignment, body: Body) -> dt.date:
    if assignment.role == Assignment.Role.CO:
        return calendar.due_date(assignment.start_date, months=1, paused_days=assignment.paused_days)
    months = body.answer_months + assignment.extension_months
    return calendar.due_date(assignment.start_date, months=months, paused_days=assignment.paused_days)


def staff_user_ids_by_body() -> dict[int, list[int]]:
    """Body id → ids of its staff users (for supervision digests)."""
    out: dict[int, list[int]] = {}
    region_to_body = dict(Body.objects.values_list("region_id", "pk"))
    for region_id, user_id in Membership.objects.filter(role=Role.STAFF, user__is_active=True).values_list(
        "region_id", "user_id"
    ):
        if region_id in region_to_body:
            out.setdefault(region_to_body[region_id], []).append(user_id)
    return out
