"""交 review and assignment: the receiving body's staff accept (立案), merge or reject, then assign units."""

from collections.abc import Sequence

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from liaison.lib.errors import TransitionError
from liaison.lib.workdays import WorkCalendar
from liaison.opinions.services.telling import occurrence_of, tell_residents_of
from liaison.org.models import Body, HandlingUnit, User

from ..lifecycles import assignment as assignment_lifecycle
from ..lifecycles import suggestion as suggestion_lifecycle
from ..lifecycles.cosignature import signing_deputy_ids
from ..models import (
    Assignment,
    State,
    Suggestion,
    SuggestionSource,
)
from .common import (
    deputy_users,
    due_date_for,
    link,
    lock_suggestion,
    move_suggestion,
    notify_users,
    require,
    suggestion_event,
    today,
    unit_users,
)


def format_case_number(body: Body, year: int, seq: int) -> str:
    prefix = body.region.name if body.kind != Body.Kind.TOWNSHIP_PRESIDIUM else body.name.removesuffix("人大主席团")
    return f"{prefix}〔{year}〕第{seq}号"


@transaction.atomic
def accept_suggestion(*, suggestion: Suggestion, actor: User, note: str = "") -> Suggestion:
    suggestion_lifecycle.require(actor, "accept", suggestion)
    body = Body.objects.select_for_update().select_related("region").get(pk=suggestion.body_id)
    year = today().year
    seq = (Suggestion.objects.filter(body=body, case_year=year).aggregate(m=Max("case_seq"))["m"] or 0) + 1
    number = format_case_number(body, year, seq)
    move_suggestion(
        suggestion,
        State.ACCEPTED,
        action="accepted",
        actor=actor,
        note=f"立案，案号 {number}" + (f"。{note}" if note else ""),
        updates={"case_year": year, "case_seq": seq, "case_number": number, "accepted_at": timezone.now()},
    )
    tell_residents_of(suggestion, "suggestion_accepted")
    notify_users(
        deputy_users(signing_deputy_ids(suggestion)),
        f"您的建议《{suggestion.title}》已立案（{number}）",
        link=link("suggestions:detail", suggestion.code),
        key=f"sugg:accepted:{suggestion.code}",
    )
    return suggestion


@transaction.atomic
def merge_suggestion(*, suggestion: Suggestion, actor: User, into: Suggestion, reason: str = "") -> Suggestion:
    suggestion_lifecycle.require(actor, "merge", suggestion)
    require(into.pk != suggestion.pk, "不能并入建议本身")
    require(into.body_id == suggestion.body_id, "只能并入同一人大机关受理的建议")
    require(
        into.state
        not in (State.DRAFT, State.COSIGNING, State.SUBMITTED, State.MERGED, State.REJECTED, State.WITHDRAWN),
        "只能并入已立案的建议",
    )
    move_suggestion(
        suggestion,
        State.MERGED,
        action="merged",
        actor=actor,
        note=f"并入建议 {into.case_number or into.code}《{into.title}》" + (f"：{reason}" if reason else ""),
        updates={"merged_into": into, "review_note": reason},
    )
    suggestion_event(into, "merged_in", actor=actor, note=f"并入建议 {suggestion.code}《{suggestion.title}》")
    for source in suggestion.sources.all():
        SuggestionSource.objects.get_or_create(suggestion=into, opinion_id=source.opinion_id)
    notify_users(
        deputy_users(signing_deputy_ids(suggestion)),
        f"您的建议《{suggestion.title}》已并入《{into.title}》办理",
        link=link("suggestions:detail", suggestion.code),
        key=f"sugg:merged:{suggestion.code}",
    )
    return suggestion


@transaction.atomic
def reject_suggestion(*, suggestion: Suggestion, actor: User, reason: str) -> Suggestion:
    suggestion_lifecycle.require(actor, "reject", suggestion)
    require(bool(reason.strip()), "不予立案须说明理由")
    move_suggestion(
        suggestion, State.REJECTED, action="rejected", actor=actor, note=reason, updates={"review_note": reason}
    )
    notify_users(
        deputy_users(signing_deputy_ids(suggestion)),
        f"您的建议《{suggestion.title}》不予立案",
        body=reason,
        link=link("suggestions:detail", suggestion.code),
        key=f"sugg:rejected:{suggestion.code}",
    )
    return suggestion


def proposed_units(suggestion: Suggestion):
    """Routing proposal: active units in the body's region subtree that usually handle the category."""
    return HandlingUnit.objects.filter(
        is_active=True, region__path__startswith=suggestion.body.region.path, categories=suggestion.category_id
    ).order_by("kind", "code")


def _check_units(suggestion, units):
    region = suggestion.body.region.path
    for unit in units:
        require(unit.is_active, f"承办单位“{unit.name}”已停用")
        require(unit.region.path.startswith(region), f"承办单位“{unit.name}”不在本机关辖区内")


@transaction.atomic
def assign_suggestion(
    *,
    suggestion: Suggestion,
    actor: User,
    lead: HandlingUnit | None = None,
    co: Sequence[HandlingUnit] = (),
    split: Sequence[tuple[HandlingUnit, str]] = (),
    note: str = "",
) -> list[Assignment]:
    """交办: one lead unit with optional co-handlers, or split handling (each unit answers its part)."""
    suggestion_lifecycle.require(actor, "assign", suggestion)
    require((lead is None) != (not split), "请选择一个主办单位，或选择分办")
    require(not split or len(split) >= 2, "分办至少选择两个单位")
    # The lead unit is not also its own co-handler.
    co = [u for u in co if lead is None or u.pk != lead.pk]
    units = ([lead] if lead else []) + list(co) + [u for u, _ in split]
    require(len({u.pk for u in units}) == len(units), "同一单位不能重复交办")
    _check_units(suggestion, units)
    start = today()
    move_suggestion(
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
        row.due_date = due_date_for(calendar, row, body)
        row.save()
        notify_users(
            unit_users(row.unit_id),
            f"新交办建议《{suggestion.title}》（{row.get_role_display()}），请签收",
            link=link("suggestions:assignment", row.code),
            key=f"sugg:assigned:{row.code}",
        )
    tell_residents_of(suggestion, "suggestion_assigned", occurrence=occurrence_of(*(r.code for r in rows)))
    return rows


@transaction.atomic
def reassign_assignment(*, assignment: Assignment, actor: User, unit: HandlingUnit, note: str = "") -> Assignment:
    """Staff hand a returned assignment to another unit; the clock resumes where it stopped (paused days)."""
    suggestion = lock_suggestion(assignment.suggestion)
    assignment_lifecycle.require(actor, "reassign", assignment)
    if assignment.state != Assignment.State.RETURNED:
        raise TransitionError("只有已退回的交办可以重新交办")
    if Assignment.objects.filter(replaces=assignment).exists():
        raise TransitionError("该退回事项已重新交办，请刷新页面")
    _check_units(suggestion, [unit])
    require(
        not suggestion.assignments.filter(unit=unit).exclude(state=Assignment.State.RETURNED).exists(),
        "该单位已在办理此建议",
    )
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
    row.due_date = due_date_for(calendar, row, suggestion.body)
    row.save()
    text = f"重新交办给{unit.name}（{row.get_role_display()}），停表 {paused} 个工作日，期限 {row.due_date:%Y-%m-%d}"
    if (
        suggestion.state == State.RETURNED
        and not suggestion.assignments.filter(state=Assignment.State.RETURNED, replaced_by__isnull=True)
        .filter(role__in=assignment_lifecycle.ANSWERING_ROLES)
        .exists()
    ):
        move_suggestion(
            suggestion, State.ASSIGNED, action="reassigned", actor=actor, note=text + (f"。{note}" if note else "")
        )
    else:
        suggestion_event(suggestion, "reassigned", actor=actor, note=text)
    notify_users(
        unit_users(unit.pk),
        f"新交办建议《{suggestion.title}》（{row.get_role_display()}），请签收",
        link=link("suggestions:assignment", row.code),
        key=f"sugg:assigned:{row.code}",
    )
    if row.answers_suggestion:  # another unit answers now: the resident is told who
        tell_residents_of(suggestion, "suggestion_assigned", occurrence=occurrence_of(row.code))
    return row
