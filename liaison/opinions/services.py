"""Every write on opinions: intake by each channel, decisions, outcomes, report-back (回访), closing, rating.

Each state change goes through liaison.events.services.transition() inside transaction.atomic():
a conditional UPDATE on the current state and one Event row. Refusals are DomainError/TransitionError.
"""

from datetime import timedelta

from django.contrib.auth.hashers import check_password, make_password
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from liaison.events.services import record_event, transition
from liaison.lib.codes import new_code, new_query_password, normalise_code
from liaison.lib.errors import DomainError, TransitionError
from liaison.org.models import Category, Stationing

from . import lifecycle
from .lifecycle import RATEABLE, TRANSITIONS
from .models import LookupFailure, Mediation, Opinion, Photo, ReportBack, Visit
from .validation import CleanPhoto, clean_phone, clean_text

SUBJECT = "opinion"
S = Opinion.State

# Flood protection for the public QR page (no CAPTCHA): per client address and per station.
SUBMIT_LIMIT_PER_CLIENT = (5, timedelta(minutes=10))
SUBMIT_LIMIT_PER_STATION = (120, timedelta(hours=1))
# Wrong query passwords on the status page: per client address and per tracking code.
LOOKUP_LIMIT_PER_CLIENT = (5, timedelta(minutes=15))
LOOKUP_LIMIT_PER_CODE = (10, timedelta(minutes=15))


class Throttled(DomainError):
    status = 429


def client_hash(ip: str) -> str:
    """A keyed hash of the client address: enough to count, not enough to identify."""
    return salted_hmac("liaison.opinions.client", ip or "-", algorithm="sha256").hexdigest()[:32]


def password_for_key(key: str) -> str:
    """The QR page's query password, derived from the form's idempotency key.

    A resubmission with the same key must show the same acknowledgement, but only the hash is stored;
    deriving the password from the (secret, unguessable) key lets us show it again without keeping it.
    """
    digest = salted_hmac("liaison.opinions.query-password", key, algorithm="sha256").hexdigest()
    return f"{int(digest[:12], 16) % 1_000_000:06d}"


def _transition(opinion: Opinion, to: str, action: str, actor, **kwargs):
    return transition(
        opinion,
        table=TRANSITIONS,
        to=to,
        action=action,
        actor=actor,
        subject_type=SUBJECT,
        subject_id=opinion.code,
        **kwargs,
    )


def _clean_fields(*, title: str, content: str, resident_name: str = "", resident_phone: str = "") -> dict:
    content = clean_text(content, label="反映内容")
    title = clean_text(title, label="标题", max_length=100, required=False) or _title_from(content)
    return {
        "title": title,
        "content": content,
        "resident_name": clean_text(resident_name, label="姓名", max_length=50, required=False),
        "resident_phone": clean_phone(resident_phone),
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
        query_password_hash=make_password(password),
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
    photos: list[CleanPhoto] = (),
) -> tuple[Opinion, str]:
    """A liaison officer (phone, letter, in person) or a deputy (visit, reception) registers an opinion.

    Returns the opinion and its query password in clear — shown once, to be passed to the resident.
    """
    lifecycle.require_register(actor, station)
    if channel not in Opinion.Channel.values or channel == Opinion.Channel.QR:
        raise DomainError("请选择正确的反映渠道")
    if deputy is not None and not Stationing.objects.filter(deputy=deputy, station=station).exists():
        raise DomainError("该代表未进驻此联络站")
    fields = _clean_fields(title=title, content=content, resident_name=resident_name, resident_phone=resident_phone)
    password = new_query_password()
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


def submit_public_opinion(
    *,
    station,
    key: str,
    content: str,
    title: str = "",
    category=None,
    resident_name: str = "",
    resident_phone: str = "",
    photos: list[CleanPhoto] = (),
    client: str = "",
) -> tuple[Opinion, str, bool]:
    """The resident's submission on the station's QR page. Idempotent on `key`: (opinion, password, created)."""
    key = (key or "").strip()
    if not 16 <= len(key) <= 64 or not key.isalnum():
        raise DomainError("表单已失效，请刷新页面后重新填写")
    if not station.is_active:
        raise DomainError("该联络站已停用，请联系所在村（社区）")
    existing = Opinion.objects.filter(idempotency_key=key).first()
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
                idempotency_key=key,
                client_hash=client,
            )
    except IntegrityError:
        # Two submissions with the same key raced: the unique constraint kept one; show its acknowledgement.
        existing = Opinion.objects.filter(idempotency_key=key).first()
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
    if date > timezone.localdate():
        raise DomainError("走访日期不能晚于今天")
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


def answer_on_spot(*, opinion: Opinion, answer: str, actor, told_now: bool = True) -> None:
    """当场答复. With `told_now` the answer was given to the resident face to face: that is the report-back."""
    lifecycle.require(actor, "answer", opinion)
    answer = clean_text(answer, label="答复内容")
    with transaction.atomic():
        _transition(
            opinion,
            S.ANSWERED_ON_SPOT,
            "answered_on_spot",
            actor,
            note=answer,
            public=True,
            updates={"outcome": answer, "outcome_at": timezone.now(), "decided_at": timezone.now()},
        )
        if told_now:
            record_report_back(
                opinion=opinion,
                method=ReportBack.Method.ON_SPOT,
                at=timezone.localdate(),
                reaction=ReportBack.Reaction.NONE,
                note="当场答复群众",
                actor=actor,
            )


def refuse_opinion(*, opinion: Opinion, reason: str, redirect_to: str = "", actor) -> None:
    """不予受理 (litigation, private matters …) with the reason and where to turn instead."""
    lifecycle.require(actor, "refuse", opinion)
    reason = clean_text(reason, label="不予受理理由", max_length=1000)
    redirect_to = clean_text(redirect_to, label="建议反映渠道", max_length=200, required=False)
    note = reason + (f"（建议向{redirect_to}反映）" if redirect_to else "")
    with transaction.atomic():
        _transition(
            opinion,
            S.NOT_ACCEPTED,
            "not_accepted",
            actor,
            note=note,
            public=True,
            updates={"reason": reason, "redirect_to": redirect_to, "decided_at": timezone.now()},
        )


def put_on_agenda(*, opinion: Opinion, actor, meeting_code: str = "") -> None:
    lifecycle.require(actor, "put_on_agenda", opinion)
    with transaction.atomic():
        _transition(
            opinion,
            S.ON_AGENDA,
            "put_on_agenda",
            actor,
            note="列入本月会商议题",
            public=True,
            data={"meeting": meeting_code},
        )


def _decide(opinion, to, action, actor, *, note, public_note, updates, data=None):
    updates = {"decided_at": timezone.now(), **updates}
    _transition(opinion, to, action, actor, note=public_note or note, updates=updates, data=data, public=True)


def route_to_village(*, opinion: Opinion, due_date, actor, note: str = "", meeting_code: str = "") -> None:
    lifecycle.require(actor, "route_to_village", opinion)
    if due_date is None:
        raise DomainError("村级办理需要填写办理期限")
    if due_date < timezone.localdate():
        raise DomainError("办理期限不能早于今天")
    note = clean_text(note, label="说明", max_length=1000, required=False)
    with transaction.atomic():
        _decide(
            opinion,
            S.VILLAGE_HANDLING,
            "village_handling",
            actor,
            note=note,
            public_note=f"会商决定由村两委办理，期限 {due_date:%Y-%m-%d}",
            updates={"due_date": due_date, "reason": note},
            data={"meeting": meeting_code, "due_date": due_date.isoformat()},
        )


def refer_opinion(*, opinion: Opinion, unit, actor, note: str = "", meeting_code: str = "") -> None:
    lifecycle.require(actor, "refer", opinion)
    if unit is None:
        raise DomainError("请选择转办的乡镇或部门")
    note = clean_text(note, label="说明", max_length=1000, required=False)
    with transaction.atomic():
        _decide(
            opinion,
            S.REFERRED,
            "referred",
            actor,
            note=note,
            public_note=f"会商决定通过民情直通车转{unit.name}办理",
            updates={"referred_unit": unit, "reason": note},
            data={"meeting": meeting_code, "unit": unit.code},
        )


def turn_into_suggestion(*, opinion: Opinion, drafting_deputy, actor, note: str = "", meeting_code: str = "") -> None:
    lifecycle.require(actor, "to_suggestion", opinion)
    if drafting_deputy is None:
        raise DomainError("请选择起草建议的代表")
    if not Stationing.objects.filter(deputy=drafting_deputy, station_id=opinion.station_id).exists():
        raise DomainError("起草代表须是本联络站的进站代表")
    note = clean_text(note, label="说明", max_length=1000, required=False)
    with transaction.atomic():
        _decide(
            opinion,
            S.TO_SUGGESTION,
            "to_suggestion",
            actor,
            note=note,
            public_note="会商决定由代表形成代表建议",
            updates={"drafting_deputy": drafting_deputy, "reason": note},
            data={"meeting": meeting_code, "deputy": drafting_deputy.code},
        )


def mark_duplicate(*, opinion: Opinion, original: Opinion, actor, meeting_code: str = "") -> None:
    lifecycle.require(actor, "mark_duplicate", opinion)
    if original is None:
        raise DomainError("请选择与之重复的社情民意")
    while original.duplicate_of_id:  # point at the root, never at another duplicate
        original = original.duplicate_of
    if original.pk == opinion.pk:
        raise DomainError("不能与自身重复")
    if original.station_id != opinion.station_id:
        raise DomainError("只能合并到本联络站的社情民意")
    with transaction.atomic():
        _decide(
            opinion,
            S.DUPLICATE,
            "duplicate",
            actor,
            note="",
            public_note=f"与 {original.code} 反映的问题相同，合并办理",
            updates={"duplicate_of": original},
            data={"meeting": meeting_code, "original": original.code},
        )


def mark_not_feasible(*, opinion: Opinion, reason: str, actor, meeting_code: str = "") -> None:
    lifecycle.require(actor, "mark_not_feasible", opinion)
    reason = clean_text(reason, label="不可行的理由", max_length=1000)
    with transaction.atomic():
        _decide(
            opinion,
            S.NOT_FEASIBLE,
            "not_feasible",
            actor,
            note=reason,
            public_note=f"经会商暂不可行：{reason}",
            updates={"reason": reason, "outcome": reason, "outcome_at": timezone.now()},
            data={"meeting": meeting_code},
        )


def record_outcome(*, opinion: Opinion, text: str, actor) -> None:
    """The village committee (村级办理) or the liaison officer (reply of the township/department) records the outcome."""
    if opinion.state not in (S.VILLAGE_HANDLING, S.REFERRED):
        raise TransitionError(f"当前状态“{opinion.get_state_display()}”不能登记办理结果")
    lifecycle.require(actor, "outcome", opinion)
    text = clean_text(text, label="办理结果", max_length=2000)
    with transaction.atomic():
        _transition(
            opinion,
            S.OUTCOME_RECORDED,
            "outcome_recorded",
            actor,
            note=text,
            public=True,
            updates={"outcome": text, "outcome_at": timezone.now()},
        )


def link_opinions_to_suggestion(*, opinions: list[Opinion], suggestion_code: str, actor) -> None:
    """Called by the suggestion loop when a drafted suggestion takes these opinions as its sources."""
    if not opinions:
        raise DomainError("请至少选择一条社情民意")
    with transaction.atomic():
        for opinion in opinions:
            if opinion.state != S.TO_SUGGESTION:
                raise TransitionError(f"社情民意 {opinion.code} 不在“待形成建议”状态")
            _transition(
                opinion,
                S.IN_SUGGESTION,
                "in_suggestion",
                actor,
                note=f"已形成代表建议 {suggestion_code}",
                data={"suggestion": suggestion_code},
                public=True,
            )


def record_suggestion_outcome(*, opinion: Opinion, text: str, actor) -> None:
    """The suggestion this opinion fed was answered: its summary becomes the opinion's outcome."""
    text = clean_text(text, label="答复摘要", max_length=5000)
    with transaction.atomic():
        _transition(
            opinion,
            S.OUTCOME_RECORDED,
            "suggestion_answered",
            actor,
            note=text,
            public=True,
            updates={"outcome": text, "outcome_at": timezone.now()},
        )


def record_report_back(*, opinion: Opinion, method: str, at, reaction: str, note: str = "", actor, deputy=None) -> None:
    """回访: the deputy or liaison officer told the resident the outcome (how, when, the resident's reaction)."""
    lifecycle.require(actor, "reportback", opinion)
    if method not in ReportBack.Method.values:
        raise DomainError("请选择回访方式")
    if reaction not in ReportBack.Reaction.values:
        raise DomainError("请选择群众反应")
    if at is None or at > timezone.localdate():
        raise DomainError("回访日期不能为空，也不能晚于今天")
    note = clean_text(note, label="回访情况", max_length=2000, required=False)
    if deputy is None:
        deputy = getattr(actor, "deputy", None) if getattr(actor, "pk", None) else None
    with transaction.atomic():
        _transition(
            opinion,
            S.REPORTED_BACK,
            "reported_back",
            actor,
            note=f"已{ReportBack.Method(method).label}群众办理结果",
            public=True,
            data={"method": method, "reaction": reaction},
        )
        ReportBack.objects.create(
            opinion=opinion, method=method, at=at, reaction=reaction, note=note, deputy=deputy, recorded_by=actor
        )


def close_opinion(*, opinion: Opinion, actor) -> None:
    lifecycle.require(actor, "close", opinion)
    if not ReportBack.objects.filter(opinion=opinion).exists():
        raise TransitionError("尚未回访群众，不能关闭；请先登记回访记录")
    with transaction.atomic():
        _transition(
            opinion, S.CLOSED, "closed", actor, note="办结关闭", public=True, updates={"closed_at": timezone.now()}
        )


def rate_outcome(*, opinion: Opinion, rating: str) -> None:
    """The resident rates the outcome once, on the status page."""
    if rating not in Opinion.Rating.values:
        raise DomainError("请选择满意、基本满意或不满意")
    if opinion.state not in RATEABLE:
        raise DomainError("事项尚未答复，暂不能评价")
    with transaction.atomic():
        now = timezone.now()
        if not Opinion.objects.filter(pk=opinion.pk, rating="").update(rating=rating, rated_at=now):
            raise DomainError("您已评价过，感谢您的反馈")
        opinion.rating, opinion.rated_at = rating, now
        record_event(
            subject_type=SUBJECT,
            subject_id=opinion.code,
            action="rated",
            note=f"群众评价：{Opinion.Rating(rating).label}",
            public=True,
            actor_label="群众",
        )


def lookup_opinion(*, code: str, password: str, client: str) -> Opinion:
    """The resident's status page: the opinion for a tracking code and query password, throttled on failures.

    The same message for an unknown code and a wrong password, so nothing is revealed.
    """
    code = normalise_code(code)[:16]
    now = timezone.now()
    limit, window = LOOKUP_LIMIT_PER_CLIENT
    too_many = LookupFailure.objects.filter(client_hash=client, at__gte=now - window).count() >= limit
    limit, window = LOOKUP_LIMIT_PER_CODE
    too_many = too_many or (code and LookupFailure.objects.filter(code=code, at__gte=now - window).count() >= limit)
    if too_many:
        raise Throttled("查询失败次数过多，请 15 分钟后再试")
    opinion = Opinion.objects.filter(code=code).select_related("station").first() if code else None
    if opinion is None or not password or not check_password((password or "").strip(), opinion.query_password_hash):
        LookupFailure.objects.filter(at__lt=now - timedelta(days=1)).delete()
        LookupFailure.objects.create(client_hash=client, code=code, at=now)
        raise DomainError("查询码或查询密码不正确")
    return opinion


def record_mediation(*, deputy, station, date, parties: str, subject: str, steps: str, result: str, actor) -> Mediation:
    lifecycle.require_own_record(actor, deputy, "矛盾纠纷化解")
    if result not in Mediation.Result.values:
        raise DomainError("请选择调解结果")
    if date is None or date > timezone.localdate():
        raise DomainError("调解日期不能为空，也不能晚于今天")
    if station is not None and not Stationing.objects.filter(deputy=deputy, station=station).exists():
        raise DomainError("该代表未进驻此联络站")
    with transaction.atomic():
        mediation = Mediation.objects.create(
            code=new_code("T", 8),
            deputy=deputy,
            station=station,
            date=date,
            parties=clean_text(parties, label="当事人", max_length=200),
            subject=clean_text(subject, label="纠纷事由", max_length=200),
            steps=clean_text(steps, label="调解经过"),
            result=result,
            created_by=actor,
        )
        record_event(
            subject_type="mediation",
            subject_id=mediation.code,
            action="mediation_recorded",
            actor=actor,
            note=f"{mediation.subject}：{mediation.get_result_display()}",
        )
    return mediation


def verify_password(opinion: Opinion, password: str) -> bool:
    return check_password(password, opinion.query_password_hash)
