"""After the decision: the outcome (village, unit or suggestion), report-back (回访), closing, the resident's rating."""

from django.db import transaction
from django.utils import timezone

from liaison.events.services import record_event
from liaison.lib.errors import DomainError, TransitionError

from .. import lifecycle
from ..lifecycle import RATEABLE
from ..models import Opinion, ReportBack
from ..validation import clean_past_date, clean_text
from .common import SUBJECT, S, _transition
from .telling import tell_resident


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
        tell_resident(opinion, "outcome_recorded")


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
    at = clean_past_date(at, label="回访日期")
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
