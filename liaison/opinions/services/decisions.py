"""Decisions on an opinion: at the station (answer on the spot, refuse), the agenda, the meeting's five decisions."""

from django.db import transaction
from django.utils import timezone

from liaison.lib.errors import DomainError
from liaison.org.models import Stationing

from .. import lifecycle
from ..models import Opinion, ReportBack
from ..validation import clean_text
from .common import S, _transition
from .outcome import record_report_back
from .telling import tell_resident


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
        tell_resident(opinion, "answered_on_spot")
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
        tell_resident(opinion, "not_accepted")


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
        tell_resident(opinion, "put_on_agenda")


def _decide(opinion, to, action, actor, *, note, public_note, updates, data=None):
    updates = {"decided_at": timezone.now(), **updates}
    _transition(opinion, to, action, actor, note=public_note or note, updates=updates, data=data, public=True)
    tell_resident(opinion, action)


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
