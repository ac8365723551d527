"""Writes of the monthly consultation (会商共议): open, agenda, attendance, decisions, close with minutes."""

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from liaison.events.services import record_event, transition
from liaison.lib.codes import new_code
from liaison.lib.errors import DomainError, TransitionError
from liaison.opinions import services as opinion_services
from liaison.opinions.lifecycle import UNDECIDED
from liaison.opinions.models import Opinion
from liaison.opinions.validation import clean_text
from liaison.org.models import Deputy, HandlingUnit

from . import lifecycle
from .agenda import order_agenda
from .lifecycle import TRANSITIONS
from .models import AgendaItem, Attendance, Meeting

SUBJECT = "meeting"
D = AgendaItem.Decision


def open_meeting(*, station, year: int, month: int, actor, held_at=None, place: str = "", chair: str = "") -> Meeting:
    """The station head opens the month's meeting; the agenda fills with the station's undecided opinions."""
    lifecycle.require_open_permission(actor, station)
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        raise DomainError("会商月份不正确")
    place = clean_text(place or station.address or station.name, label="地点", max_length=120)
    chair = clean_text(chair or station.head_name or str(actor), label="主持人", max_length=50)
    try:
        with transaction.atomic():
            meeting = Meeting.objects.create(
                code=new_code("H", 8),
                station=station,
                year=year,
                month=month,
                held_at=held_at or timezone.now(),
                place=place,
                chair=chair,
                opened_by=actor,
            )
            record_event(
                subject_type=SUBJECT,
                subject_id=meeting.code,
                action="opened",
                actor=actor,
                to_state=Meeting.State.OPEN,
                note=f"召开{year}年{month}月会商",
            )
            _fill_agenda(meeting, actor)
    except IntegrityError:
        raise DomainError(f"{station.name}{year}年{month}月的会商已经召开")
    return meeting


def _fill_agenda(meeting: Meeting, actor) -> int:
    already = AgendaItem.objects.filter(meeting=meeting).values("opinion_id")
    pending = list(
        Opinion.objects.filter(station=meeting.station, state__in=UNDECIDED)
        .exclude(pk__in=already)
        .select_related("category")
    )
    start = (AgendaItem.objects.filter(meeting=meeting).aggregate(m=Max("position"))["m"] or 0) + 1
    for offset, opinion in enumerate(order_agenda(pending)):
        if opinion.state == Opinion.State.REGISTERED:
            opinion_services.put_on_agenda(opinion=opinion, actor=actor, meeting_code=meeting.code)
        AgendaItem.objects.create(meeting=meeting, opinion=opinion, position=start + offset)
    return len(pending)


def refresh_agenda(*, meeting: Meeting, actor) -> int:
    """Add opinions registered since the meeting was opened."""
    lifecycle.require(actor, "refresh", meeting)
    _require_open(meeting)
    with transaction.atomic():
        return _fill_agenda(meeting, actor)


def _require_open(meeting: Meeting):
    # Read the state from the database: the instance may have been loaded before someone closed the meeting.
    if Meeting.objects.filter(pk=meeting.pk).values_list("state", flat=True).first() != Meeting.State.OPEN:
        raise TransitionError("会商已结束，不能再修改")


def record_attendance(*, meeting: Meeting, present: list[Deputy], actor) -> None:
    """Attendance of the stationed deputies: those listed were present, the others absent."""
    lifecycle.require(actor, "attendance", meeting)
    _require_open(meeting)
    stationed = {d.pk: d for d in Deputy.objects.filter(stationings__station=meeting.station)}
    present_ids = {d.pk for d in present}
    if present_ids - set(stationed):
        raise DomainError("出席人员只能是本站的进站代表")
    with transaction.atomic():
        for pk in stationed:
            Attendance.objects.update_or_create(meeting=meeting, deputy_id=pk, defaults={"present": pk in present_ids})
        record_event(
            subject_type=SUBJECT,
            subject_id=meeting.code,
            action="attendance",
            actor=actor,
            note=f"出席 {len(present_ids)} 人，缺席 {len(stationed) - len(present_ids)} 人",
            data={"present": sorted(stationed[pk].code for pk in present_ids)},
        )


def decide_item(
    *,
    item: AgendaItem,
    decision: str,
    actor,
    note: str = "",
    due_date=None,
    unit: HandlingUnit | None = None,
    drafting_deputy: Deputy | None = None,
    duplicate_of: Opinion | None = None,
) -> None:
    """One of the five decisions for an agenda item; the opinion moves through its own service."""
    meeting = item.meeting
    lifecycle.require(actor, "decide", meeting)
    _require_open(meeting)
    if item.decision:
        raise TransitionError("该议题已作出决定")
    opinion = item.opinion
    common = {"opinion": opinion, "actor": actor, "meeting_code": meeting.code}
    with transaction.atomic():
        if decision == D.VILLAGE:
            opinion_services.route_to_village(due_date=due_date, note=note, **common)
        elif decision == D.REFER:
            if unit is not None and (
                unit.kind == HandlingUnit.Kind.VILLAGE_COMMITTEE
                or not meeting.station.region.path.startswith(unit.region.path)
            ):
                raise DomainError("请选择本地的乡镇政府或县（市）直部门")
            opinion_services.refer_opinion(unit=unit, note=note, **common)
        elif decision == D.SUGGESTION:
            opinion_services.turn_into_suggestion(drafting_deputy=drafting_deputy, note=note, **common)
        elif decision == D.DUPLICATE:
            opinion_services.mark_duplicate(original=duplicate_of, **common)
        elif decision == D.NOT_FEASIBLE:
            opinion_services.mark_not_feasible(reason=note, **common)
        else:
            raise DomainError("请选择会商决定")
        note = _decision_text(opinion, decision)
        if not AgendaItem.objects.filter(pk=item.pk, decision="").update(
            decision=decision, decision_note=note, decided_at=timezone.now(), decided_by=actor
        ):
            raise TransitionError("该议题已被他人处理，请刷新页面")
        item.decision, item.decision_note = decision, note


def _decision_text(opinion: Opinion, decision: str) -> str:
    """How the decision reads in the agenda and the minutes."""
    extra = f"；{opinion.reason}" if opinion.reason else ""
    if decision == D.VILLAGE:
        return f"由村两委办理，期限 {opinion.due_date:%Y-%m-%d}{extra}"
    if decision == D.REFER:
        return f"转{opinion.referred_unit.name}办理{extra}"
    if decision == D.SUGGESTION:
        return f"由{opinion.drafting_deputy.name}代表起草代表建议{extra}"
    if decision == D.DUPLICATE:
        return f"与 {opinion.duplicate_of.code}（{opinion.duplicate_of.title}）重复，合并办理"
    return f"暂不可行：{opinion.reason}"


def close_meeting(*, meeting: Meeting, actor) -> None:
    """End the meeting; the minutes (.docx) are generated once and kept with it. Undecided items carry over."""
    from .minutes import build_minutes

    lifecycle.require(actor, "close", meeting)
    with transaction.atomic():
        transition(
            meeting,
            table=TRANSITIONS,
            to=Meeting.State.CLOSED,
            action="closed",
            actor=actor,
            subject_type=SUBJECT,
            subject_id=meeting.code,
            note="会商结束，生成会议纪要",
            updates={"closed_at": timezone.now()},
        )
        content = build_minutes(meeting)
        meeting.minutes.save(f"{meeting.code}.docx", ContentFile(content), save=False)
        Meeting.objects.filter(pk=meeting.pk).update(minutes=meeting.minutes.name)
