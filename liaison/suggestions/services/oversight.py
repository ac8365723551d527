"""督 supervision by people: key supervision, supervision notes and manual reminders (the periodic pass is
`supervision.py` in this package)."""

from django.db import transaction
from django.utils import timezone

from liaison.lib.errors import TransitionError
from liaison.notify.services import queue_notification
from liaison.org.models import User

from ..lifecycles import assignment as assignment_lifecycle
from ..lifecycles import suggestion as suggestion_lifecycle
from ..models import (
    Assignment,
    Reminder,
    Suggestion,
    SupervisionNote,
)
from .common import link, notify_users, require, suggestion_event, unit_users


def _require_state(action: str, suggestion: Suggestion):
    """Supervision applies from 立案 on (the lifecycle's states for the step)."""
    if suggestion.state not in suggestion_lifecycle.ACTIONS[action][0]:
        raise TransitionError(f"当前状态“{suggestion.get_state_display()}”不能督办，立案后方可督办")


@transaction.atomic
def set_key_supervision(*, suggestion: Suggestion, actor: User, key: bool, leader: User | None = None, note: str = ""):
    suggestion_lifecycle.require(actor, "key_supervision", suggestion)
    _require_state("key_supervision", suggestion)
    require(not key or leader is not None, "请指定督办领导")
    Suggestion.objects.filter(pk=suggestion.pk).update(key_supervised=key, supervising_leader=leader if key else None)
    suggestion.key_supervised, suggestion.supervising_leader = key, leader if key else None
    suggestion_event(
        suggestion,
        "key_supervision" if key else "key_supervision_removed",
        actor=actor,
        note=(f"列为重点督办，督办领导：{leader}" if key else "取消重点督办") + (f"。{note}" if note else ""),
    )
    if key and leader is not None:
        queue_notification(
            recipient=leader,
            subject=f"您被指定为重点督办建议《{suggestion.title}》的督办领导",
            link=link("suggestions:detail", suggestion.code),
            key=f"sugg:key:{suggestion.code}:{leader.pk}",
        )
    return suggestion


@transaction.atomic
def add_supervision_note(*, suggestion: Suggestion, actor: User, text: str) -> SupervisionNote:
    suggestion_lifecycle.require(actor, "supervision_note", suggestion)
    _require_state("supervision_note", suggestion)
    require(bool(text.strip()), "请填写督办意见")
    item = SupervisionNote.objects.create(suggestion=suggestion, text=text.strip(), created_by=actor)
    suggestion_event(suggestion, "supervision_note", actor=actor, note=text.strip())
    return item


@transaction.atomic
def remind_unit(*, assignment: Assignment, actor: User, note: str = "") -> Reminder:
    """人工催办 by staff or a leader: recorded and sent to the unit's users."""
    suggestion = assignment.suggestion
    assignment_lifecycle.require(actor, "remind", assignment)
    if not assignment.is_open:
        raise TransitionError("该交办已不在办理中")
    text = note.strip() or f"请抓紧办理建议《{suggestion.title}》，期限 {assignment.due_date:%Y-%m-%d}"
    item = Reminder.objects.create(
        assignment=assignment, kind=Reminder.Kind.MANUAL, note=text[:300], created_by=actor, created_at=timezone.now()
    )
    suggestion_event(suggestion, "reminded", actor=actor, note=f"催办{assignment.unit.name}：{text}")
    notify_users(
        unit_users(assignment.unit_id),
        f"催办：《{suggestion.title}》",
        body=text,
        link=link("suggestions:assignment", assignment.code),
        key=f"sugg:remind:{item.pk}",
    )
    return item
