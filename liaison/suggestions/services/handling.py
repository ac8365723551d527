"""办 handling: units sign, return, consult the deputies, post progress, ask for more time and answer."""

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from liaison.events.services import transition
from liaison.lib.codes import new_code
from liaison.lib.errors import DomainError, TransitionError
from liaison.lib.uploads import clean_attachment, detect_kind
from liaison.lib.workdays import WorkCalendar
from liaison.opinions.services.telling import tell_residents_of
from liaison.org.models import User

from ..lifecycles import assignment as assignment_lifecycle
from ..lifecycles import extension as extension_lifecycle
from ..lifecycles.cosignature import signing_deputy_ids
from ..models import (
    Answer,
    Assignment,
    CoHandlerOpinion,
    Commitment,
    Consultation,
    ExtensionRequest,
    Progress,
    ReplyLetterScan,
    State,
)
from ..paper_models import SCAN_KINDS
from .common import (
    SUBJECT,
    deputy_users,
    due_date_for,
    link,
    lock_suggestion,
    move_assignment,
    move_suggestion,
    notify_users,
    require,
    staff_users,
    suggestion_event,
    today,
    unit_users,
)


@transaction.atomic
def sign_assignment(*, assignment: Assignment, actor: User) -> Assignment:
    assignment_lifecycle.require(actor, "sign", assignment)
    # Lock the suggestion first, like every other step, so its events are appended in one order.
    suggestion = lock_suggestion(assignment.suggestion)
    move_assignment(
        assignment, Assignment.State.SIGNED, action="signed", actor=actor, updates={"signed_at": timezone.now()}
    )
    if assignment.answers_suggestion and suggestion.state == State.ASSIGNED:
        move_suggestion(
            suggestion, State.HANDLING, action="handling", actor=actor, note=f"{assignment.unit.name}签收，开始办理"
        )
    return assignment


@transaction.atomic
def return_assignment(*, assignment: Assignment, actor: User, reason: str) -> Assignment:
    assignment_lifecycle.require(actor, "return", assignment)
    require(bool(reason.strip()), "退回须说明理由")
    suggestion = lock_suggestion(assignment.suggestion)
    calendar = WorkCalendar.load()
    limit = suggestion.body.return_working_days
    if Assignment.State.RETURNED in assignment_lifecycle.TRANSITIONS[assignment.state]:
        require(
            calendar.working_days_between(assignment.assigned_on, today()) <= limit,
            f"已超过退回时限（交办后 {limit} 个工作日内）",
        )
    move_assignment(
        assignment,
        Assignment.State.RETURNED,
        action="returned",
        actor=actor,
        note=reason,
        updates={"returned_on": today(), "return_reason": reason},
    )
    if assignment.answers_suggestion and suggestion.state in (State.ASSIGNED, State.HANDLING):
        move_suggestion(
            suggestion,
            State.RETURNED,
            action="suggestion_returned",
            actor=actor,
            note=f"{assignment.unit.name}退回：{reason}",
        )
    notify_users(
        staff_users(suggestion.body),
        f"{assignment.unit.name}退回建议《{suggestion.title}》，请重新交办",
        body=reason,
        link=link("suggestions:detail", suggestion.code),
        key=f"sugg:returned:{assignment.code}",
    )
    return assignment


def _require_working(assignment: Assignment):
    if assignment.state not in assignment_lifecycle.WORKING:
        raise TransitionError(f"当前状态“{assignment.get_state_display()}”不允许此操作，请先签收")


@transaction.atomic
def record_consultation(*, assignment: Assignment, actor: User, kind: str, held_on: dt.date, notes: str):
    assignment_lifecycle.require(actor, "consult", assignment)
    _require_working(assignment)
    require(kind in Consultation.Kind.values, "请选择面商方式")
    require(held_on <= today(), "面商日期不能晚于今天")
    item = Consultation.objects.create(assignment=assignment, kind=kind, held_on=held_on, notes=notes, created_by=actor)
    suggestion_event(
        assignment.suggestion,
        "consulted",
        actor=actor,
        note=f"{assignment.unit.name}与代表面商（{item.get_kind_display()}，{held_on:%Y-%m-%d}）：{notes}",
    )
    return item


@transaction.atomic
def post_progress(*, assignment: Assignment, actor: User, text: str) -> Progress:
    assignment_lifecycle.require(actor, "progress", assignment)
    _require_working(assignment)
    require(bool(text.strip()), "请填写办理进展")
    item = Progress.objects.create(assignment=assignment, text=text.strip(), created_by=actor)
    suggestion_event(assignment.suggestion, "progress", actor=actor, note=f"{assignment.unit.name}：{text.strip()}")
    return item


@transaction.atomic
def send_cohandler_opinion(*, assignment: Assignment, actor: User, text: str) -> CoHandlerOpinion:
    assignment_lifecycle.require(actor, "cohandler_opinion", assignment)
    require(assignment.role == Assignment.Role.CO, "只有协办单位提交协办意见")
    require(bool(text.strip()), "请填写协办意见")
    move_assignment(assignment, Assignment.State.ANSWERED, action="cohandler_opinion", actor=actor, note=text.strip())
    item = CoHandlerOpinion.objects.create(assignment=assignment, text=text.strip(), created_by=actor)
    lead = (
        assignment.suggestion.assignments.filter(role=Assignment.Role.LEAD)
        .exclude(state=Assignment.State.RETURNED)
        .first()
    )
    if lead:
        notify_users(
            unit_users(lead.unit_id),
            f"{assignment.unit.name}已提交建议《{assignment.suggestion.title}》的协办意见",
            link=link("suggestions:assignment", lead.code),
            key=f"sugg:coopinion:{assignment.code}",
        )
    return item


@transaction.atomic
def request_extension(*, assignment: Assignment, actor: User, months: int, reason: str) -> ExtensionRequest:
    assignment_lifecycle.require(actor, "request_extension", assignment)
    require(assignment.answers_suggestion, "协办单位无需申请延期")
    _require_working(assignment)
    require(months >= 1, "延期至少 1 个月")
    require(bool(reason.strip()), "请说明延期理由")
    body = assignment.suggestion.body
    allowed = body.max_total_months - body.answer_months - assignment.extension_months
    require(
        months <= allowed, f"延期后总时限不得超过 {body.max_total_months} 个月（最多还可延期 {max(allowed, 0)} 个月）"
    )
    require(
        not assignment.extension_requests.filter(state__in=extension_lifecycle.PENDING).exists(), "已有待审批的延期申请"
    )
    item = ExtensionRequest.objects.create(
        assignment=assignment, months=months, reason=reason.strip(), requested_by=actor
    )
    suggestion_event(
        assignment.suggestion,
        "extension_requested",
        actor=actor,
        note=f"{assignment.unit.name}申请延期 {months} 个月：{reason}",
    )
    notify_users(
        staff_users(body),
        f"{assignment.unit.name}申请延期办理《{assignment.suggestion.title}》",
        link=link("suggestions:detail", assignment.suggestion.code),
        key=f"sugg:extension:{item.pk}",
    )
    return item


@transaction.atomic
def decide_extension(*, request: ExtensionRequest, actor: User, approve: bool, note: str = "") -> ExtensionRequest:
    assignment = request.assignment
    suggestion = lock_suggestion(assignment.suggestion)
    extension_lifecycle.require_decider(actor, request)
    to = ExtensionRequest.State.APPROVED if approve else ExtensionRequest.State.REJECTED
    updates = {"decided_by": actor, "decided_at": timezone.now(), "decision_note": note}
    if approve:
        body = suggestion.body
        allowed = body.max_total_months - body.answer_months - assignment.extension_months
        require(request.months <= allowed, f"延期后总时限不得超过 {body.max_total_months} 个月")
    transition(
        request,
        table=extension_lifecycle.TRANSITIONS,
        to=to,
        action="extension_" + to,
        actor=actor,
        subject_type=SUBJECT,
        subject_id=suggestion.code,
        note=f"{'批准' if approve else '不批准'}{assignment.unit.name}延期 {request.months} 个月"
        + (f"：{note}" if note else ""),
        updates=updates,
        data={"assignment": assignment.code},
    )
    if approve:
        assignment.refresh_from_db()
        assignment.extension_months += request.months
        assignment.due_date = due_date_for(WorkCalendar.load(), assignment, suggestion.body)
        Assignment.objects.filter(pk=assignment.pk).update(
            extension_months=assignment.extension_months, due_date=assignment.due_date, flag=Assignment.Flag.GREEN
        )
    notify_users(
        unit_users(assignment.unit_id),
        f"延期申请{'已批准' if approve else '未批准'}：《{suggestion.title}》",
        link=link("suggestions:assignment", assignment.code),
        key=f"sugg:extension-decided:{request.pk}",
    )
    return request


def parse_commitments(text: str) -> list[tuple[dt.date, str]]:
    """Lines "YYYY-MM-DD 承诺事项" → [(date, text)]."""
    items = []
    for n, line in enumerate((text or "").splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        head, _, rest = line.partition(" ")
        try:
            day = dt.date.fromisoformat(head.strip())
        except ValueError:
            raise DomainError(f"第 {n} 行承诺格式应为“YYYY-MM-DD 承诺事项”", field="commitments")
        require(bool(rest.strip()), f"第 {n} 行缺少承诺事项")
        items.append((day, rest.strip()))
    return items


@transaction.atomic
def answer_assignment(
    *,
    assignment: Assignment,
    actor: User,
    answer_class: str,
    text: str,
    signer: str,
    commitments: Sequence[tuple[dt.date, str]] = (),
    attachment=None,
) -> Answer:
    """The lead (or split) unit answers. B/C answers need dated commitments, which become milestones."""
    assignment_lifecycle.require(actor, "answer", assignment)
    require(assignment.answers_suggestion, "协办单位请提交协办意见，由主办单位答复")
    suggestion = lock_suggestion(assignment.suggestion)
    body = suggestion.body
    answer_class = (answer_class or "").upper()
    require(answer_class in body.answer_classes, f"答复类别只能是 {'、'.join(body.answer_classes)} 类")
    require(bool(text.strip()) and bool(signer.strip()), "请填写答复内容和签发人")
    commitments = list(commitments)
    if answer_class in ("B", "C"):
        require(bool(commitments), "B、C 类答复须写明承诺事项及完成时间")
        require(all(day > today() for day, _ in commitments), "承诺完成日期应晚于今天")
    attachment = clean_attachment(attachment) if attachment else ""
    if suggestion.state == State.FOLLOW_UP and assignment.state == Assignment.State.CLOSED:
        move_assignment(assignment, Assignment.State.SIGNED, action="follow_up_reopened", actor=actor)
    move_assignment(
        assignment, Assignment.State.ANSWERED, action="unit_answered", actor=actor, note=f"{answer_class} 类答复"
    )
    now = timezone.now()
    item = Answer.objects.create(
        assignment=assignment,
        suggestion=suggestion,
        round=suggestion.round,
        answer_class=answer_class,
        text=text.strip(),
        signer=signer.strip(),
        attachment=attachment,
        on_time=today() <= assignment.due_date,
        created_by=actor,
        created_at=now,
    )
    Commitment.objects.bulk_create(
        [
            Commitment(code=new_code("C", 8), answer=item, suggestion=suggestion, due_date=d, text=t)
            for d, t in commitments
        ]
    )
    pending = suggestion.assignments.filter(role__in=assignment_lifecycle.ANSWERING_ROLES).exclude(
        state__in=assignment_lifecycle.DONE_ANSWERING
    )
    if not pending.exists():
        label = Answer.CLASS_LABELS.get(answer_class, answer_class)
        move_suggestion(
            suggestion,
            State.ANSWERED,
            action="answered",
            actor=actor,
            note=f"答复：{label}",
            updates={"answered_at": now},
        )
        notify_users(
            deputy_users(signing_deputy_ids(suggestion)),
            f"建议《{suggestion.title}》已答复，请测评",
            link=link("suggestions:evaluate", suggestion.code),
            key=f"sugg:answered:{suggestion.code}:{suggestion.round}:{item.pk}",
        )
        tell_residents_of(suggestion, "suggestion_answered", occurrence=f"{suggestion.round}:{item.pk}")
    return item


@transaction.atomic
def upload_reply_scan(*, answer: Answer, actor: User, scan) -> ReplyLetterScan:
    """The answering unit uploads the signed, sealed scan of the answer's 答复函 (PDF or JPG); a new upload
    replaces the previous one."""
    assignment = answer.assignment
    assignment_lifecycle.require(actor, "reply_scan", assignment)
    require(assignment.answers_suggestion, "协办单位没有答复函")
    require(scan is not None, "请选择盖章答复函的扫描件")
    scan = clean_attachment(scan)
    require(detect_kind(scan) in SCAN_KINDS, "答复函扫描件只能是 PDF 或 JPG 文件")
    suggestion = lock_suggestion(assignment.suggestion)
    previous = ReplyLetterScan.objects.filter(answer=answer).first()
    now = timezone.now()
    if previous is None:
        item = ReplyLetterScan.objects.create(answer=answer, file=scan, uploaded_by=actor, uploaded_at=now)
    else:
        old = previous.file
        previous.file, previous.uploaded_by, previous.uploaded_at = scan, actor, now
        previous.save()
        transaction.on_commit(lambda: old.storage.delete(old.name))
        item = previous
    suggestion_event(
        suggestion,
        "reply_scan",
        actor=actor,
        note=f"{assignment.unit.name}{'更换' if previous else '上传'}第 {answer.round} 轮答复函盖章扫描件",
        data={"assignment": assignment.code, "answer": answer.pk},
    )
    return item
