"""The opinion loop's writes in the API: registration, visits, the station's and the meeting's decisions, the
outcome, report-back and closing. Each one calls the service the pages call; nothing here is a rule of its own.

Every endpoint is idempotent on its Idempotency-Key header (idempotency.py). The opinion in the path comes from
access_opinion (out of scope or unknown: 404), then lifecycle.require asks the service's own permission rule
before the service runs — as the pages do — so a wrong role gets 403 whatever the state; the service then
answers 409 for a wrong state and 422 for invalid input. A station named in the body comes from access_station
(404 likewise); the other objects a body names (category, deputy, unit, the original of a duplicate) are
choices of the input: an unknown one is a 422 naming its field.

A meeting decision on an opinion that is on the agenda of an open meeting goes through the meeting's service
(liaison.meetings.services.decide_item: the agenda item records the decision and the minutes show it); without an
open meeting the opinion's own decision service runs, as the meeting's would (the meeting code stays empty).
Registered opinions' query passwords are in the answer, once per request: a retry shows the same ones.
A visit's opinions may carry photos, base64 in the JSON body (the deputies' offline outbox sends them so; the
idempotency fingerprint covers them), checked and re-encoded by the same service as every upload.
"""

import base64
import binascii
from datetime import date
from typing import Literal

from django.core.files.base import ContentFile
from ninja import Field, Schema, Status

from liaison.lib.errors import DomainError
from liaison.meetings import services as meeting_services
from liaison.meetings.forms import units_for
from liaison.meetings.models import AgendaItem, Meeting
from liaison.opinions import lifecycle
from liaison.opinions import services as opinion_services
from liaison.opinions.models import Opinion, ReportBack, Visit
from liaison.opinions.selectors import access_opinion
from liaison.opinions.validation import MAX_PHOTO_BYTES, MAX_PHOTOS, MAX_VISIT_OPINIONS
from liaison.org.models import Category
from liaison.org.selectors import access_station, deputies_visible_to

from .idempotency import idempotency_key, idempotent, query_password
from .opinions import router  # the reads' router: ninja serves a path (POST /opinions beside GET) from one router

D = AgendaItem.Decision

Channel = Literal[tuple(v for v in Opinion.Channel.values if v != Opinion.Channel.QR)]
VisitKind = Literal[tuple(Visit.Kind.values)]
Method = Literal[tuple(ReportBack.Method.values)]
Reaction = Literal[tuple(ReportBack.Reaction.values)]


class OpinionFields(Schema):
    content: str = Field(..., min_length=1, max_length=5000, description="反映的问题")
    title: str = Field("", max_length=100, description="标题（可空，取内容首句）")
    category: str = Field("", max_length=40, description="分类名称（可空，系统会建议）")
    resident_name: str = Field("", max_length=50)
    resident_phone: str = Field("", max_length=20)


class RegisterIn(OpinionFields):
    station: str = Field(..., max_length=20, description="联络站编号")
    channel: Channel = Field(..., description="反映渠道")
    deputy: str = Field("", max_length=20, description="收集该意见的进站代表编号（可空）")


class VisitOpinionIn(OpinionFields):
    photos: list[str] = Field(
        default_factory=list,
        max_length=MAX_PHOTOS,
        description=f"照片（可空）：每张为 base64 编码的 JPG 或 PNG，最多 {MAX_PHOTOS} 张（离线登记的设备上已压缩）",
    )


class VisitIn(Schema):
    station: str = Field(..., max_length=20, description="联络站编号")
    kind: VisitKind = Field(..., description="走访方式")
    date: date
    place: str = Field(..., min_length=1, max_length=120)
    residents_met: str = Field("", max_length=300)
    note: str = Field("", max_length=5000)
    opinions: list[VisitOpinionIn] = Field(default_factory=list, max_length=MAX_VISIT_OPINIONS)


class RegisteredOut(Schema):
    code: str
    password: str = Field(..., description="查询密码：只在这一次应答中出现（重试得到同一个），请告知群众")
    state: str


class VisitOut(Schema):
    code: str
    opinions: list[RegisteredOut]


class StateOut(Schema):
    code: str
    state: str
    state_label: str


class AnswerIn(Schema):
    answer: str = Field(..., min_length=1, max_length=5000)
    told_now: bool = Field(True, description="当面答复了群众（即为回访）")


class RefuseIn(Schema):
    reason: str = Field(..., min_length=1, max_length=1000)
    redirect_to: str = Field("", max_length=200, description="建议群众反映的渠道")


class VillageIn(Schema):
    due_date: date = Field(..., description="办理期限")
    note: str = Field("", max_length=1000)


class ReferIn(Schema):
    unit: str = Field(..., max_length=40, description="承办的乡镇或部门编号")
    note: str = Field("", max_length=1000)


class SuggestionIn(Schema):
    deputy: str = Field(..., max_length=20, description="起草建议的进站代表编号")
    note: str = Field("", max_length=1000)


class DuplicateIn(Schema):
    original: str = Field(..., max_length=20, description="与之重复的本站社情民意的查询码")


class NotFeasibleIn(Schema):
    reason: str = Field(..., min_length=1, max_length=1000)


class OutcomeIn(Schema):
    text: str = Field(..., min_length=1, max_length=2000)


class ReportBackIn(Schema):
    method: Method
    at: date = Field(..., description="回访日期")
    reaction: Reaction
    note: str = Field("", max_length=2000)


# --- resolving what the request names ---------------------------------------------------------------------


def _opinion(request, code: str, action: str) -> Opinion:
    opinion = access_opinion(request.auth, code)
    lifecycle.require(request.auth, action, opinion)
    return opinion


def _state(opinion: Opinion) -> dict:
    opinion.refresh_from_db(fields=["state"])
    return {"code": opinion.code, "state": opinion.state, "state_label": opinion.get_state_display()}


def _category(name: str):
    if not name:
        return None
    category = Category.objects.filter(name=name, is_active=True).first()
    if category is None:
        raise DomainError(f"没有名为“{name}”的分类", field="category")
    return category


def _deputy(request, code: str):
    deputy = deputies_visible_to(request.auth).filter(code=code).first() if code else None
    if code and deputy is None:
        raise DomainError("没有这位代表，或不在您的权限范围内", field="deputy")
    return deputy


def _fields(item: OpinionFields) -> dict:
    return {
        "title": item.title,
        "content": item.content,
        "category": _category(item.category),
        "resident_name": item.resident_name,
        "resident_phone": item.resident_phone,
    }


def _photos(item: VisitOpinionIn, n: int) -> list[ContentFile]:
    """A visit opinion's base64 photos as uploads for the service's own photo checks (validation.clean_photos)."""
    uploads = []
    for i, text in enumerate(item.photos):
        if len(text) > MAX_PHOTO_BYTES * 4 // 3 + 4:
            raise DomainError(f"第 {n + 1} 条的照片超过 5 MB，请压缩后再上传", field="opinions")
        try:
            data = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise DomainError(f"第 {n + 1} 条的第 {i + 1} 张照片不是有效的 base64 编码", field="opinions")
        uploads.append(ContentFile(data, name=f"照片{i + 1}"))
    return uploads


# --- intake -------------------------------------------------------------------------------------------------


@router.post("/opinions", response={201: RegisteredOut}, summary="登记社情民意（联络员、站长、进站代表）")
@idempotent
def register_opinion(request, payload: RegisterIn, key: str = idempotency_key()):
    station = access_station(request.auth, payload.station)
    lifecycle.require_register(request.auth, station)  # the service's rule, asked before the body's choices
    opinion, password = opinion_services.register_opinion(
        station=station,
        channel=payload.channel,
        deputy=_deputy(request, payload.deputy),
        actor=request.auth,
        password=query_password(request, 0),
        **_fields(payload),
    )
    return Status(201, {"code": opinion.code, "password": password, "state": opinion.state})


@router.post("/visits", response={201: VisitOut}, summary="代表登记走访及收集的社情民意（一并成功或一并失败）")
@idempotent
def log_visit(request, payload: VisitIn, key: str = idempotency_key()):
    station = access_station(request.auth, payload.station)
    deputy = getattr(request.auth, "deputy", None)  # a visit is the deputy's own record
    lifecycle.require_own_record(request.auth, deputy, "走访")
    visit, created = opinion_services.log_visit(
        deputy=deputy,
        station=station,
        kind=payload.kind,
        date=payload.date,
        place=payload.place,
        residents_met=payload.residents_met,
        note=payload.note,
        opinions=[
            {**_fields(item), "photos": _photos(item, i), "password": query_password(request, i)}
            for i, item in enumerate(payload.opinions)
        ],
        actor=request.auth,
    )
    opinions = [{"code": o.code, "password": p, "state": o.state} for o, p in created]
    return Status(201, {"code": visit.code, "opinions": opinions})


# --- at the station -----------------------------------------------------------------------------------------


@router.post("/opinions/{code}/answer", response={200: StateOut}, summary="当场答复")
@idempotent
def answer_opinion(request, code: str, payload: AnswerIn, key: str = idempotency_key()):
    opinion = _opinion(request, code, "answer")
    opinion_services.answer_on_spot(
        opinion=opinion, answer=payload.answer, told_now=payload.told_now, actor=request.auth
    )
    return _state(opinion)


@router.post("/opinions/{code}/refuse", response={200: StateOut}, summary="不予受理（说明理由和反映渠道）")
@idempotent
def refuse_opinion(request, code: str, payload: RefuseIn, key: str = idempotency_key()):
    opinion = _opinion(request, code, "refuse")
    opinion_services.refuse_opinion(
        opinion=opinion, reason=payload.reason, redirect_to=payload.redirect_to, actor=request.auth
    )
    return _state(opinion)


@router.post("/opinions/{code}/agenda", response={200: StateOut}, summary="列入会商议题")
@idempotent
def put_on_agenda(request, code: str, key: str = idempotency_key()):
    opinion = _opinion(request, code, "put_on_agenda")
    opinion_services.put_on_agenda(opinion=opinion, actor=request.auth)
    return _state(opinion)


# --- the meeting's decisions --------------------------------------------------------------------------------


def _decide(request, opinion: Opinion, decision: str, direct, **choice) -> dict:
    """Through the open meeting whose agenda holds the opinion, else the opinion's own service (`direct`)."""
    item = (
        AgendaItem.objects.filter(opinion=opinion, decision="", meeting__state=Meeting.State.OPEN)
        .select_related("meeting__station__region")
        .first()
    )
    if item is not None:
        item.opinion = opinion
        meeting_services.decide_item(item=item, decision=decision, actor=request.auth, **choice)
    else:
        direct()
    return _state(opinion)


@router.post("/opinions/{code}/village", response={200: StateOut}, summary="会商决定：村级办理")
@idempotent
def route_to_village(request, code: str, payload: VillageIn, key: str = idempotency_key()):
    opinion = _opinion(request, code, "route_to_village")
    args = {"due_date": payload.due_date, "note": payload.note}
    return _decide(
        request,
        opinion,
        D.VILLAGE,
        lambda: opinion_services.route_to_village(opinion=opinion, actor=request.auth, **args),
        **args,
    )


@router.post("/opinions/{code}/refer", response={200: StateOut}, summary="会商决定：转乡镇或部门办理（民情直通车）")
@idempotent
def refer_opinion(request, code: str, payload: ReferIn, key: str = idempotency_key()):
    opinion = _opinion(request, code, "refer")
    unit = units_for(opinion.station).filter(code=payload.unit).first()  # the meeting form's choices
    if unit is None:
        raise DomainError("请选择本地的乡镇政府或县（市）直部门", field="unit")
    args = {"unit": unit, "note": payload.note}
    return _decide(
        request,
        opinion,
        D.REFER,
        lambda: opinion_services.refer_opinion(opinion=opinion, actor=request.auth, **args),
        **args,
    )


@router.post("/opinions/{code}/suggestion", response={200: StateOut}, summary="会商决定：由代表形成代表建议")
@idempotent
def turn_into_suggestion(request, code: str, payload: SuggestionIn, key: str = idempotency_key()):
    opinion = _opinion(request, code, "to_suggestion")
    deputy = _deputy(request, payload.deputy)
    return _decide(
        request,
        opinion,
        D.SUGGESTION,
        lambda: opinion_services.turn_into_suggestion(
            opinion=opinion, drafting_deputy=deputy, note=payload.note, actor=request.auth
        ),
        drafting_deputy=deputy,
        note=payload.note,
    )


@router.post("/opinions/{code}/duplicate", response={200: StateOut}, summary="会商决定：与本站另一条重复，合并办理")
@idempotent
def mark_duplicate(request, code: str, payload: DuplicateIn, key: str = idempotency_key()):
    opinion = _opinion(request, code, "mark_duplicate")
    original = Opinion.objects.filter(code=payload.original, station_id=opinion.station_id).first()
    if original is None:
        raise DomainError("本站没有这个查询码的社情民意", field="original")
    return _decide(
        request,
        opinion,
        D.DUPLICATE,
        lambda: opinion_services.mark_duplicate(opinion=opinion, original=original, actor=request.auth),
        duplicate_of=original,
    )


@router.post("/opinions/{code}/not-feasible", response={200: StateOut}, summary="会商决定：暂不可行（说明理由）")
@idempotent
def mark_not_feasible(request, code: str, payload: NotFeasibleIn, key: str = idempotency_key()):
    opinion = _opinion(request, code, "mark_not_feasible")
    return _decide(
        request,
        opinion,
        D.NOT_FEASIBLE,
        lambda: opinion_services.mark_not_feasible(opinion=opinion, reason=payload.reason, actor=request.auth),
        note=payload.reason,
    )


# --- after the decision -------------------------------------------------------------------------------------


@router.post("/opinions/{code}/outcome", response={200: StateOut}, summary="登记办理结果（村两委、联络站）")
@idempotent
def record_outcome(request, code: str, payload: OutcomeIn, key: str = idempotency_key()):
    opinion = _opinion(request, code, "outcome")
    opinion_services.record_outcome(opinion=opinion, text=payload.text, actor=request.auth)
    return _state(opinion)


@router.post("/opinions/{code}/report-back", response={200: StateOut}, summary="登记回访（告知群众办理结果）")
@idempotent
def record_report_back(request, code: str, payload: ReportBackIn, key: str = idempotency_key()):
    opinion = _opinion(request, code, "reportback")
    opinion_services.record_report_back(
        opinion=opinion,
        method=payload.method,
        at=payload.at,
        reaction=payload.reaction,
        note=payload.note,
        actor=request.auth,
    )
    return _state(opinion)


@router.post("/opinions/{code}/close", response={200: StateOut}, summary="办结关闭（须已回访）")
@idempotent
def close_opinion(request, code: str, key: str = idempotency_key()):
    opinion = _opinion(request, code, "close")
    opinion_services.close_opinion(opinion=opinion, actor=request.auth)
    return _state(opinion)
