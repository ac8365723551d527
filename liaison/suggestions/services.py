"""Every write of the suggestion loop. Keyword-only arguments, an explicit actor, one transaction, one event
per state change (`transition()`), DomainError/TransitionError with a Chinese message on refusal.

Events of a suggestion and of its assignments share the subject ("suggestion", code).
"""

import datetime as dt
from collections.abc import Iterable, Sequence

from django.db import transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone

from liaison.events.services import record_event, transition
from liaison.lib.codes import new_code
from liaison.lib.errors import DomainError, TransitionError
from liaison.lib.workdays import WorkCalendar
from liaison.notify.services import queue_notification
from liaison.org.models import Body, Deputy, HandlingUnit, Level, Membership, Role, User
from liaison.org.selectors import body_for_level, scope_of

from .models import (
    TRANSITIONS,
    Answer,
    Assignment,
    CoHandlerOpinion,
    Commitment,
    Consultation,
    CoSigner,
    Evaluation,
    ExtensionRequest,
    Progress,
    Reminder,
    State,
    Suggestion,
    SuggestionSource,
    SupervisionNote,
)
from .selectors import can_manage, can_supervise, is_lead_deputy, is_unit_of, signing_deputy_ids

SUBJECT = "suggestion"


def today() -> dt.date:
    return timezone.localdate()


def _move(suggestion: Suggestion, to: str, *, action: str, actor, note: str = "", updates=None, data=None):
    return transition(
        suggestion,
        table=TRANSITIONS,
        to=to,
        action=action,
        actor=actor,
        subject_type=SUBJECT,
        subject_id=suggestion.code,
        note=note,
        updates=updates,
        data=data,
    )


def _move_assignment(assignment: Assignment, to: str, *, action: str, actor, note: str = "", updates=None):
    return transition(
        assignment,
        table=Assignment.TRANSITIONS,
        to=to,
        action=action,
        actor=actor,
        subject_type=SUBJECT,
        subject_id=assignment.suggestion.code,
        note=note,
        updates=updates,
        data={"assignment": assignment.code, "unit": assignment.unit.name, "role": assignment.role},
    )


def _event(suggestion: Suggestion, action: str, *, actor, note: str = "", data=None):
    return record_event(
        subject_type=SUBJECT,
        subject_id=suggestion.code,
        action=action,
        actor=actor,
        note=note,
        data=data,
        from_state=suggestion.state,
        to_state=suggestion.state,
    )


def _link(name: str, *args) -> str:
    return reverse(name, args=args)


def _notify_users(users: Iterable[User], subject: str, *, link: str = "", body: str = "", key: str | None = None):
    for user in users:
        queue_notification(
            recipient=user, subject=subject, body=body, link=link, key=f"{key}:{user.pk}" if key else None
        )


def _deputy_users(deputy_ids: Sequence[int]) -> list[User]:
    return [d.user for d in Deputy.objects.filter(pk__in=deputy_ids, user__isnull=False).select_related("user")]


def _unit_users(unit_id: int) -> list[User]:
    return list(User.objects.filter(memberships__role=Role.UNIT, memberships__unit_id=unit_id, is_active=True))


def _staff_users(body: Body) -> list[User]:
    return list(
        User.objects.filter(memberships__role=Role.STAFF, memberships__region_id=body.region_id, is_active=True)
    )


def _require(condition: bool, message: str):
    if not condition:
        raise DomainError(message)


def _require_staff(actor, suggestion):
    _require(can_manage(actor, suggestion), "只有受理该建议的人大机关工作人员可以进行此操作")


def _require_lead(actor, suggestion):
    _require(is_lead_deputy(actor, suggestion), "只有领衔代表可以进行此操作")


def _require_unit(actor, assignment):
    _require(is_unit_of(actor, assignment), "只有承办单位可以进行此操作")


def _lock(suggestion: Suggestion) -> Suggestion:
    """Re-read the suggestion's row under a lock (serialises work on one suggestion's assignments)."""
    fresh = Suggestion.objects.select_for_update().select_related("body", "body__region").get(pk=suggestion.pk)
    return fresh


# --- 提 drafting ---------------------------------------------------------------------------------------------


def body_for_deputy(deputy: Deputy, level: str) -> Body:
    mandate = deputy.mandates.filter(level=level).select_related("region").first()
    if mandate is None:
        raise DomainError("您没有该层级的代表职务")
    body = body_for_level(level, deputy.home_region)
    if body is None:
        raise DomainError("未找到受理该层级代表建议的人大机关，请联系管理员")
    return body


def default_level(deputy: Deputy) -> str:
    levels = set(deputy.mandates.values_list("level", flat=True))
    for level in (Level.COUNTY, Level.TOWNSHIP, Level.CITY, Level.PROVINCIAL, Level.NATIONAL):
        if level in levels:
            return level
    raise DomainError("该代表没有代表职务，不能提出建议")


@transaction.atomic
def create_draft(
    *,
    actor: User,
    deputy: Deputy,
    title: str,
    cause: str,
    proposals: str,
    category,
    reasons: str = "",
    level: str | None = None,
    publishable: bool = True,
    confidential: bool = False,
    opinions: Sequence = (),
    attachment=None,
) -> Suggestion:
    scope = scope_of(actor)
    _require(scope.everything or scope.deputy_id == deputy.pk, "只有代表本人可以起草建议")
    _require(bool(title.strip()) and bool(cause.strip()) and bool(proposals.strip()), "请填写标题、案由和具体建议")
    level = level or default_level(deputy)
    body = body_for_deputy(deputy, level)
    opinions = list(opinions)
    for opinion in opinions:
        _require(
            opinion.state == "to_suggestion" and opinion.drafting_deputy_id == deputy.pk,
            f"民意“{opinion.title}”不是会商决定由您起草建议的事项",
        )
    station = opinions[0].station if opinions else deputy.stations.order_by("code").first()
    suggestion = Suggestion.objects.create(
        title=title.strip(),
        cause=cause.strip(),
        reasons=reasons.strip(),
        proposals=proposals.strip(),
        category=category,
        lead_deputy=deputy,
        level=level,
        body=body,
        station=station,
        region=station.region if station else deputy.home_region,
        publishable=publishable,
        confidential=confidential,
        attachment=attachment or "",
    )
    record_event(
        subject_type=SUBJECT,
        subject_id=suggestion.code,
        action="created",
        actor=actor,
        to_state=State.DRAFT,
        note=f"起草建议，受理机关：{body.name}",
        data={"opinions": [o.code for o in opinions]},
    )
    if opinions:
        SuggestionSource.objects.bulk_create([SuggestionSource(suggestion=suggestion, opinion=o) for o in opinions])
        from liaison.opinions.services import link_opinions_to_suggestion

        link_opinions_to_suggestion(opinions=opinions, suggestion_code=suggestion.code, actor=actor)
    return suggestion


EDITABLE = ("title", "cause", "reasons", "proposals", "category", "publishable", "confidential")


@transaction.atomic
def update_draft(*, suggestion: Suggestion, actor: User, **fields) -> Suggestion:
    _require_lead(actor, suggestion)
    if suggestion.state not in (State.DRAFT, State.COSIGNING):
        raise TransitionError("建议已提交，不能再修改")
    changed = [k for k in EDITABLE if k in fields and getattr(suggestion, k) != fields[k]]
    for key in changed:
        setattr(suggestion, key, fields[key])
    if changed:
        n = Suggestion.objects.filter(pk=suggestion.pk, state__in=(State.DRAFT, State.COSIGNING)).update(
            **{k: getattr(suggestion, k) for k in changed}
        )
        if n != 1:
            raise TransitionError("建议已提交，不能再修改")
        _event(suggestion, "edited", actor=actor, note="修改草稿：" + "、".join(changed))
    return suggestion


@transaction.atomic
def invite_cosigners(*, suggestion: Suggestion, actor: User, deputies: Sequence[Deputy], deadline: dt.date):
    _require_lead(actor, suggestion)
    deputies = [d for d in deputies if d.pk != suggestion.lead_deputy_id]
    _require(bool(deputies), "请选择要邀请附议的代表")
    _require(deadline >= today(), "附议截止日期不能早于今天")
    if suggestion.state == State.DRAFT:
        _move(suggestion, State.COSIGNING, action="cosign_opened", actor=actor, updates={"cosign_deadline": deadline})
    elif suggestion.state != State.COSIGNING:
        raise TransitionError("建议已提交，不能再邀请附议")
    existing = set(suggestion.cosigners.values_list("deputy_id", flat=True))
    new = [CoSigner(suggestion=suggestion, deputy=d, deadline=deadline) for d in deputies if d.pk not in existing]
    CoSigner.objects.bulk_create(new)
    names = "、".join(c.deputy.name for c in new)
    _event(suggestion, "cosign_invited", actor=actor, note=f"邀请附议：{names}，截止 {deadline:%Y-%m-%d}")
    _notify_users(
        _deputy_users([c.deputy_id for c in new]),
        f"{suggestion.lead_deputy.name}代表邀请您附议建议《{suggestion.title}》",
        link=_link("suggestions:detail", suggestion.code),
        key=f"sugg:cosign:{suggestion.code}",
    )
    return new


@transaction.atomic
def respond_cosign(*, suggestion: Suggestion, actor: User, accept: bool) -> CoSigner:
    scope = scope_of(actor)
    cosigner = (
        CoSigner.objects.filter(suggestion=suggestion, deputy_id=scope.deputy_id).select_related("deputy").first()
    )
    _require(cosigner is not None, "您没有收到该建议的附议邀请")
    if suggestion.state != State.COSIGNING:
        raise TransitionError("该建议已不在征集附议阶段")
    if cosigner.deadline and today() > cosigner.deadline:
        raise DomainError("已超过附议截止日期")
    to = CoSigner.State.CONFIRMED if accept else CoSigner.State.DECLINED
    transition(
        cosigner,
        table=CoSigner.TRANSITIONS,
        to=to,
        action="cosign_confirmed" if accept else "cosign_declined",
        actor=actor,
        subject_type=SUBJECT,
        subject_id=suggestion.code,
        updates={"responded_at": timezone.now()},
        note=f"{cosigner.deputy.name}{'同意附议' if accept else '谢绝附议'}",
    )
    return cosigner


@transaction.atomic
def submit(*, suggestion: Suggestion, actor: User) -> Suggestion:
    _require_lead(actor, suggestion)
    lapsed = suggestion.cosigners.filter(state=CoSigner.State.INVITED)
    n_lapsed = lapsed.update(state=CoSigner.State.EXPIRED)
    n_confirmed = suggestion.cosigners.filter(state=CoSigner.State.CONFIRMED).count()
    note = f"提交建议，附议代表 {n_confirmed} 名" + (f"（{n_lapsed} 名未确认）" if n_lapsed else "")
    _move(
        suggestion,
        State.SUBMITTED,
        action="submitted",
        actor=actor,
        note=note,
        updates={"submitted_at": timezone.now()},
    )
    _notify_users(
        _staff_users(suggestion.body),
        f"收到代表建议《{suggestion.title}》，请审查",
        link=_link("suggestions:detail", suggestion.code),
        key=f"sugg:submitted:{suggestion.code}",
    )
    return suggestion


@transaction.atomic
def withdraw(*, suggestion: Suggestion, actor: User, reason: str = "") -> Suggestion:
    _require_lead(actor, suggestion)
    _move(suggestion, State.WITHDRAWN, action="withdrawn", actor=actor, note=reason or "领衔代表撤回建议")
    _release_opinions(suggestion)
    return suggestion


def _release_opinions(suggestion):
    """Nothing to undo on the opinions side: their lineage stays visible (the suggestion shows its state)."""


# --- 交 review and assignment --------------------------------------------------------------------------------


def format_case_number(body: Body, year: int, seq: int) -> str:
    prefix = body.region.name if body.kind != Body.Kind.TOWNSHIP_PRESIDIUM else body.name.removesuffix("人大主席团")
    return f"{prefix}〔{year}〕第{seq}号"


@transaction.atomic
def accept(*, suggestion: Suggestion, actor: User, note: str = "") -> Suggestion:
    _require_staff(actor, suggestion)
    body = Body.objects.select_for_update().select_related("region").get(pk=suggestion.body_id)
    year = today().year
    seq = (Suggestion.objects.filter(body=body, case_year=year).aggregate(m=Max("case_seq"))["m"] or 0) + 1
    number = format_case_number(body, year, seq)
    _move(
        suggestion,
        State.ACCEPTED,
        action="accepted",
        actor=actor,
        note=f"立案，案号 {number}" + (f"。{note}" if note else ""),
        updates={"case_year": year, "case_seq": seq, "case_number": number, "accepted_at": timezone.now()},
    )
    _notify_users(
        _deputy_users(signing_deputy_ids(suggestion)),
        f"您的建议《{suggestion.title}》已立案（{number}）",
        link=_link("suggestions:detail", suggestion.code),
        key=f"sugg:accepted:{suggestion.code}",
    )
    return suggestion


@transaction.atomic
def merge(*, suggestion: Suggestion, actor: User, into: Suggestion, reason: str = "") -> Suggestion:
    _require_staff(actor, suggestion)
    _require(into.pk != suggestion.pk, "不能并入建议本身")
    _require(into.body_id == suggestion.body_id, "只能并入同一人大机关受理的建议")
    _require(
        into.state
        not in (State.DRAFT, State.COSIGNING, State.SUBMITTED, State.MERGED, State.REJECTED, State.WITHDRAWN),
        "只能并入已立案的建议",
    )
    _move(
        suggestion,
        State.MERGED,
        action="merged",
        actor=actor,
        note=f"并入建议 {into.case_number or into.code}《{into.title}》" + (f"：{reason}" if reason else ""),
        updates={"merged_into": into, "review_note": reason},
    )
    _event(into, "merged_in", actor=actor, note=f"并入建议 {suggestion.code}《{suggestion.title}》")
    for source in suggestion.sources.all():
        SuggestionSource.objects.get_or_create(suggestion=into, opinion_id=source.opinion_id)
    _notify_users(
        _deputy_users(signing_deputy_ids(suggestion)),
        f"您的建议《{suggestion.title}》已并入《{into.title}》办理",
        link=_link("suggestions:detail", suggestion.code),
        key=f"sugg:merged:{suggestion.code}",
    )
    return suggestion


@transaction.atomic
def reject(*, suggestion: Suggestion, actor: User, reason: str) -> Suggestion:
    _require_staff(actor, suggestion)
    _require(bool(reason.strip()), "不予立案须说明理由")
    _move(suggestion, State.REJECTED, action="rejected", actor=actor, note=reason, updates={"review_note": reason})
    _notify_users(
        _deputy_users(signing_deputy_ids(suggestion)),
        f"您的建议《{suggestion.title}》不予立案",
        body=reason,
        link=_link("suggestions:detail", suggestion.code),
        key=f"sugg:rejected:{suggestion.code}",
    )
    return suggestion


def proposed_units(suggestion: Suggestion):
    """Routing proposal: active units in the body's region subtree that usually handle the category."""
    return HandlingUnit.objects.filter(
        is_active=True, region__path__startswith=suggestion.body.region.path, categories=suggestion.category_id
    ).order_by("kind", "code")


def _due(calendar: WorkCalendar, assignment: Assignment, body: Body) -> dt.date:
    if assignment.role == Assignment.Role.CO:
        return calendar.due_date(assignment.start_date, months=1, paused_days=assignment.paused_days)
    months = body.answer_months + assignment.extension_months
    return calendar.due_date(assignment.start_date, months=months, paused_days=assignment.paused_days)


def _check_units(suggestion, units):
    region = suggestion.body.region.path
    for unit in units:
        _require(unit.is_active, f"承办单位“{unit.name}”已停用")
        _require(unit.region.path.startswith(region), f"承办单位“{unit.name}”不在本机关辖区内")


@transaction.atomic
def assign(
    *,
    suggestion: Suggestion,
    actor: User,
    lead: HandlingUnit | None = None,
    co: Sequence[HandlingUnit] = (),
    split: Sequence[tuple[HandlingUnit, str]] = (),
    note: str = "",
) -> list[Assignment]:
    """交办: one lead unit with optional co-handlers, or split handling (each unit answers its part)."""
    _require_staff(actor, suggestion)
    _require((lead is None) != (not split), "请选择一个主办单位，或选择分办")
    units = ([lead] if lead else []) + list(co) + [u for u, _ in split]
    _require(len({u.pk for u in units}) == len(units), "同一单位不能重复交办")
    _check_units(suggestion, units)
    start = today()
    _move(
        suggestion,
        State.ASSIGNED,
        action="assigned",
        actor=actor,
        note=("交办：" + "、".join(u.name for u in units)) + (f"。{note}" if note else ""),
        updates={"assigned_on": start},
    )
    calendar, body = WorkCalendar.load(), suggestion.body
    rows = []
    if lead:
        rows.append(Assignment(unit=lead, role=Assignment.Role.LEAD))
        rows += [Assignment(unit=u, role=Assignment.Role.CO) for u in co]
    else:
        rows += [Assignment(unit=u, role=Assignment.Role.SPLIT, part=part) for u, part in split]
    for row in rows:
        row.suggestion, row.start_date, row.assigned_on, row.created_by = suggestion, start, start, actor
        row.due_date = _due(calendar, row, body)
        row.save()
        _notify_users(
            _unit_users(row.unit_id),
            f"新交办建议《{suggestion.title}》（{row.get_role_display()}），请签收",
            link=_link("suggestions:assignment", row.code),
            key=f"sugg:assigned:{row.code}",
        )
    return rows


@transaction.atomic
def sign(*, assignment: Assignment, actor: User) -> Assignment:
    _require_unit(actor, assignment)
    # Lock the suggestion first, like every other step, so its events are appended in one order.
    suggestion = _lock(assignment.suggestion)
    _move_assignment(assignment, "signed", action="signed", actor=actor, updates={"signed_at": timezone.now()})
    if assignment.answers_suggestion and suggestion.state == State.ASSIGNED:
        _move(suggestion, State.HANDLING, action="handling", actor=actor, note=f"{assignment.unit.name}签收，开始办理")
    return assignment


@transaction.atomic
def return_assignment(*, assignment: Assignment, actor: User, reason: str) -> Assignment:
    _require_unit(actor, assignment)
    _require(bool(reason.strip()), "退回须说明理由")
    suggestion = _lock(assignment.suggestion)
    calendar = WorkCalendar.load()
    limit = suggestion.body.return_working_days
    if assignment.state in Assignment.TRANSITIONS and "returned" in Assignment.TRANSITIONS[assignment.state]:
        _require(
            calendar.working_days_between(assignment.assigned_on, today()) <= limit,
            f"已超过退回时限（交办后 {limit} 个工作日内）",
        )
    _move_assignment(
        assignment,
        "returned",
        action="returned",
        actor=actor,
        note=reason,
        updates={"returned_on": today(), "return_reason": reason},
    )
    if assignment.answers_suggestion and suggestion.state in (State.ASSIGNED, State.HANDLING):
        _move(
            suggestion,
            State.RETURNED,
            action="suggestion_returned",
            actor=actor,
            note=f"{assignment.unit.name}退回：{reason}",
        )
    _notify_users(
        _staff_users(suggestion.body),
        f"{assignment.unit.name}退回建议《{suggestion.title}》，请重新交办",
        body=reason,
        link=_link("suggestions:detail", suggestion.code),
        key=f"sugg:returned:{assignment.code}",
    )
    return assignment


@transaction.atomic
def reassign(*, assignment: Assignment, actor: User, unit: HandlingUnit, note: str = "") -> Assignment:
    """Staff hand a returned assignment to another unit; the clock resumes where it stopped (paused days)."""
    suggestion = _lock(assignment.suggestion)
    _require_staff(actor, suggestion)
    if assignment.state != "returned":
        raise TransitionError("只有已退回的交办可以重新交办")
    if Assignment.objects.filter(replaces=assignment).exists():
        raise TransitionError("该退回事项已重新交办，请刷新页面")
    _check_units(suggestion, [unit])
    _require(not suggestion.assignments.filter(unit=unit).exclude(state="returned").exists(), "该单位已在办理此建议")
    calendar = WorkCalendar.load()
    paused = assignment.paused_days + max(0, calendar.working_days_between(assignment.returned_on, today()))
    row = Assignment(
        suggestion=suggestion,
        unit=unit,
        role=assignment.role,
        part=assignment.part,
        start_date=assignment.start_date,
        assigned_on=today(),
        paused_days=paused,
        extension_months=assignment.extension_months,
        replaces=assignment,
        created_by=actor,
    )
    row.due_date = _due(calendar, row, suggestion.body)
    row.save()
    text = f"重新交办给{unit.name}（{row.get_role_display()}），停表 {paused} 个工作日，期限 {row.due_date:%Y-%m-%d}"
    if (
        suggestion.state == State.RETURNED
        and not suggestion.assignments.filter(state="returned", replaced_by__isnull=True)
        .filter(role__in=("lead", "split"))
        .exists()
    ):
        _move(suggestion, State.ASSIGNED, action="reassigned", actor=actor, note=text + (f"。{note}" if note else ""))
    else:
        _event(suggestion, "reassigned", actor=actor, note=text)
    _notify_users(
        _unit_users(unit.pk),
        f"新交办建议《{suggestion.title}》（{row.get_role_display()}），请签收",
        link=_link("suggestions:assignment", row.code),
        key=f"sugg:assigned:{row.code}",
    )
    return row


# --- 办 handling ---------------------------------------------------------------------------------------------


def _require_working(assignment: Assignment):
    if assignment.state not in ("signed", "rehandling"):
        raise TransitionError(f"当前状态“{assignment.get_state_display()}”不允许此操作，请先签收")


@transaction.atomic
def record_consultation(*, assignment: Assignment, actor: User, kind: str, held_on: dt.date, notes: str):
    _require_unit(actor, assignment)
    _require_working(assignment)
    _require(kind in Consultation.Kind.values, "请选择面商方式")
    _require(held_on <= today(), "面商日期不能晚于今天")
    item = Consultation.objects.create(assignment=assignment, kind=kind, held_on=held_on, notes=notes, created_by=actor)
    _event(
        assignment.suggestion,
        "consulted",
        actor=actor,
        note=f"{assignment.unit.name}与代表面商（{item.get_kind_display()}，{held_on:%Y-%m-%d}）：{notes}",
    )
    return item


@transaction.atomic
def post_progress(*, assignment: Assignment, actor: User, text: str) -> Progress:
    _require_unit(actor, assignment)
    _require_working(assignment)
    _require(bool(text.strip()), "请填写办理进展")
    item = Progress.objects.create(assignment=assignment, text=text.strip(), created_by=actor)
    _event(assignment.suggestion, "progress", actor=actor, note=f"{assignment.unit.name}：{text.strip()}")
    return item


@transaction.atomic
def send_cohandler_opinion(*, assignment: Assignment, actor: User, text: str) -> CoHandlerOpinion:
    _require_unit(actor, assignment)
    _require(assignment.role == Assignment.Role.CO, "只有协办单位提交协办意见")
    _require(bool(text.strip()), "请填写协办意见")
    _move_assignment(assignment, "answered", action="cohandler_opinion", actor=actor, note=text.strip())
    item = CoHandlerOpinion.objects.create(assignment=assignment, text=text.strip(), created_by=actor)
    lead = assignment.suggestion.assignments.filter(role="lead").exclude(state="returned").first()
    if lead:
        _notify_users(
            _unit_users(lead.unit_id),
            f"{assignment.unit.name}已提交建议《{assignment.suggestion.title}》的协办意见",
            link=_link("suggestions:assignment", lead.code),
            key=f"sugg:coopinion:{assignment.code}",
        )
    return item


@transaction.atomic
def request_extension(*, assignment: Assignment, actor: User, months: int, reason: str) -> ExtensionRequest:
    _require_unit(actor, assignment)
    _require(assignment.answers_suggestion, "协办单位无需申请延期")
    _require_working(assignment)
    _require(months >= 1, "延期至少 1 个月")
    _require(bool(reason.strip()), "请说明延期理由")
    body = assignment.suggestion.body
    allowed = body.max_total_months - body.answer_months - assignment.extension_months
    _require(
        months <= allowed, f"延期后总时限不得超过 {body.max_total_months} 个月（最多还可延期 {max(allowed, 0)} 个月）"
    )
    _require(not assignment.extension_requests.filter(state="pending").exists(), "已有待审批的延期申请")
    item = ExtensionRequest.objects.create(
        assignment=assignment, months=months, reason=reason.strip(), requested_by=actor
    )
    _event(
        assignment.suggestion,
        "extension_requested",
        actor=actor,
        note=f"{assignment.unit.name}申请延期 {months} 个月：{reason}",
    )
    _notify_users(
        _staff_users(body),
        f"{assignment.unit.name}申请延期办理《{assignment.suggestion.title}》",
        link=_link("suggestions:detail", assignment.suggestion.code),
        key=f"sugg:extension:{item.pk}",
    )
    return item


@transaction.atomic
def decide_extension(*, request: ExtensionRequest, actor: User, approve: bool, note: str = "") -> ExtensionRequest:
    assignment = request.assignment
    suggestion = _lock(assignment.suggestion)
    _require_staff(actor, suggestion)
    to = "approved" if approve else "rejected"
    updates = {"decided_by": actor, "decided_at": timezone.now(), "decision_note": note}
    if approve:
        body = suggestion.body
        allowed = body.max_total_months - body.answer_months - assignment.extension_months
        _require(request.months <= allowed, f"延期后总时限不得超过 {body.max_total_months} 个月")
    transition(
        request,
        table=ExtensionRequest.TRANSITIONS,
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
        assignment.due_date = _due(WorkCalendar.load(), assignment, suggestion.body)
        Assignment.objects.filter(pk=assignment.pk).update(
            extension_months=assignment.extension_months, due_date=assignment.due_date, flag=Assignment.Flag.GREEN
        )
    _notify_users(
        _unit_users(assignment.unit_id),
        f"延期申请{'已批准' if approve else '未批准'}：《{suggestion.title}》",
        link=_link("suggestions:assignment", assignment.code),
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
        _require(bool(rest.strip()), f"第 {n} 行缺少承诺事项")
        items.append((day, rest.strip()))
    return items


@transaction.atomic
def answer(
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
    _require_unit(actor, assignment)
    _require(assignment.answers_suggestion, "协办单位请提交协办意见，由主办单位答复")
    suggestion = _lock(assignment.suggestion)
    body = suggestion.body
    answer_class = (answer_class or "").upper()
    _require(answer_class in body.answer_classes, f"答复类别只能是 {'、'.join(body.answer_classes)} 类")
    _require(bool(text.strip()) and bool(signer.strip()), "请填写答复内容和签发人")
    commitments = list(commitments)
    if answer_class in ("B", "C"):
        _require(bool(commitments), "B、C 类答复须写明承诺事项及完成时间")
        _require(all(day > today() for day, _ in commitments), "承诺完成日期应晚于今天")
    if suggestion.state == State.FOLLOW_UP and assignment.state == "closed":
        _move_assignment(assignment, "signed", action="follow_up_reopened", actor=actor)
    _move_assignment(assignment, "answered", action="unit_answered", actor=actor, note=f"{answer_class} 类答复")
    now = timezone.now()
    item = Answer.objects.create(
        assignment=assignment,
        suggestion=suggestion,
        round=suggestion.round,
        answer_class=answer_class,
        text=text.strip(),
        signer=signer.strip(),
        attachment=attachment or "",
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
    pending = suggestion.assignments.filter(role__in=("lead", "split")).exclude(
        state__in=("returned", "answered", "closed")
    )
    if not pending.exists():
        label = Answer.CLASS_LABELS.get(answer_class, answer_class)
        _move(
            suggestion,
            State.ANSWERED,
            action="answered",
            actor=actor,
            note=f"答复：{label}",
            updates={"answered_at": now},
        )
        _notify_users(
            _deputy_users(signing_deputy_ids(suggestion)),
            f"建议《{suggestion.title}》已答复，请测评",
            link=_link("suggestions:evaluate", suggestion.code),
            key=f"sugg:answered:{suggestion.code}:{suggestion.round}:{item.pk}",
        )
    return item


# --- 评 evaluation -------------------------------------------------------------------------------------------


@transaction.atomic
def evaluate(*, suggestion: Suggestion, actor: User, process: str, result: str, comment: str = "") -> Evaluation:
    scope = scope_of(actor)
    suggestion = _lock(suggestion)
    signing = signing_deputy_ids(suggestion)
    _require(scope.deputy_id in signing, "只有领衔代表和附议代表可以测评")
    if suggestion.state != State.ANSWERED:
        raise TransitionError(f"当前状态“{suggestion.get_state_display()}”不能测评")
    ratings = Evaluation.Rating.values
    _require(process in ratings and result in ratings, "请选择满意、基本满意或不满意")
    if Evaluation.objects.filter(suggestion=suggestion, deputy_id=scope.deputy_id, round=suggestion.round).exists():
        raise TransitionError("您已测评过本轮答复，不能重复测评")
    item = Evaluation.objects.create(
        suggestion=suggestion,
        deputy_id=scope.deputy_id,
        round=suggestion.round,
        process=process,
        result=result,
        comment=comment.strip(),
    )
    _event(
        suggestion,
        "evaluation",
        actor=actor,
        note=f"测评：办理过程{item.get_process_display()}，办理结果{item.get_result_display()}"
        + (f"。{comment.strip()}" if comment.strip() else ""),
        data={"round": suggestion.round},
    )
    evaluated = set(
        Evaluation.objects.filter(suggestion=suggestion, round=suggestion.round).values_list("deputy_id", flat=True)
    )
    if set(signing) <= evaluated:
        _conclude_round(suggestion, actor)
    return item


def _conclude_round(suggestion: Suggestion, actor: User):
    unsatisfied = Evaluation.objects.filter(
        suggestion=suggestion, round=suggestion.round, result="unsatisfied"
    ).exists()
    body = suggestion.body
    if unsatisfied and suggestion.rehandle_count < 1:
        new_round = suggestion.round + 1
        _move(
            suggestion,
            State.REHANDLING,
            action="rehandling",
            actor=actor,
            note=f"代表测评不满意，交由承办单位重新办理（{body.rehandle_months} 个月内重新答复）",
            updates={"round": new_round, "rehandle_count": F("rehandle_count") + 1},
        )
        suggestion.refresh_from_db(fields=["rehandle_count"])
        calendar = WorkCalendar.load()
        due = calendar.due_date(today(), months=body.rehandle_months)
        for assignment in suggestion.assignments.filter(role__in=("lead", "split"), state="answered").select_related(
            "unit", "suggestion"
        ):
            _move_assignment(
                assignment,
                "rehandling",
                action="rehandle_assigned",
                actor=actor,
                note=f"重新办理，期限 {due:%Y-%m-%d}",
                updates={"due_date": due, "flag": Assignment.Flag.GREEN},
            )
            _notify_users(
                _unit_users(assignment.unit_id),
                f"代表对《{suggestion.title}》的答复不满意，请重新办理",
                link=_link("suggestions:assignment", assignment.code),
                key=f"sugg:rehandle:{assignment.code}:{new_round}",
            )
    else:
        note = "测评完成" + ("（不满意，已重新办理过一次，由工作人员审定办结）" if unsatisfied else "")
        _move(suggestion, State.EVALUATED, action="evaluated", actor=actor, note=note)
        _notify_users(
            _staff_users(body),
            f"建议《{suggestion.title}》测评完成，可办结",
            link=_link("suggestions:detail", suggestion.code),
            key=f"sugg:evaluated:{suggestion.code}:{suggestion.round}",
        )


@transaction.atomic
def close(*, suggestion: Suggestion, actor: User, note: str = "") -> Suggestion:
    """办结: staff close an evaluated suggestion, or an answered one whose evaluation receipt window has passed."""
    suggestion = _lock(suggestion)
    _require_staff(actor, suggestion)
    if suggestion.state == State.ANSWERED:
        limit = suggestion.body.evaluation_working_days
        answered_on = timezone.localdate(suggestion.answered_at) if suggestion.answered_at else today()
        waited = WorkCalendar.load().working_days_between(answered_on, today())
        _require(waited > limit, f"代表测评回执期（{limit} 个工作日）未满，尚不能办结")
    if suggestion.state == State.FOLLOW_UP:
        _require(not suggestion.commitments.filter(state="missed").exists(), "仍有逾期未兑现的承诺，请先跟踪办理")
    _move(
        suggestion,
        State.CLOSED,
        action="closed",
        actor=actor,
        note=note or "办结",
        updates={"closed_at": timezone.now()},
    )
    for assignment in suggestion.assignments.filter(state="answered").select_related("unit", "suggestion"):
        _move_assignment(assignment, "closed", action="assignment_closed", actor=actor)
    _report_outcome(suggestion, actor)
    return suggestion


def _report_outcome(suggestion: Suggestion, actor: User):
    """Tell the residents whose opinions fed the suggestion (their status page shows it; they may rate it)."""
    latest = suggestion.answers.order_by("-round", "-created_at").first()
    if latest is None:
        return
    text = (
        f"您反映的问题已形成代表建议《{suggestion.title}》并办结。承办单位答复（{latest.class_label}）：{latest.text}"[
            :4500
        ]
    )
    opinions = [s.opinion for s in suggestion.sources.select_related("opinion") if s.opinion.state == "in_suggestion"]
    if not opinions:
        return
    from liaison.opinions.services import record_suggestion_outcome

    for opinion in opinions:
        record_suggestion_outcome(opinion=opinion, text=text, actor=actor)


@transaction.atomic
def fulfil_commitment(*, commitment: Commitment, actor: User, note: str) -> Commitment:
    assignment = commitment.answer.assignment
    _require_unit(actor, assignment)
    _require(bool(note.strip()), "请填写兑现情况")
    suggestion = _lock(commitment.suggestion)
    transition(
        commitment,
        table=Commitment.TRANSITIONS,
        to="done",
        action="commitment_done",
        actor=actor,
        subject_type=SUBJECT,
        subject_id=suggestion.code,
        note=f"承诺“{commitment.text}”已兑现：{note.strip()}",
        updates={"done_note": note.strip(), "done_at": timezone.now()},
    )
    if suggestion.state == State.FOLLOW_UP and not suggestion.commitments.filter(state="missed").exists():
        _move(suggestion, State.CLOSED, action="follow_up_closed", actor=actor, note="逾期承诺已兑现，跟踪办理结束")
    return commitment


# --- 督 supervision ------------------------------------------------------------------------------------------


@transaction.atomic
def set_key_supervision(*, suggestion: Suggestion, actor: User, key: bool, leader: User | None = None, note: str = ""):
    _require(can_supervise(actor, suggestion), "只有人大机关工作人员或领导可以设置重点督办")
    _require(not key or leader is not None, "请指定督办领导")
    Suggestion.objects.filter(pk=suggestion.pk).update(key_supervised=key, supervising_leader=leader if key else None)
    suggestion.key_supervised, suggestion.supervising_leader = key, leader if key else None
    _event(
        suggestion,
        "key_supervision" if key else "key_supervision_removed",
        actor=actor,
        note=(f"列为重点督办，督办领导：{leader}" if key else "取消重点督办") + (f"。{note}" if note else ""),
    )
    if key and leader is not None:
        queue_notification(
            recipient=leader,
            subject=f"您被指定为重点督办建议《{suggestion.title}》的督办领导",
            link=_link("suggestions:detail", suggestion.code),
            key=f"sugg:key:{suggestion.code}:{leader.pk}",
        )
    return suggestion


@transaction.atomic
def add_supervision_note(*, suggestion: Suggestion, actor: User, text: str) -> SupervisionNote:
    _require(can_supervise(actor, suggestion), "只有人大机关工作人员或领导可以填写督办意见")
    _require(bool(text.strip()), "请填写督办意见")
    item = SupervisionNote.objects.create(suggestion=suggestion, text=text.strip(), created_by=actor)
    _event(suggestion, "supervision_note", actor=actor, note=text.strip())
    return item


@transaction.atomic
def remind(*, assignment: Assignment, actor: User, note: str = "") -> Reminder:
    """人工催办 by staff or a leader: recorded and sent to the unit's users."""
    suggestion = assignment.suggestion
    _require(can_supervise(actor, suggestion), "只有人大机关工作人员或领导可以催办")
    _require(assignment.is_open, "该交办已不在办理中")
    text = note.strip() or f"请抓紧办理建议《{suggestion.title}》，期限 {assignment.due_date:%Y-%m-%d}"
    item = Reminder.objects.create(
        assignment=assignment, kind=Reminder.Kind.MANUAL, note=text[:300], created_by=actor, created_at=timezone.now()
    )
    _event(suggestion, "reminded", actor=actor, note=f"催办{assignment.unit.name}：{text}")
    _notify_users(
        _unit_users(assignment.unit_id),
        f"催办：《{suggestion.title}》",
        body=text,
        link=_link("suggestions:assignment", assignment.code),
        key=f"sugg:remind:{item.pk}",
    )
    return item


def staff_user_ids_by_body() -> dict[int, list[int]]:
    """Body id → ids of its staff users (for supervision digests)."""
    out: dict[int, list[int]] = {}
    region_to_body = dict(Body.objects.values_list("region_id", "pk"))
    for region_id, user_id in Membership.objects.filter(role=Role.STAFF, user__is_active=True).values_list(
        "region_id", "user_id"
    ):
        if region_id in region_to_body:
            out.setdefault(region_to_body[region_id], []).append(user_id)
    return out


@transaction.atomic
def open_follow_up(*, suggestion: Suggestion, actor=None, note: str) -> Suggestion:
    """A B/C commitment date passed without being honoured: a closed suggestion re-enters 跟踪办理."""
    _move(suggestion, State.FOLLOW_UP, action="follow_up", actor=actor, note=note)
    return suggestion
