"""Idempotent authenticated writes: one decorator for every POST of the API that needs a user.

    @router.post("/opinions/{code}/close", response={200: StateOut})
    @idempotent
    def close(request, code: str, key: str = idempotency_key()): ...

The client sends an `Idempotency-Key` header (16–64 letters and digits, random per request: a UUID without its
hyphens). The first request runs and its answer — status and body — is stored with (user, endpoint, key) and a
fingerprint of the request (the path parameters and the validated body, canonical JSON, SHA-256), in the same
transaction as the write itself: either both are kept or neither. A retry with the same key and the same request
gets the stored answer again, without running anything; the same key with another request is a 422 naming the
header. Only successful answers are stored: a refusal (403/404/409/422) changes nothing, so a retry is simply
asked again. Two requests racing with one key: the unique constraint keeps one, the other replays it.

Query passwords are never stored in clear (only their hashes are, on the opinion): an answer's fields named
`password` must be `query_password(request, n)` — derived from the user, endpoint and key with the server's secret,
n counting them in the answer's order — and are blanked in the stored body, derived again on replay.
(The public submission does the same with its key: liaison.opinions.services.lookup.password_for_key.)
"""

import hashlib
import itertools
import json
from functools import wraps

from django.db import IntegrityError, transaction
from ninja import Header, Schema, Status

from liaison.lib.errors import DomainError
from liaison.opinions.services import password_for_key

from .models import IdempotentRequest
from .services import remember_response

KEY_PATTERN = r"^[A-Za-z0-9]{16,64}$"


def idempotency_key():
    return Header(
        ...,
        alias="Idempotency-Key",
        pattern=KEY_PATTERN,
        description="客户端为这一次请求生成的随机键（16–64 位字母数字，如 UUID 去掉连字符）；重试时原样重发，"
        "得到与第一次相同的应答；同一个键用于不同的请求会被拒绝（422）",
    )


def query_password(request, n: int = 0) -> str:
    """The n-th query password of this write's answer, reproducible from (user, endpoint, key) alone."""
    user, endpoint, key = request._liaison_idempotency
    return password_for_key(f"api:{user.pk}:{endpoint}:{key}:{n}")


def fingerprint(endpoint: str, params: dict) -> str:
    plain = {k: v.model_dump(mode="json") if isinstance(v, Schema) else v for k, v in params.items()}
    text = json.dumps([endpoint, plain], sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _passwords(body, fill):
    """`body` with each `password` field replaced by fill(n, value), n counting them in sorted-key order."""
    count = itertools.count()

    def walk(node):
        if isinstance(node, dict):
            return {k: fill(next(count), v) if k == "password" else walk(v) for k, v in sorted(node.items())}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(body)


def _stored_form(request, body):
    def blank(n, value):
        if value != query_password(request, n):
            raise RuntimeError("an idempotent answer's password must be query_password(request, n)")
        return None

    return _passwords(body, blank)


def _replay(request, stored: IdempotentRequest) -> Status:
    return Status(stored.status, _passwords(stored.body, lambda n, value: query_password(request, n)))


def _find(user, endpoint: str, key: str, digest: str) -> IdempotentRequest | None:
    stored = IdempotentRequest.objects.filter(user=user, endpoint=endpoint, key=key).first()
    if stored is not None and stored.fingerprint != digest:
        raise DomainError(
            "这个 Idempotency-Key 已用于另一个内容不同的请求；新的请求请使用新的键", field="Idempotency-Key"
        )
    return stored


def idempotent(view):
    """Make an API write idempotent on its `key` parameter (the Idempotency-Key header); the view returns a
    Status (or a plain body, 200) of JSON-ready data. The endpoint's name is the view's."""
    endpoint = view.__name__

    @wraps(view)
    def wrapper(request, *args, key: str, **params):
        user = request.auth
        digest = fingerprint(endpoint, params)
        request._liaison_idempotency = (user, endpoint, key)
        stored = _find(user, endpoint, key, digest)
        if stored is not None:
            return _replay(request, stored)
        try:
            with transaction.atomic():
                result = view(request, *args, key=key, **params)
                status, body = (result.status_code, result.value) if isinstance(result, Status) else (200, result)
                remember_response(
                    user=user,
                    endpoint=endpoint,
                    key=key,
                    fingerprint=digest,
                    status=status,
                    body=_stored_form(request, body),
                )
        except IntegrityError:
            # The same key raced in from another request, which committed first: answer as its retry would.
            stored = _find(user, endpoint, key, digest)
            if stored is None:
                raise
            return _replay(request, stored)
        return Status(status, body)

    return wrapper
