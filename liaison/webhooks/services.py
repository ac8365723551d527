"""Queueing and sending webhook deliveries.

What a receiver gets, as JSON (POST, `Content-Type: application/json`):

    {"id": 123, "kind": "suggestion.answer", "subject": {"type": "suggestion", "id": "JY2026-0001"},
     "action": "answer", "from_state": "handling", "to_state": "answered", "at": "2026-12-04T10:00:00+08:00",
     "public": true}

Only the event's public identifiers and states: no note, no data, no actor (those can carry residents' names,
phones and the officers' own), so no personal data ever leaves through a webhook. A receiver that needs more asks
the API with its integration key, which applies the usual scope and masking.

Headers: `X-Liaison-Event` (the kind), `X-Liaison-Delivery` (the delivery's id: the same on every retry, so a
receiver can drop duplicates), `X-Liaison-Timestamp` (Unix seconds) and `X-Liaison-Signature`:
`sha256=` + hex HMAC-SHA256 of `timestamp + "." + body` under the webhook's secret. Receivers should refuse a
timestamp more than five minutes old.

Retries: any answer other than 2xx, or no answer within 10 s, is retried after 30 s, 1, 2, 4 … minutes, capped
at 6 hours between tries; after MAX_ATTEMPTS the delivery is given up (status 已放弃) and stays in the log.
"""

import datetime
import fnmatch
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request

from django.db import transaction
from django.utils import timezone

from .models import Delivery, Webhook

MAX_ATTEMPTS = 12
FIRST_RETRY = datetime.timedelta(seconds=30)
LONGEST_WAIT = datetime.timedelta(hours=6)
TIMEOUT = 10
LEASE = datetime.timedelta(minutes=5)  # a claimed row is retried after this if its worker died
_CACHE = {"at": 0.0, "hooks": None}
CACHE_SECONDS = 30


def _active_webhooks() -> list[Webhook]:
    """The active webhooks, re-read at most every CACHE_SECONDS per process (a new one starts within that)."""
    now = time.monotonic()
    if _CACHE["hooks"] is None or now - _CACHE["at"] > CACHE_SECONDS:
        _CACHE.update(at=now, hooks=list(Webhook.objects.filter(active=True)))
    return _CACHE["hooks"]


def forget_cached_webhooks() -> None:
    _CACHE["hooks"] = None


def wants(webhook: Webhook, kind: str, public: bool) -> bool:
    if webhook.public_only and not public:
        return False
    patterns = [p.strip() for p in webhook.kinds.split(",") if p.strip()]
    return any(fnmatch.fnmatchcase(kind, p) for p in patterns)


def payload_of(event) -> dict:
    return {
        "id": event.pk,
        "kind": f"{event.subject_type}.{event.action}",
        "subject": {"type": event.subject_type, "id": event.subject_id},
        "action": event.action,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "at": timezone.localtime(event.at).isoformat(),
        "public": event.public,
    }


def queue_deliveries(event) -> int:
    """Called by record_event inside the event's transaction: one delivery per webhook that wants this kind."""
    hooks = _active_webhooks()
    if not hooks:
        return 0
    kind = f"{event.subject_type}.{event.action}"
    now = timezone.now()
    rows = [
        Delivery(webhook_id=h.pk, event_id=event.pk, kind=kind, payload=payload_of(event), next_attempt_at=now)
        for h in hooks
        if wants(h, kind, event.public)
    ]
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return "sha256=" + digest


def retry_delay(attempts: int) -> datetime.timedelta:
    """Wait after the `attempts`-th failed try: 30 s, 1 min, 2 min, … doubling, at most LONGEST_WAIT."""
    return min(FIRST_RETRY * (2 ** (attempts - 1)), LONGEST_WAIT)


def _post(delivery: Delivery) -> tuple[int | None, str]:
    body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()
    timestamp = int(time.time())
    request = urllib.request.Request(
        delivery.webhook.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "Liaison-Webhooks/1",
            "X-Liaison-Event": delivery.kind,
            "X-Liaison-Delivery": str(delivery.pk),
            "X-Liaison-Timestamp": str(timestamp),
            "X-Liaison-Signature": sign(delivery.webhook.secret, timestamp, body),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return response.status, ""
    except urllib.error.HTTPError as error:
        return error.code, f"HTTP {error.code}"
    except (urllib.error.URLError, OSError, ValueError) as error:
        return None, str(getattr(error, "reason", error))[:500]


def deliver_due(limit: int = 100) -> int:
    """Send the deliveries whose time has come; returns how many were delivered.

    The rows are claimed first in a short transaction (their next try moved a lease ahead, SKIP LOCKED where the
    database has it), so several workers never send the same row at once and no database lock is held while a
    receiver is slow. A worker that dies mid-way leaves its claimed rows to be retried when the lease ends: a
    receiver may see a delivery twice (same X-Liaison-Delivery), never zero times."""
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now, webhook__active=True)
            .order_by("next_attempt_at", "id")
            .values_list("pk", flat=True)[:limit]
        )
        Delivery.objects.filter(pk__in=ids).update(next_attempt_at=now + LEASE)
    delivered = 0
    for delivery in Delivery.objects.filter(pk__in=ids).select_related("webhook").order_by("id"):
        status, error = _post(delivery)
        delivery.attempts += 1
        delivery.last_status = status
        if status is not None and 200 <= status < 300:
            delivery.status = Delivery.Status.DELIVERED
            delivery.delivered_at = timezone.now()
            delivery.last_error = ""
            delivered += 1
        else:
            delivery.last_error = error or f"HTTP {status}"
            if delivery.attempts >= MAX_ATTEMPTS:
                delivery.status = Delivery.Status.FAILED
            else:
                delivery.next_attempt_at = timezone.now() + retry_delay(delivery.attempts)
        delivery.save(
            update_fields=["attempts", "last_status", "status", "delivered_at", "last_error", "next_attempt_at"]
        )
    return delivered


def retry_now(deliveries) -> int:
    """Admin action: send these again at the next worker pass (a given-up one gets a fresh set of tries)."""
    return deliveries.exclude(status=Delivery.Status.DELIVERED).update(
        status=Delivery.Status.PENDING, attempts=0, next_attempt_at=timezone.now()
    )
