"""Writes of the API's own records: personal tokens, integration keys, the answers kept for idempotent retries.

A token reads `lzp_<prefix>_<secret>` (personal) or `lzk_<prefix>_<secret>` (integration key): the prefix is
the token's public id (lists, the admin, the revoke URL) and finds its row; the secret is 32 random bytes. Only
the SHA-256 of the whole token is stored — a slow password hash would add nothing to 256 random bits — so the
token is shown once, when it is made, and never again. Each creation and revocation is written to the
`liaison.audit` logger (docs/SECURITY.md).
"""

import hashlib
import logging
import secrets
import string
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, get_random_string

from liaison.lib.errors import DomainError, NotAllowed, TransitionError
from liaison.opinions.validation import clean_text
from liaison.org.models import Membership, Role, User
from liaison.org.selectors import scope_of

from .models import ApiToken, IdempotentRequest

audit_log = logging.getLogger("liaison.audit")

MARKS = {ApiToken.Kind.PERSONAL: "lzp", ApiToken.Kind.INTEGRATION: "lzk"}
PREFIX_LENGTH = 8
MAX_PERSONAL_TOKENS = 10  # active ones per user
TOUCH_EVERY = timedelta(minutes=1)  # last_used_at is written at most this often
EXPIRY_DAYS = (30, 90, 180, 365)

# What an integration key may be allowed to call: a router's reads or writes (tokens.py checks it).
ENDPOINTS = {
    "org:read": "组织：查询联络站、代表",
    "opinions:read": "社情民意：查询",
    "opinions:write": "社情民意：登记、走访、会商决定、办理结果、回访、关闭",
    "suggestions:read": "代表建议：查询",
    "suggestions:write": "代表建议：起草、附议、提交、审查、交办、办理、答复、测评、督办、办结",
    "open311:read": "Open311：查询服务请求（社情民意）",
    "open311:write": "Open311：提交服务请求（登记社情民意）",
}


def digest_of(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token(kind: str) -> tuple[str, str]:
    prefix = get_random_string(PREFIX_LENGTH, allowed_chars=string.ascii_letters + string.digits)
    return prefix, f"{MARKS[kind]}_{prefix}_{secrets.token_urlsafe(32)}"


def create_personal_token(*, user, name: str, expires_in_days: int | None, actor) -> tuple[ApiToken, str]:
    """A user's own token for scripts and apps: it acts as that user, with all their rights."""
    if getattr(actor, "pk", None) is None or actor.pk != user.pk:
        raise NotAllowed("只能为自己创建个人令牌")
    name = clean_text(name, label="令牌名称", max_length=60)
    if expires_in_days is not None and expires_in_days not in EXPIRY_DAYS:
        raise DomainError("请选择有效期", field="expires_in_days")
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()  # one creation at a time per user
        if ApiToken.objects.active().filter(user=user, kind=ApiToken.Kind.PERSONAL).count() >= MAX_PERSONAL_TOKENS:
            raise DomainError(f"最多同时保留 {MAX_PERSONAL_TOKENS} 个有效令牌，请先撤销不用的令牌")
        prefix, token = _new_token(ApiToken.Kind.PERSONAL)
        row = ApiToken.objects.create(
            kind=ApiToken.Kind.PERSONAL,
            user=user,
            name=name,
            prefix=prefix,
            digest=digest_of(token),
            created_by=actor,
            expires_at=timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None,
        )
    audit_log.info("api-token created prefix=%s user=%s", prefix, user.get_username())
    return row, token


def create_integration_key(*, name: str, region, endpoints: list[str], actor, expires_at=None) -> tuple[ApiToken, str]:
    """An administrator's key for another system. It acts as a service user of its own (no password, no sign-in)
    whose one membership is staff of `region`: scope_of() then gives it that region and nothing else."""
    if not scope_of(actor).everything:
        raise NotAllowed("只有系统管理员可以创建集成密钥")
    name = clean_text(name, label="密钥名称", max_length=60)
    if region is None:
        raise DomainError("请选择地区", field="region")
    endpoints = sorted(set(endpoints or ()))
    if not endpoints or set(endpoints) - set(ENDPOINTS):
        raise DomainError("请选择允许调用的接口", field="endpoints")
    if expires_at is not None and expires_at <= timezone.now():
        raise DomainError("有效期须晚于现在", field="expires_at")
    with transaction.atomic():
        prefix, token = _new_token(ApiToken.Kind.INTEGRATION)
        user = User(username=f"svc-{prefix.lower()}", display_name=f"集成：{name}"[:50])
        user.set_unusable_password()
        user.save()
        Membership.objects.create(user=user, role=Role.STAFF, region=region)
        row = ApiToken.objects.create(
            kind=ApiToken.Kind.INTEGRATION,
            user=user,
            name=name,
            prefix=prefix,
            digest=digest_of(token),
            region=region,
            endpoints=endpoints,
            created_by=actor,
            expires_at=expires_at,
        )
    audit_log.info("integration-key created prefix=%s region=%s endpoints=%s", prefix, region.code, endpoints)
    return row, token


def revoke_token(*, token: ApiToken, actor) -> None:
    """Its owner revokes a personal token; an administrator any token. A revoked integration key's service user
    is deactivated with it."""
    everything = scope_of(actor).everything
    if token.kind == ApiToken.Kind.INTEGRATION and not everything:
        raise NotAllowed("只有系统管理员可以撤销集成密钥")
    if token.user_id != getattr(actor, "pk", None) and not everything:
        raise NotAllowed("只能撤销自己的令牌")
    with transaction.atomic():
        if not ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now()):
            raise TransitionError("该令牌已经撤销")
        if token.kind == ApiToken.Kind.INTEGRATION:
            User.objects.filter(pk=token.user_id).update(is_active=False)
    token.refresh_from_db(fields=["revoked_at"])
    audit_log.info("api-token revoked prefix=%s by=%s", token.prefix, actor.get_username())


def authenticate_token(raw: str) -> ApiToken | None:
    """The active token `raw` is, with its user; None for anything else (malformed, unknown, revoked, expired,
    inactive user). Records the use, at most once a minute."""
    raw = (raw or "").strip()
    parts = raw.split("_", 2)  # the secret itself may hold "_" (URL-safe base64)
    if len(parts) != 3 or parts[0] not in MARKS.values() or len(parts[1]) != PREFIX_LENGTH or len(raw) > 200:
        return None
    now = timezone.now()
    row = ApiToken.objects.active(now).select_related("user").filter(prefix=parts[1]).first()
    if row is None or MARKS[row.kind] != parts[0] or not constant_time_compare(row.digest, digest_of(raw)):
        return None
    if not row.user.is_active:
        return None
    if row.last_used_at is None or now - row.last_used_at >= TOUCH_EVERY:
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        row.last_used_at = now
    return row


def remember_response(*, user, endpoint: str, key: str, fingerprint: str, status: int, body) -> IdempotentRequest:
    """The answer to an authenticated write, kept for its retries (idempotency.py)."""
    return IdempotentRequest.objects.create(
        user=user, endpoint=endpoint, key=key, fingerprint=fingerprint, status=status, body=body
    )
