"""Queueing and delivering notifications."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Notification
from .providers import PROVIDERS

MAX_ATTEMPTS = 5


def queue_notification(
    *,
    recipient=None,
    subject: str,
    body: str = "",
    link: str = "",
    key: str | None = None,
    phone: str = "",
    email: str = "",
) -> Notification | None:
    """Queue one notification. With `key`, a second call with the same key queues nothing (returns None)."""
    if key and Notification.objects.filter(key=key).exists():
        return None
    try:
        with transaction.atomic():
            return Notification.objects.create(
                recipient=recipient, subject=subject[:200], body=body, link=link, key=key, phone=phone, email=email
            )
    except IntegrityError:
        return None


def deliver_pending(limit: int = 200) -> int:
    """Send pending notifications through every configured provider; one worker iteration."""
    sent = 0
    pending = Notification.objects.filter(status=Notification.Status.PENDING).select_related("recipient")
    for n in pending.order_by("id")[:limit]:
        # Claim the row first so two workers never send the same notification.
        if not Notification.objects.filter(pk=n.pk, status=Notification.Status.PENDING, attempts=n.attempts).update(
            attempts=n.attempts + 1
        ):
            continue
        try:
            for name in settings.NOTIFY_PROVIDERS:
                PROVIDERS[name](n)
        except Exception as exc:  # a provider failure must not stop the worker
            status = Notification.Status.FAILED if n.attempts + 1 >= MAX_ATTEMPTS else Notification.Status.PENDING
            Notification.objects.filter(pk=n.pk).update(status=status, last_error=str(exc)[:2000])
            continue
        Notification.objects.filter(pk=n.pk).update(status=Notification.Status.SENT, sent_at=timezone.now())
        sent += 1
    return sent


def mark_read(user, ids=None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


def unread_for(user, limit: int = 10):
    return Notification.objects.filter(recipient=user, read_at__isnull=True).order_by("-created_at")[:limit]
