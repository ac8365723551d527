"""Writing events, and the single transition helper every service uses."""

from collections.abc import Callable, Iterable, Mapping

from django.db import models, transaction
from django.utils import timezone

from liaison.lib.errors import TransitionError
from liaison.webhooks.services import queue_deliveries

from .chain import seal
from .models import ChainHead, Event


def record_event(
    *,
    subject_type: str,
    subject_id: str,
    action: str,
    actor=None,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    data: dict | None = None,
    public: bool = False,
    actor_label: str = "",
) -> Event:
    """Append one event to its subject's chain.

    The subject's ChainHead row is created if missing (a no-op when it exists, also under a race) and then
    locked, so concurrent appends to one subject take turns and each sees the previous one's hash.
    """
    with transaction.atomic():
        ChainHead.objects.bulk_create(
            [ChainHead(subject_type=subject_type, subject_id=subject_id)], ignore_conflicts=True
        )
        head = ChainHead.objects.select_for_update().get(subject_type=subject_type, subject_id=subject_id)
        event = Event(
            subject_type=subject_type,
            subject_id=subject_id,
            action=action,
            from_state=from_state,
            to_state=to_state,
            actor=actor if getattr(actor, "pk", None) else None,
            actor_label=actor_label or (str(actor) if getattr(actor, "pk", None) else ""),
            at=timezone.now(),
            note=note,
            data=data or {},
            public=public,
        )
        seal(event, seq=head.seq + 1, prev_hash=head.hash)
        event.save()
        ChainHead.objects.filter(pk=head.pk).update(seq=event.seq, hash=event.hash, unanchored=True)
        queue_deliveries(event)  # the webhooks' outbox, in the event's own transaction
    return event


def transition(
    instance: models.Model,
    *,
    table: Mapping[str, set | frozenset | tuple],
    to: str,
    action: str,
    actor,
    subject_type: str,
    subject_id: str,
    field: str = "state",
    note: str = "",
    updates: dict | None = None,
    data: dict | None = None,
    public: bool = False,
) -> Event:
    """Move `instance` from its current state to `to` if `table` allows it.

    The conditional UPDATE (`WHERE pk = … AND state = <current>`) is the concurrency guard on SQLite
    and PostgreSQL alike: of two requests racing from the same state, exactly one updates a row and
    the other gets a TransitionError. Must run inside the caller's transaction.atomic().
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("transition() must run inside transaction.atomic()")
    current = getattr(instance, field)
    if to not in table.get(current, ()):
        raise TransitionError(f"当前状态“{_label(instance, field, current)}”不允许此操作")
    values = {field: to, **(updates or {})}
    changed = type(instance).objects.filter(pk=instance.pk, **{field: current}).update(**values)
    if changed != 1:
        raise TransitionError("该事项已被他人处理，请刷新页面后查看最新状态")
    for key, value in values.items():
        setattr(instance, key, value)
    return record_event(
        subject_type=subject_type,
        subject_id=subject_id,
        action=action,
        actor=actor,
        from_state=current,
        to_state=to,
        note=note,
        data=data,
        public=public,
    )


def transition_each(
    instances: Iterable[models.Model],
    *,
    table: Mapping[str, set | frozenset | tuple],
    to: str,
    action: str,
    actor,
    subject: Callable[[models.Model], tuple[str, str]],
    note: str | Callable[[models.Model], str] = "",
    updates: dict | None = None,
    data: Callable[[models.Model], dict] | None = None,
    public: bool = False,
) -> list[models.Model]:
    """The batch variant of `transition()` for periodic jobs (expiry, missed dates): each row moves under its own
    conditional UPDATE and gets its own event. Rows that someone else moved first are skipped, not errors.
    Returns the rows that moved."""
    moved = []
    for instance in instances:
        subject_type, subject_id = subject(instance)
        try:
            with transaction.atomic():
                transition(
                    instance,
                    table=table,
                    to=to,
                    action=action,
                    actor=actor,
                    subject_type=subject_type,
                    subject_id=subject_id,
                    note=note(instance) if callable(note) else note,
                    updates=updates,
                    data=data(instance) if data else None,
                    public=public,
                )
        except TransitionError:
            continue
        moved.append(instance)
    return moved


def _label(instance, field, value) -> str:
    try:
        return dict(instance._meta.get_field(field).choices)[value]
    except (KeyError, TypeError):
        return value


def timeline(subject_type: str, subject_id: str, *, public_only: bool = False):
    qs = Event.objects.filter(subject_type=subject_type, subject_id=subject_id).select_related("actor")
    if public_only:
        qs = qs.filter(public=True)
    return qs.order_by("seq", "at", "id")
