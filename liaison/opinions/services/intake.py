"""Intake by every channel: registration by staff and deputies, the public QR submission, visits."""

import hashlib
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from liaison.events.services import record_event
from liaison.lib.codes import hash_query_password, new_code, new_query_password
from liaison.lib.errors import DomainError
from liaison.org.models import Category, Stationing

from .. import lifecycle
from ..models import Opinion, Photo, Visit
from ..validation import MAX_VISIT_OPINIONS, CleanPhoto, clean_past_date, clean_phone, clean_photos, clean_text
from .common import SUBJECT, S, Throttled
from .lookup import password_for_key
from .telling import tell_resident

# Flood protection for the public QR page (no CAPTCHA): per client address and per station.
SUBMIT_LIMIT_PER_CLIENT = (5, timedelta(minutes=10))
SUBMIT_LIMIT_PER_STATION = (120, timedelta(hours=1))
# Idempotency keys: the endpoints that accept them (each its own key space), length and a floor of distinct
# characters (a random 32-hex key has about 14; "aaaa…" or "0000…0001" would collide between clients).
ENDPOINT_QR, ENDPOINT_API = "qr", "api"
IDEMPOTENCY_KEY_LENGTH = (16, 64)
IDEMPOTENCY_KEY_MIN_DISTINCT = 8


def _on_field(field: str, check, *args, **kwargs):
    """`check(...)`, its refusal tied to `field` (the form shows it by that field, the API names it)."""
    try:
        return check(*args, **kwargs)
    except DomainError as exc:
        exc.field = exc.field or field
        raise


def _clean_fields(*, title: str, content: str, resident_name: str = "", resident_phone: str = "") -> dict:
    content = _on_field("content", clean_text, content, label="反映内容")
    title = _on_field("title", clean_text, title, label="标题", max_length=100, required=False)
    return {
        "title": title or _title_from(content),
        "content": content,
        "resident_name": _on_field(
            "resident_name", clean_text, resident_name, label="姓名", max_length=50, required=False
        ),
        "resident_phone": _on_field("resident_phone", clean_phone, resident_phone),
    }


def _title_from(content: str) -> str:
    first = content.splitlines()[0].strip()
    return first[:30] + ("…" if len(first) > 30 else "")


def _proposed_category(fields: dict):
    """The insight categoriser's proposal when nobody chose a category and it is confident (≥ 0.8: about 94%
    right on real messages); otherwise the category stays empty for the station to set."""
    from liaison.insight.services import AUTO_CATEGORY_CONFIDENCE, propose_category

    prediction = propose_category(f"{fields.get('title', '')}\n{fields.get('content', '')}")
    if prediction.label and prediction.confidence >= AUTO_CATEGORY_CONFIDENCE:
        return Category.objects.filter(name=prediction.label, parent__isnull=True, is_active=True).first()
    return None


def _create(*, station, channel, actor, fields: dict, photos=(), password: str, **extra) -> Opinion:
    if extra.get("category") is None:
        extra["category"] = _proposed_category(fields)
    opinion = Opinion.objects.create(
        code=new_code("M", 8),
        query_password_hash=hash_query_password(password),
        station=station,
        channel=channel,
        created_by=actor if getattr(actor, "pk", None) else None,
        **fields,
        **extra,
    )
    for i, photo in enumerate(photos):
        _save_photo(opinion, photo, i)
    record_event(
        subject_type=SUBJECT,
        subject_id=opinion.code,
        action="registered",
        actor=actor,
        to_state=S.REGISTERED,
        note=f"{opinion.get_channel_display()}登记，{station.name}受理",
        public=True,
        actor_label="" if getattr(actor, "pk", None) else "群众",
    )
    tell_resident(opinion, "registered")
    return opinion


def _save_photo(opinion: Opinion, photo: CleanPhoto, index: int) -> Photo:
    item = Photo(
        opinion=opinion,
        content_type=photo.content_type,
        width=photo.width,
        height=photo.height,
        size=len(photo.content),
    )
    item.image.save(f"photo{index}.{photo.ext}", ContentFile(photo.content), save=False)
    item.save()
    return item


def register_opinion(
    *,
    station,
    channel: str,
    title: str = "",
    content: str,
    actor,
    category=None,
    deputy=None,
    visit=None,
    resident_name: str = "",
    resident_phone: str = "",
    photos: list = (),
    password: str | None = None,
) -> tuple[Opinion, str]:
    """A liaison officer (phone, letter, in person) or a deputy (visit, reception) registers an opinion.

    Returns the opinion and its query password in clear — shown once, to be passed to the resident. `password`
    is given only by a caller that must show the same one again without storing it (the API's idempotent
    writes derive it from the request's key); otherwise it is drawn at random.
    """
    lifecycle.require_register(actor, station)
    if channel not in Opinion.Channel.values or channel == Opinion.Channel.QR:
        raise DomainError("请选择正确的反映渠道")
    if deputy is not None and not Stationing.objects.filter(deputy=deputy, station=station).exists():
        raise DomainError("该代表未进驻此联络站")
    fields = _clean_fields(title=title, content=content, resident_name=resident_name, resident_phone=resident_phone)
    photos = clean_photos(photos)
    password = password or new_query_password()
    with transaction.atomic():
        opinion = _create(
            station=station,
            channel=channel,
            actor=actor,
            fields=fields,
            photos=photos,
            password=password,
            category=category,
            deputy=deputy,
            visit=visit,
        )
    return opinion, password


def _upload_bytes(photo) -> bytes:
    if isinstance(photo, CleanPhoto):
        return photo.content
    data = b"".join(photo.chunks())
    photo.seek(0)
    return data


def submission_fingerprint(
    *, endpoint: str, station, title="", content="", category=None, resident_name="", resident_phone="", photos=()
) -> str:
    """A digest of one submission as the client sent it (endpoint, station, every field, every photo's bytes).

    Stored with the idempotency key: a retry carries the same request and gets the original answer; the same key
    with other content is a client bug (or someone replaying a key they saw) and is refused, not merged.
    """
    parts = [
        endpoint,
        station.code,
        (title or "").strip(),
        (content or "").replace("\r\n", "\n").strip(),
        str(getattr(category, "pk", category) or ""),
        (resident_name or "").strip(),
        (resident_phone or "").strip(),
        *(hashlib.sha256(_upload_bytes(p)).hexdigest() for p in photos or () if p),
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _check_key(key: str) -> str:
    key = (key or "").strip()
    if not IDEMPOTENCY_KEY_LENGTH[0] <= len(key) <= IDEMPOTENCY_KEY_LENGTH[1] or not key.isascii() or not key.isalnum():
        raise DomainError("表单已失效，请刷新页面后重新填写", field="Idempotency-Key")
    if len(set(key)) < IDEMPOTENCY_KEY_MIN_DISTINCT:
        # "aaaa…", "0000…0001": keys a client did not draw at random collide with other clients' keys.
        raise DomainError(
            "Idempotency-Key 过于简单，请使用随机生成的键（如去掉连字符的 UUID）", field="Idempotency-Key"
        )
    return key


def find_public_submission(*, station, endpoint: str, key: str, fingerprint: str) -> Opinion | None:
    """The submission already accepted with this key at this station through this endpoint, if any.

    A different request under the same key is refused (422) rather than answered with someone's acknowledgement.
    """
    existing = Opinion.objects.filter(station=station, idempotency_key=f"{endpoint}:{key}").first()
    if existing is not None and existing.request_fingerprint and existing.request_fingerprint != fingerprint:
        if endpoint == ENDPOINT_QR:
            raise DomainError("这张表单已经提交过了。如需反映新的问题，请刷新页面重新填写")
        raise DomainError(
            "这个 Idempotency-Key 已用于另一份内容不同的提交；新的提交请使用新的键", field="Idempotency-Key"
        )
    return existing


def submit_public_opinion(
    *,
    station,
    key: str,
    content: str,
    title: str = "",
    category=None,
    resident_name: str = "",
    resident_phone: str = "",
    photos: list = (),
    client: str = "",
    endpoint: str = ENDPOINT_QR,
) -> tuple[Opinion, str, bool]:
    """The resident's submission on the station's QR page or through the API: (opinion, password, created).

    Idempotent on (station, endpoint, `key`) with the request's fingerprint: a retry returns the original
    acknowledgement, the same key with other content is refused. `photos` are uploads (or CleanPhotos): they are
    decoded only after the throttle let the submission in, so a flood of large images costs a refused client
    nothing but the upload.
    """
    key = _check_key(key)
    if not station.is_active:
        raise DomainError("该联络站已停用，请联系所在村（社区）")
    fingerprint = submission_fingerprint(
        endpoint=endpoint,
        station=station,
        title=title,
        content=content,
        category=category,
        resident_name=resident_name,
        resident_phone=resident_phone,
        photos=photos,
    )
    existing = find_public_submission(station=station, endpoint=endpoint, key=key, fingerprint=fingerprint)
    if existing is not None:
        return existing, password_for_key(key), False
    fields = _clean_fields(title=title, content=content, resident_name=resident_name, resident_phone=resident_phone)
    now = timezone.now()
    limit, window = SUBMIT_LIMIT_PER_CLIENT
    if client and Opinion.objects.filter(client_hash=client, created_at__gte=now - window).count() >= limit:
        raise Throttled("您提交得太频繁了，请稍后再试；急事请直接拨打联络站电话")
    limit, window = SUBMIT_LIMIT_PER_STATION
    recent = Opinion.objects.filter(station=station, channel=Opinion.Channel.QR, created_at__gte=now - window)
    if recent.count() >= limit:
        raise Throttled("该联络站此时段收到的留言过多，请稍后再试")
    photos = _on_field("photos", clean_photos, photos)
    password = password_for_key(key)
    try:
        with transaction.atomic():
            opinion = _create(
                station=station,
                channel=Opinion.Channel.QR,
                actor=None,
                fields=fields,
                photos=photos,
                password=password,
                category=category,
                idempotency_key=f"{endpoint}:{key}",
                request_fingerprint=fingerprint,
                client_hash=client,
            )
    except IntegrityError:
        # Two submissions with the same key raced: the unique constraint kept one; answer as a retry would.
        existing = find_public_submission(station=station, endpoint=endpoint, key=key, fingerprint=fingerprint)
        if existing is None:
            raise
        return existing, password, False
    return opinion, password, True


def log_visit(
    *,
    deputy,
    station,
    kind: str,
    date,
    place: str,
    residents_met: str = "",
    note: str = "",
    opinions: list[dict],
    actor,
) -> tuple[Visit, list[tuple[Opinion, str]]]:
    """A deputy's visit (or reception day) and the opinions heard on it, all or nothing."""
    lifecycle.require_own_record(actor, deputy, "走访")
    if kind not in Visit.Kind.values:
        raise DomainError("请选择走访方式")
    if not Stationing.objects.filter(deputy=deputy, station=station).exists():
        raise DomainError("该代表未进驻此联络站")
    date = clean_past_date(date, label="走访日期")
    if len(opinions) > MAX_VISIT_OPINIONS:
        raise DomainError(f"一次走访最多登记 {MAX_VISIT_OPINIONS} 条社情民意，其余请另行登记")
    place = clean_text(place, label="地点", max_length=120)
    residents_met = clean_text(residents_met, label="走访对象", max_length=300, required=False)
    note = clean_text(note, label="情况记录", required=False)
    channel = Opinion.Channel.RECEPTION if kind == Visit.Kind.RECEPTION else Opinion.Channel.VISIT
    with transaction.atomic():
        visit = Visit.objects.create(
            code=new_code("V", 8),
            deputy=deputy,
            station=station,
            kind=kind,
            date=date,
            place=place,
            residents_met=residents_met,
            note=note,
            created_by=actor,
        )
        record_event(
            subject_type="visit",
            subject_id=visit.code,
            action="visit_logged",
            actor=actor,
            note=f"{visit.get_kind_display()}：{place}，收集社情民意 {len(opinions)} 条",
        )
        created = [
            register_opinion(station=station, channel=channel, actor=actor, deputy=deputy, visit=visit, **item)
            for item in opinions
        ]
    return visit, created
