"""The suggestion loop's writes in the API, on one assignment (交办): the unit's handling (办) — signing, returning,
progress, consultations, the co-handler's opinion, extension requests, the answer, commitments kept — and the
receiving body's steps on it: reassigning a returned assignment, deciding an extension, reminding the unit.

The same pattern as suggestion_writes.py: idempotent on the Idempotency-Key header; the assignment from
access_assignment (out of scope or unknown: 404), then the lifecycle's `require` before the body's choices (403),
then the service (409 wrong state, 422 invalid input). A commitment is named under its assignment (404 when it is
not that assignment's). An extension is decided on its assignment: a unit has at most one request waiting.
Attachments (the answer's, the sealed reply-letter scan) are uploaded on the pages for now.
"""

import datetime as dt
from typing import Literal

from django.http import Http404
from ninja import Field, Schema, Status

from liaison.lib.errors import DomainError, TransitionError
from liaison.suggestions import services
from liaison.suggestions.lifecycles import assignment as lifecycle
from liaison.suggestions.lifecycles import extension as extension_lifecycle
from liaison.suggestions.lifecycles import suggestion as suggestion_lifecycle
from liaison.suggestions.models import Assignment, Consultation
from liaison.suggestions.selectors import access_assignment, units_assignable_for

from .idempotency import idempotency_key, idempotent
from .suggestion_writes import Code, NoteIn, ReasonIn, Text
from .suggestions import router

ConsultationKind = Literal[tuple(Consultation.Kind.values)]


class AssignmentOut(Schema):
    code: str
    state: str
    state_label: str
    suggestion: str = Field(..., description="建议编号")
    suggestion_state: str


class TextIn(Schema):
    text: Text(5000, required=True)


class ConsultationIn(Schema):
    kind: ConsultationKind = Field(..., description="面商方式")
    held_on: dt.date = Field(..., description="面商日期")
    notes: Text(5000, required=True, description="面商情况")


class ExtensionIn(Schema):
    months: int = Field(..., ge=1, le=12, description="申请延期（月）")
    reason: Text(2000, required=True)


class ExtensionDecisionIn(Schema):
    approve: bool = Field(..., description="true 批准，false 不批准")
    note: Text(500)


class CommitmentIn(Schema):
    due_date: dt.date = Field(..., description="承诺完成日期")
    text: Text(300, required=True, description="承诺事项")


class AnswerIn(Schema):
    answer_class: Text(1, required=True, description="答复类别（A、B、C、D，以受理机关的设置为准）")
    text: Text(10000, required=True, description="答复内容")
    signer: Text(50, required=True, description="签发人")
    commitments: list[CommitmentIn] = Field(
        default_factory=list, max_length=20, description="承诺事项及完成时间（B、C 类必填）"
    )


class CommitmentOut(Schema):
    code: str
    due_date: dt.date
    text: str


class AnsweredOut(AssignmentOut):
    commitments: list[CommitmentOut]


class ReassignIn(Schema):
    unit: Code = Field(..., description="重新交办给的承办单位编号")
    note: Text(2000)


class ReassignedOut(AssignmentOut):
    replacement: str = Field(..., description="新交办事项的编号")


# --- resolving what the request names ---------------------------------------------------------------------


def _assignment(request, code: str, action: str) -> Assignment:
    assignment = access_assignment(request.auth, code)
    lifecycle.require(request.auth, action, assignment)
    return assignment


def _state(assignment: Assignment) -> dict:
    assignment.refresh_from_db(fields=["state"])
    suggestion = assignment.suggestion
    suggestion.refresh_from_db(fields=["state"])
    return {
        "code": assignment.code,
        "state": assignment.state,
        "state_label": assignment.get_state_display(),
        "suggestion": suggestion.code,
        "suggestion_state": suggestion.state,
    }


# --- 办 the unit's handling ----------------------------------------------------------------------------------


@router.post("/assignments/{code}/sign", response={200: AssignmentOut}, summary="承办单位签收")
@idempotent
def sign_assignment(request, code: str, key: str = idempotency_key()):
    assignment = _assignment(request, code, "sign")
    services.sign_assignment(assignment=assignment, actor=request.auth)
    return _state(assignment)


@router.post(
    "/assignments/{code}/return", response={200: AssignmentOut}, summary="退回（交办后规定工作日内，说明理由）"
)
@idempotent
def return_assignment(request, code: str, payload: ReasonIn, key: str = idempotency_key()):
    assignment = _assignment(request, code, "return")
    services.return_assignment(assignment=assignment, actor=request.auth, reason=payload.reason)
    return _state(assignment)


@router.post("/assignments/{code}/progress", response={201: AssignmentOut}, summary="登记办理进展")
@idempotent
def post_progress(request, code: str, payload: TextIn, key: str = idempotency_key()):
    assignment = _assignment(request, code, "progress")
    services.post_progress(assignment=assignment, actor=request.auth, text=payload.text)
    return Status(201, _state(assignment))


@router.post("/assignments/{code}/consultations", response={201: AssignmentOut}, summary="登记与代表面商")
@idempotent
def record_consultation(request, code: str, payload: ConsultationIn, key: str = idempotency_key()):
    assignment = _assignment(request, code, "consult")
    services.record_consultation(
        assignment=assignment, actor=request.auth, kind=payload.kind, held_on=payload.held_on, notes=payload.notes
    )
    return Status(201, _state(assignment))


@router.post("/assignments/{code}/cohandler-opinion", response={200: AssignmentOut}, summary="协办单位提交协办意见")
@idempotent
def send_cohandler_opinion(request, code: str, payload: TextIn, key: str = idempotency_key()):
    assignment = _assignment(request, code, "cohandler_opinion")
    services.send_cohandler_opinion(assignment=assignment, actor=request.auth, text=payload.text)
    return _state(assignment)


@router.post("/assignments/{code}/extension", response={201: AssignmentOut}, summary="申请延期答复")
@idempotent
def request_extension(request, code: str, payload: ExtensionIn, key: str = idempotency_key()):
    assignment = _assignment(request, code, "request_extension")
    services.request_extension(assignment=assignment, actor=request.auth, months=payload.months, reason=payload.reason)
    return Status(201, _state(assignment))


@router.post(
    "/assignments/{code}/answer",
    response={200: AnsweredOut},
    summary="答复（主办、分办单位；B、C 类写明承诺事项，逐项跟踪兑现）",
)
@idempotent
def answer_assignment(request, code: str, payload: AnswerIn, key: str = idempotency_key()):
    assignment = _assignment(request, code, "answer")
    answer = services.answer_assignment(
        assignment=assignment,
        actor=request.auth,
        answer_class=payload.answer_class,
        text=payload.text,
        signer=payload.signer,
        commitments=[(c.due_date, c.text) for c in payload.commitments],
    )
    made = [{"code": c.code, "due_date": c.due_date.isoformat(), "text": c.text} for c in answer.commitments.all()]
    return {**_state(assignment), "commitments": made}


@router.post(
    "/assignments/{code}/commitments/{commitment}/fulfil", response={200: AssignmentOut}, summary="登记承诺兑现情况"
)
@idempotent
def fulfil_commitment(request, code: str, commitment: str, payload: NoteIn, key: str = idempotency_key()):
    assignment = access_assignment(request.auth, code)
    item = (
        assignment.suggestion.commitments.select_related("answer__assignment", "suggestion")
        .filter(code=commitment, answer__assignment=assignment)
        .first()
    )
    if item is None:
        raise Http404("承诺事项不存在")
    services.fulfil_commitment(commitment=item, actor=request.auth, note=payload.note)  # asks the unit first
    return _state(assignment)


# --- the receiving body's steps on an assignment --------------------------------------------------------------


@router.post(
    "/assignments/{code}/reassign", response={200: ReassignedOut}, summary="重新交办已退回的事项（停表期间不计时）"
)
@idempotent
def reassign_assignment(request, code: str, payload: ReassignIn, key: str = idempotency_key()):
    assignment = _assignment(request, code, "reassign")
    unit = units_assignable_for(assignment.suggestion).filter(code=payload.unit).first()  # the form's choices
    if unit is None:
        raise DomainError("请选择本机关辖区内的承办单位", field="unit")
    row = services.reassign_assignment(assignment=assignment, actor=request.auth, unit=unit, note=payload.note)
    return {**_state(assignment), "replacement": row.code}


@router.post("/assignments/{code}/extension/decision", response={200: AssignmentOut}, summary="审批待审批的延期申请")
@idempotent
def decide_extension(request, code: str, payload: ExtensionDecisionIn, key: str = idempotency_key()):
    assignment = access_assignment(request.auth, code)
    suggestion_lifecycle.require(request.auth, "decide_extension", assignment.suggestion)
    pending = (
        assignment.extension_requests.filter(state__in=extension_lifecycle.PENDING)
        .select_related("assignment__unit", "assignment__suggestion")
        .first()
    )
    if pending is None:
        raise TransitionError("该交办事项没有待审批的延期申请")
    services.decide_extension(request=pending, actor=request.auth, approve=payload.approve, note=payload.note)
    return _state(assignment)


@router.post("/assignments/{code}/remind", response={201: AssignmentOut}, summary="人工催办（人大机关工作人员、领导）")
@idempotent
def remind_unit(request, code: str, payload: NoteIn, key: str = idempotency_key()):
    assignment = _assignment(request, code, "remind")
    services.remind_unit(assignment=assignment, actor=request.auth, note=payload.note)
    return Status(201, _state(assignment))
