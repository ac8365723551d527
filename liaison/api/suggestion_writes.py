"""The suggestion loop's writes in the API, on the suggestion: drafting (提), review and assignment (交),
evaluation (评), supervision (督) and closing. The steps on one assignment — the unit's handling, reassignment,
extensions, commitments, reminders — are in assignment_writes.py. Each one calls the service the pages call;
nothing here is a rule of its own.

As in opinion_writes.py: every endpoint is idempotent on its Idempotency-Key header (idempotency.py); the suggestion
in the path comes from access_suggestion (out of scope or unknown: 404), then the lifecycle's `require` asks the
service's own permission rule before the body's choices are resolved, so a wrong role gets 403 whatever the state;
the service then answers 409 for a wrong state and 422 for invalid input. A draft's deputy named in the body comes
from access_deputy (404 likewise). The other objects a body names (category, opinions, co-signers, units, the
suggestion merged into, the supervising leader) are the choices the page's form offers: an unknown one is a 422
naming its field.

JSON only: a draft's attachment (and an answer's, and the sealed reply-letter scan) are uploaded on the pages for
now. Publishing needs no step: a closed suggestion that the deputy agreed to publish and that is not confidential
is on the public page (Suggestion.is_published).
"""

import datetime as dt
import unicodedata
from typing import Annotated, Literal

from django.db.models import Q
from ninja import Field, Schema, Status
from pydantic import AfterValidator

from liaison.lib.errors import DomainError, NotAllowed
from liaison.opinions.models import Opinion
from liaison.org.models import Category, Deputy, Level
from liaison.org.selectors import access_deputy, scope_of
from liaison.suggestions import services
from liaison.suggestions.lifecycles import cosignature
from liaison.suggestions.lifecycles import evaluation as evaluation_lifecycle
from liaison.suggestions.lifecycles import suggestion as lifecycle
from liaison.suggestions.models import Evaluation, EvaluationSource, Suggestion
from liaison.suggestions.selectors import access_suggestion, leaders_for, suggestions_visible_to, units_assignable_for

from .idempotency import idempotency_key, idempotent
from .suggestions import router  # the reads' router: POST /suggestions beside GET


def _plain(value: str) -> str:
    """Text as the pages' forms take it: no control characters but line breaks and tabs (a NUL cannot be stored)."""
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\r\t" for ch in value):
        raise ValueError("含有无法识别的字符（可能是乱码或二进制内容），请重新输入文字")
    return value


def Text(max_length: int, *, required: bool = False, description: str = ""):  # noqa: N802
    """A text field of `max_length` characters, required (non-empty) or not."""
    field = Field(
        ... if required else "",
        min_length=1 if required else 0,
        max_length=max_length,
        description=description or None,
    )
    return Annotated[str, AfterValidator(_plain), field]


Rating = Literal[tuple(Evaluation.Rating.values)]
LevelChoice = Literal[tuple(Level.values)]
Code = Annotated[str, Field(min_length=1, max_length=20)]


class StateOut(Schema):
    code: str
    state: str
    state_label: str


class DraftIn(Schema):
    title: Text(120, required=True)
    cause: Text(5000, required=True, description="案由")
    reasons: Text(10000, description="理由")
    proposals: Text(10000, required=True, description="具体建议")
    category: Text(40, required=True, description="分类名称")
    level: LevelChoice | None = Field(None, description="以何种代表身份提出（可空：代表的首要层级）")
    publishable: bool = Field(True, description="同意公开")
    confidential: bool = Field(False, description="申请保密（对承办单位和公众隐去代表及当事人身份）")
    opinions: list[Code] = Field(
        default_factory=list, max_length=50, description="来源民意的查询码（会商决定由该代表起草建议的事项）"
    )
    deputy: Text(20, description="领衔代表编号（可空：本人；系统管理员可代为录入）")


class DraftEditIn(Schema):
    """Only the fields given change."""

    title: Annotated[str, AfterValidator(_plain), Field(min_length=1, max_length=120)] | None = None
    cause: Annotated[str, AfterValidator(_plain), Field(min_length=1, max_length=5000)] | None = None
    reasons: Annotated[str, AfterValidator(_plain), Field(max_length=10000)] | None = None
    proposals: Annotated[str, AfterValidator(_plain), Field(min_length=1, max_length=10000)] | None = None
    category: Annotated[str, AfterValidator(_plain), Field(min_length=1, max_length=40)] | None = None
    publishable: bool | None = None
    confidential: bool | None = None


class InviteIn(Schema):
    deputies: list[Code] = Field(..., min_length=1, max_length=50, description="邀请附议的同站进站代表编号")
    deadline: dt.date = Field(..., description="附议截止日期")


class CosignIn(Schema):
    accept: bool = Field(..., description="true 同意附议，false 谢绝")


class ReasonIn(Schema):
    reason: Text(2000, required=True)


class NoteIn(Schema):
    note: Text(2000)


class MergeIn(Schema):
    into: Text(60, required=True, description="并入建议的编号或案号")
    reason: Text(2000)


class SplitPart(Schema):
    unit: Code
    part: Text(2000, description="该单位分办的内容")


class AssignIn(Schema):
    lead: Text(40, description="主办单位编号（与 split 二选一）")
    co: list[Code] = Field(default_factory=list, max_length=20, description="协办单位编号")
    split: list[SplitPart] = Field(default_factory=list, max_length=20, description="分办：各单位分别答复")
    note: Text(2000)


class AssignedRow(Schema):
    code: str = Field(..., description="交办事项编号")
    unit: str = Field(..., description="承办单位编号")
    role: str
    due_date: dt.date


class AssignedOut(StateOut):
    assignments: list[AssignedRow]


class EvaluationIn(Schema):
    process: Rating = Field(..., description="对办理过程")
    result: Rating = Field(..., description="对办理结果")
    comment: Text(2000)
    deputy: Text(20, description="录入纸质征求意见表时：交回意见表的代表编号（人大机关工作人员）；代表本人测评不填")


class SupervisionNoteIn(Schema):
    text: Text(2000, required=True)


class KeySupervisionIn(Schema):
    key: bool = Field(..., description="true 列为重点督办，false 取消")
    leader: Text(150, description="督办领导的用户名（列为重点督办时必填）")
    note: Text(2000)


# --- resolving what the request names ---------------------------------------------------------------------


def _suggestion(request, code: str, action: str) -> Suggestion:
    suggestion = access_suggestion(request.auth, code)
    lifecycle.require(request.auth, action, suggestion)
    return suggestion


def state_of(suggestion: Suggestion) -> dict:
    suggestion.refresh_from_db(fields=["state"])
    return {"code": suggestion.code, "state": suggestion.state, "state_label": suggestion.get_state_display()}


def _category(name: str) -> Category:
    category = Category.objects.filter(name=name, is_active=True).first()
    if category is None:
        raise DomainError(f"没有名为“{name}”的分类", field="category")
    return category


def _picked(qs, codes: list[str], field: str, message: str, *, once: bool = True) -> list:
    """The rows of `qs` with these codes, in their order (each once, unless `once` is false: the service then
    refuses the repetition itself); any code not among them is a 422 naming `field`."""
    found = {row.code: row for row in qs.filter(code__in=codes)}
    if set(codes) - set(found):
        raise DomainError(message, field=field)
    return [found[c] for c in (dict.fromkeys(codes) if once else codes)]


def _drafting_deputy(request, code: str) -> Deputy:
    if code:
        deputy = access_deputy(request.auth, code)
    else:
        deputy = Deputy.objects.filter(pk=scope_of(request.auth).deputy_id).first()
        if deputy is None:
            raise NotAllowed("只有人大代表可以起草建议")
    lifecycle.require_own_draft(request.auth, deputy)
    return deputy


# --- 提 drafting ---------------------------------------------------------------------------------------------


@router.post("/suggestions", response={201: StateOut}, summary="起草代表建议（领衔代表本人；可由会商转来的民意形成）")
@idempotent
def create_suggestion(request, payload: DraftIn, key: str = idempotency_key()):
    deputy = _drafting_deputy(request, payload.deputy)
    # The form's choices: the opinions the meeting decided this deputy drafts a suggestion from.
    mine = Opinion.objects.filter(state=Opinion.State.TO_SUGGESTION, drafting_deputy=deputy)
    opinions = _picked(mine, payload.opinions, "opinions", "来源民意须是会商决定由该代表起草建议的事项")
    suggestion = services.create_draft(
        actor=request.auth,
        deputy=deputy,
        title=payload.title,
        cause=payload.cause,
        reasons=payload.reasons,
        proposals=payload.proposals,
        category=_category(payload.category),
        level=payload.level,
        publishable=payload.publishable,
        confidential=payload.confidential,
        opinions=opinions,
    )
    return Status(201, state_of(suggestion))


@router.post("/suggestions/{code}/edit", response={200: StateOut}, summary="修改建议草稿（提交前；只改所给字段）")
@idempotent
def edit_suggestion(request, code: str, payload: DraftEditIn, key: str = idempotency_key()):
    suggestion = _suggestion(request, code, "edit")
    fields = {k: v for k, v in payload.model_dump().items() if v is not None}
    if "category" in fields:
        fields["category"] = _category(fields["category"])
    services.update_draft(suggestion=suggestion, actor=request.auth, **fields)
    return state_of(suggestion)


@router.post("/suggestions/{code}/cosigners", response={200: StateOut}, summary="邀请同站代表附议")
@idempotent
def invite_cosigners(request, code: str, payload: InviteIn, key: str = idempotency_key()):
    suggestion = _suggestion(request, code, "invite_cosigners")
    deputies = _picked(
        cosignature.invitable_deputies(suggestion), payload.deputies, "deputies", "只能邀请同站的进站代表附议"
    )
    services.invite_cosigners(suggestion=suggestion, actor=request.auth, deputies=deputies, deadline=payload.deadline)
    return state_of(suggestion)


@router.post("/suggestions/{code}/cosign", response={200: StateOut}, summary="受邀代表同意或谢绝附议")
@idempotent
def respond_cosign(request, code: str, payload: CosignIn, key: str = idempotency_key()):
    suggestion = access_suggestion(request.auth, code)
    services.respond_cosign(
        suggestion=suggestion, actor=request.auth, accept=payload.accept
    )  # asks the invitation first
    return state_of(suggestion)


@router.post("/suggestions/{code}/submit", response={200: StateOut}, summary="提交建议（未确认的附议邀请失效）")
@idempotent
def submit_suggestion(request, code: str, key: str = idempotency_key()):
    suggestion = _suggestion(request, code, "submit")
    services.submit_suggestion(suggestion=suggestion, actor=request.auth)
    return state_of(suggestion)


@router.post("/suggestions/{code}/withdraw", response={200: StateOut}, summary="领衔代表撤回建议（立案前）")
@idempotent
def withdraw_suggestion(request, code: str, payload: NoteIn, key: str = idempotency_key()):
    suggestion = _suggestion(request, code, "withdraw")
    services.withdraw_suggestion(suggestion=suggestion, actor=request.auth, reason=payload.note)
    return state_of(suggestion)


# --- 交 review and assignment --------------------------------------------------------------------------------


@router.post("/suggestions/{code}/accept", response={200: StateOut}, summary="审查：立案（编案号）")
@idempotent
def accept_suggestion(request, code: str, payload: NoteIn, key: str = idempotency_key()):
    suggestion = _suggestion(request, code, "accept")
    services.accept_suggestion(suggestion=suggestion, actor=request.auth, note=payload.note)
    return state_of(suggestion)


@router.post("/suggestions/{code}/merge", response={200: StateOut}, summary="审查：并入同一机关已立案的建议")
@idempotent
def merge_suggestion(request, code: str, payload: MergeIn, key: str = idempotency_key()):
    suggestion = _suggestion(request, code, "merge")
    into = (
        suggestions_visible_to(request.auth)
        .select_related("body")
        .filter(Q(code=payload.into.strip().upper()) | Q(case_number=payload.into.strip()))
        .first()
    )
    if into is None:
        raise DomainError("未找到要并入的建议", field="into")
    services.merge_suggestion(suggestion=suggestion, actor=request.auth, into=into, reason=payload.reason)
    return state_of(suggestion)


@router.post("/suggestions/{code}/reject", response={200: StateOut}, summary="审查：不予立案（理由告知代表）")
@idempotent
def reject_suggestion(request, code: str, payload: ReasonIn, key: str = idempotency_key()):
    suggestion = _suggestion(request, code, "reject")
    services.reject_suggestion(suggestion=suggestion, actor=request.auth, reason=payload.reason)
    return state_of(suggestion)


@router.post("/suggestions/{code}/assign", response={200: AssignedOut}, summary="交办：主办单位（可加协办），或分办")
@idempotent
def assign_suggestion(request, code: str, payload: AssignIn, key: str = idempotency_key()):
    suggestion = _suggestion(request, code, "assign")
    units = units_assignable_for(suggestion)  # the form's choices: active units of the body's region

    def pick(codes, field):
        return _picked(units, codes, field, "请选择本机关辖区内的承办单位", once=False)

    lead = pick([payload.lead], "lead")[0] if payload.lead else None
    split = list(zip(pick([p.unit for p in payload.split], "split"), [p.part for p in payload.split], strict=False))
    rows = services.assign_suggestion(
        suggestion=suggestion, actor=request.auth, lead=lead, co=pick(payload.co, "co"), split=split, note=payload.note
    )
    out = [{"code": a.code, "unit": a.unit.code, "role": a.role, "due_date": a.due_date.isoformat()} for a in rows]
    return {**state_of(suggestion), "assignments": out}


# --- 评 evaluation, closing ----------------------------------------------------------------------------------


@router.post("/suggestions/{code}/evaluation", response={200: StateOut}, summary="测评答复（不满意的转重新办理一次）")
@idempotent
def evaluate_answer(request, code: str, payload: EvaluationIn, key: str = idempotency_key()):
    suggestion = access_suggestion(request.auth, code)
    source, deputy = EvaluationSource.ONLINE, None
    if payload.deputy:  # staff enter a deputy's returned paper form
        source = EvaluationSource.PAPER
        evaluation_lifecycle.require_paper_entry(request.auth, suggestion)
        deputy = Deputy.objects.filter(code=payload.deputy).first()
        if deputy is None:
            raise DomainError("请选择本建议的领衔代表或附议代表", field="deputy")
    else:
        evaluation_lifecycle.require_signing_deputy(request.auth, suggestion)
    services.evaluate_answer(
        suggestion=suggestion,
        actor=request.auth,
        process=payload.process,
        result=payload.result,
        comment=payload.comment,
        deputy=deputy,
        source=source,
    )
    return state_of(suggestion)


@router.post("/suggestions/{code}/close", response={200: StateOut}, summary="办结（测评完成，或测评回执期已满）")
@idempotent
def close_suggestion(request, code: str, payload: NoteIn, key: str = idempotency_key()):
    suggestion = _suggestion(request, code, "close")
    services.close_suggestion(suggestion=suggestion, actor=request.auth, note=payload.note)
    return state_of(suggestion)


# --- 督 supervision --------------------------------------------------------------------------------------------


@router.post(
    "/suggestions/{code}/supervision-notes", response={201: StateOut}, summary="督办意见（人大机关工作人员、领导）"
)
@idempotent
def add_supervision_note(request, code: str, payload: SupervisionNoteIn, key: str = idempotency_key()):
    suggestion = _suggestion(request, code, "supervision_note")
    services.add_supervision_note(suggestion=suggestion, actor=request.auth, text=payload.text)
    return Status(201, state_of(suggestion))


@router.post("/suggestions/{code}/key-supervision", response={200: StateOut}, summary="列为或取消重点督办")
@idempotent
def set_key_supervision(request, code: str, payload: KeySupervisionIn, key: str = idempotency_key()):
    suggestion = _suggestion(request, code, "key_supervision")
    leader = None
    if payload.leader:  # the form's choices: leaders of the body's region or above
        leader = leaders_for(suggestion).filter(username=payload.leader).first()
        if leader is None:
            raise DomainError("请选择本地区的领导作为督办领导", field="leader")
    services.set_key_supervision(
        suggestion=suggestion, actor=request.auth, key=payload.key, leader=leader, note=payload.note
    )
    return state_of(suggestion)
