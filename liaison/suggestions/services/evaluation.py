"""评 evaluation and closing: deputies rate the answer, re-handling once, closing, commitments kept or reopened."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from liaison.events.services import transition
from liaison.lib.errors import TransitionError
from liaison.lib.workdays import WorkCalendar
from liaison.opinions.models import Opinion
from liaison.opinions.services.telling import tell_residents_of
from liaison.org.models import User

from ..lifecycles import assignment as assignment_lifecycle
from ..lifecycles import commitment as commitment_lifecycle
from ..lifecycles import evaluation as evaluation_lifecycle
from ..lifecycles import suggestion as suggestion_lifecycle
from ..lifecycles.cosignature import signing_deputy_ids
from ..models import (
    Assignment,
    Commitment,
    Evaluation,
    EvaluationSource,
    State,
    Suggestion,
)
from .common import (
    SUBJECT,
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
def evaluate_answer(
    *,
    suggestion: Suggestion,
    actor: User,
    process: str,
    result: str,
    comment: str = "",
    deputy=None,
    source: str = EvaluationSource.ONLINE,
) -> Evaluation:
    """A signing deputy rates the round's answer: online themself, or (`source="paper"`, `deputy` given) staff of
    the receiving body enter the deputy's returned paper 征求意见表 — the same rating, the same next step."""
    suggestion = lock_suggestion(suggestion)
    signing = signing_deputy_ids(suggestion)
    deputy_id = evaluation_lifecycle.require_evaluator(
        actor, suggestion, source=source, deputy_id=getattr(deputy, "pk", deputy)
    )
    if suggestion.state != State.ANSWERED:
        raise TransitionError(f"当前状态“{suggestion.get_state_display()}”不能测评")
    ratings = Evaluation.Rating.values
    require(process in ratings and result in ratings, "请选择满意、基本满意或不满意")
    if Evaluation.objects.filter(suggestion=suggestion, deputy_id=deputy_id, round=suggestion.round).exists():
        raise TransitionError(
            "您已测评过本轮答复，不能重复测评" if source == EvaluationSource.ONLINE else "该代表已测评过本轮答复"
        )
    item = Evaluation.objects.create(
        suggestion=suggestion,
        deputy_id=deputy_id,
        round=suggestion.round,
        process=process,
        result=result,
        comment=comment.strip(),
        source=source,
    )
    paper = source == EvaluationSource.PAPER
    suggestion_event(
        suggestion,
        "evaluation",
        actor=actor,
        note=("测评（工作人员录入代表交回的纸质征求意见表）：" if paper else "测评：")
        + f"办理过程{item.get_process_display()}，办理结果{item.get_result_display()}"
        + (f"。{comment.strip()}" if comment.strip() else ""),
        data={"round": suggestion.round, "source": source} if paper else {"round": suggestion.round},
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
        move_suggestion(
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
        for assignment in suggestion.assignments.filter(
            role__in=assignment_lifecycle.ANSWERING_ROLES, state=Assignment.State.ANSWERED
        ).select_related("unit", "suggestion"):
            move_assignment(
                assignment,
                Assignment.State.REHANDLING,
                action="rehandle_assigned",
                actor=actor,
                note=f"重新办理，期限 {due:%Y-%m-%d}",
                updates={"due_date": due, "flag": Assignment.Flag.GREEN},
            )
            notify_users(
                unit_users(assignment.unit_id),
                f"代表对《{suggestion.title}》的答复不满意，请重新办理",
                link=link("suggestions:assignment", assignment.code),
                key=f"sugg:rehandle:{assignment.code}:{new_round}",
            )
        tell_residents_of(suggestion, "suggestion_rehandling", occurrence=str(new_round))
    else:
        note = "测评完成" + ("（不满意，已重新办理过一次，由工作人员审定办结）" if unsatisfied else "")
        move_suggestion(suggestion, State.EVALUATED, action="evaluated", actor=actor, note=note)
        notify_users(
            staff_users(body),
            f"建议《{suggestion.title}》测评完成，可办结",
            link=link("suggestions:detail", suggestion.code),
            key=f"sugg:evaluated:{suggestion.code}:{suggestion.round}",
        )


@transaction.atomic
def close_suggestion(*, suggestion: Suggestion, actor: User, note: str = "") -> Suggestion:
    """办结: staff close an evaluated suggestion, or an answered one whose evaluation receipt window has passed."""
    suggestion = lock_suggestion(suggestion)
    suggestion_lifecycle.require(actor, "close", suggestion)
    if suggestion.state == State.ANSWERED:
        limit = suggestion.body.evaluation_working_days
        answered_on = timezone.localdate(suggestion.answered_at) if suggestion.answered_at else today()
        waited = WorkCalendar.load().working_days_between(answered_on, today())
        require(waited > limit, f"代表测评回执期（{limit} 个工作日）未满，尚不能办结")
    if suggestion.state == State.FOLLOW_UP:
        require(
            not suggestion.commitments.filter(state=Commitment.State.MISSED).exists(),
            "仍有逾期未兑现的承诺，请先跟踪办理",
        )
    move_suggestion(
        suggestion,
        State.CLOSED,
        action="closed",
        actor=actor,
        note=note or "办结",
        updates={"closed_at": timezone.now()},
    )
    for assignment in suggestion.assignments.filter(state=Assignment.State.ANSWERED).select_related(
        "unit", "suggestion"
    ):
        move_assignment(assignment, Assignment.State.CLOSED, action="assignment_closed", actor=actor)
    _report_outcome(suggestion, actor)
    tell_residents_of(suggestion, "suggestion_closed", occurrence=str(suggestion.round))
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
    opinions = [
        s.opinion
        for s in suggestion.sources.select_related("opinion")
        if s.opinion.state == Opinion.State.IN_SUGGESTION
    ]
    if not opinions:
        return
    from liaison.opinions.services import record_suggestion_outcome

    for opinion in opinions:
        record_suggestion_outcome(opinion=opinion, text=text, actor=actor)


@transaction.atomic
def fulfil_commitment(*, commitment: Commitment, actor: User, note: str) -> Commitment:
    commitment_lifecycle.require_unit(actor, commitment)
    require(bool(note.strip()), "请填写兑现情况")
    suggestion = lock_suggestion(commitment.suggestion)
    transition(
        commitment,
        table=commitment_lifecycle.TRANSITIONS,
        to=Commitment.State.DONE,
        action="commitment_done",
        actor=actor,
        subject_type=SUBJECT,
        subject_id=suggestion.code,
        note=f"承诺“{commitment.text}”已兑现：{note.strip()}",
        updates={"done_note": note.strip(), "done_at": timezone.now()},
    )
    if (
        suggestion.state == State.FOLLOW_UP
        and not suggestion.commitments.filter(state=Commitment.State.MISSED).exists()
    ):
        move_suggestion(
            suggestion, State.CLOSED, action="follow_up_closed", actor=actor, note="逾期承诺已兑现，跟踪办理结束"
        )
    return commitment


@transaction.atomic
def open_follow_up(*, suggestion: Suggestion, actor=None, note: str) -> Suggestion:
    """A B/C commitment date passed without being honoured: a closed suggestion re-enters 跟踪办理."""
    move_suggestion(suggestion, State.FOLLOW_UP, action="follow_up", actor=actor, note=note)
    return suggestion
