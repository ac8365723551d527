"""The assignment (交办) lifecycle: one unit's handling of one suggestion, as lead, co-handler or split part."""

from liaison.lib.errors import NotAllowed
from liaison.org.models import User
from liaison.org.selectors import scope_of

from ..models import Assignment, State
from .suggestion import can_manage, can_supervise

A = Assignment.State
R = Assignment.Role

TRANSITIONS = {
    A.ASSIGNED: {A.SIGNED, A.RETURNED},
    A.SIGNED: {A.ANSWERED, A.RETURNED},
    A.ANSWERED: {A.REHANDLING, A.CLOSED, A.SIGNED},
    A.REHANDLING: {A.ANSWERED},
    A.RETURNED: set(),
    A.CLOSED: {A.SIGNED},
}
# The unit still owes work: reminders and deadline flags apply.
OPEN = frozenset({A.ASSIGNED, A.SIGNED, A.REHANDLING})
# Signed and working: consultations, progress, extension requests.
WORKING = frozenset({A.SIGNED, A.REHANDLING})
# Lead and split units answer the suggestion; co-handlers send their opinion to the lead unit.
ANSWERING_ROLES = frozenset({R.LEAD, R.SPLIT})
# Of the answering assignments, those no longer owing an answer.
DONE_ANSWERING = frozenset({A.RETURNED, A.ANSWERED, A.CLOSED})

# action → (states it starts from, who may: the assigned "unit", or "staff"/"supervisor" of the body)
ACTIONS = {
    "sign": (frozenset({A.ASSIGNED}), "unit"),
    "return": (frozenset({A.ASSIGNED, A.SIGNED}), "unit"),
    "consult": (WORKING, "unit"),
    "progress": (WORKING, "unit"),
    "cohandler_opinion": (frozenset({A.SIGNED}), "unit"),
    "request_extension": (WORKING, "unit"),
    "answer": (frozenset({A.SIGNED, A.REHANDLING, A.CLOSED}), "unit"),
    # The signed, sealed scan of an answer's 答复函: once the unit has answered (re-handling keeps round 1's answer).
    "reply_scan": (frozenset({A.ANSWERED, A.REHANDLING, A.CLOSED}), "unit"),
    "reassign": (frozenset({A.RETURNED}), "staff"),
    "remind": (OPEN, "supervisor"),
}
MESSAGES = {
    "unit": "只有承办单位可以进行此操作",
    "staff": "只有受理该建议的人大机关工作人员可以进行此操作",
    "supervisor": "只有人大机关工作人员或领导可以催办",
}


def is_unit_of(user: User, assignment: Assignment) -> bool:
    return assignment.unit_id in scope_of(user).unit_ids


def answers_suggestion(assignment: Assignment) -> bool:
    return assignment.role in ANSWERING_ROLES


def _who_may(user, who: str, assignment: Assignment) -> bool:
    if who == "unit":
        return is_unit_of(user, assignment)
    if who == "staff":
        return can_manage(user, assignment.suggestion)
    return can_supervise(user, assignment.suggestion)


def may(user, action: str, assignment: Assignment) -> bool:
    return _who_may(user, ACTIONS[action][1], assignment)


def require(user, action: str, assignment: Assignment) -> None:
    who = ACTIONS[action][1]
    if not _who_may(user, who, assignment):
        raise NotAllowed(MESSAGES[who])


def allowed_actions(user, assignment: Assignment) -> set[str]:
    """The steps `user` can take on `assignment` now (state, role of the assignment, and who the user is)."""
    answers: dict[str, bool] = {}
    allowed = set()
    for action, (states, who) in ACTIONS.items():
        if assignment.state not in states:
            continue
        if action == "cohandler_opinion" and assignment.role != R.CO:
            continue
        if action in ("answer", "request_extension", "reply_scan") and not answers_suggestion(assignment):
            continue
        if action == "answer" and assignment.state == A.CLOSED and assignment.suggestion.state != State.FOLLOW_UP:
            continue  # a closed assignment answers again only when its suggestion re-entered follow-up
        if who not in answers:
            answers[who] = _who_may(user, who, assignment)
        if answers[who]:
            allowed.add(action)
    return allowed
