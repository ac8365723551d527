"""The one Open311 write, POST requests: an opinion registered through the intake service, made idempotent.

The opinion is registered by `liaison.opinions.services.register_opinion` acting as the api_key's user (an
integration key's service user is staff of the key's region, so the lifecycle's own rule decides where it may
register); nothing here is a rule of the opinion loop.

Idempotency — GeoReport v2 has no key of its own, so two ways, both per api_key user:
- an optional `Idempotency-Key` header (16–64 letters and digits, as in the v1 API): the first answer is kept
  (liaison.api IdempotentRequest, endpoint "open311_requests") with a digest of the form, and a retry with the
  same key and form gets it again (200 instead of 201); the same key with another form is a 400;
- without the header, the same description and phone at the same station by the same key within
  RETRY_WINDOW is taken for a retry of the first one (a client that timed out and sent again), answered
  with the first request's id and nothing new registered (two such requests racing in the same instant may
  both register: clients that retry quickly should send the header, whose unique row settles races).
The query password register_opinion draws is never shown: Open311 answers carry no resident's data.
"""

import hashlib
import json
import re
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from liaison.api.idempotency import KEY_PATTERN
from liaison.api.models import IdempotentRequest
from liaison.api.services import remember_response
from liaison.lib.errors import DomainError
from liaison.opinions.models import Opinion
from liaison.opinions.services import register_opinion
from liaison.opinions.validation import clean_phone, clean_text

from .formats import Open311Error

ENDPOINT = "open311_requests"
RETRY_WINDOW = timedelta(minutes=10)


def form_digest(form: dict) -> str:
    """SHA-256 of the request's fields (api_key left out), canonical JSON."""
    plain = {k: form[k] for k in sorted(form) if k != "api_key"}
    return hashlib.sha256(json.dumps(plain, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def _answer(opinion: Opinion, notice: str) -> list[dict]:
    return [{"service_request_id": opinion.code, "service_notice": notice, "account_id": None}]


def _stored(user, key: str, digest: str) -> IdempotentRequest | None:
    stored = IdempotentRequest.objects.filter(user=user, endpoint=ENDPOINT, key=key).first()
    if stored is not None and stored.fingerprint != digest:
        raise Open311Error(400, "Idempotency-Key：这个键已用于另一个内容不同的请求；新的请求请使用新的键")
    return stored


def _earlier_same(user, station, content: str, resident_phone: str) -> Opinion | None:
    try:
        content, resident_phone = clean_text(content, label="反映内容"), clean_phone(resident_phone)
    except DomainError:
        return None  # not a retry of anything registered: register_opinion refuses it, naming the field
    return (
        Opinion.objects.filter(
            created_by=user,
            station=station,
            content=content,
            resident_phone=resident_phone,
            created_at__gte=timezone.now() - RETRY_WINDOW,
        )
        .order_by("-created_at", "-id")
        .first()
    )


def submit_request(
    *,
    actor,
    station,
    category,
    channel: str,
    content: str,
    resident_name: str,
    resident_phone: str,
    key: str = "",
    digest: str = "",
    notice: str = "",
) -> tuple[list[dict], bool]:
    """(the answer's body, created). `key` is the Idempotency-Key header (may be empty), `digest` the form's."""
    if key and not re.fullmatch(KEY_PATTERN, key):
        raise Open311Error(400, "Idempotency-Key：须为 16–64 位字母或数字（如去掉连字符的 UUID）")
    if key:
        stored = _stored(actor, key, digest)
        if stored is not None:
            return stored.body, False
    else:
        earlier = _earlier_same(actor, station, content, resident_phone)
        if earlier is not None:
            return _answer(earlier, f"重复提交：{earlier.station.name}此前已受理，未重复登记"), False
    try:
        with transaction.atomic():
            opinion, _password = register_opinion(
                station=station,
                channel=channel,
                content=content,
                category=category,
                resident_name=resident_name,
                resident_phone=resident_phone,
                actor=actor,
            )
            body = _answer(opinion, f"{station.name}已受理{notice}")
            if key:
                remember_response(user=actor, endpoint=ENDPOINT, key=key, fingerprint=digest, status=201, body=body)
    except IntegrityError:
        stored = _stored(actor, key, digest) if key else None
        if stored is None:
            raise
        return stored.body, False
    return body, True
