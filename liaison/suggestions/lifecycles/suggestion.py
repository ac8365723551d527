"""The suggestion (代表建议) lifecycle: drafting → review → assignment → answer → evaluation → closing."""

from liaison.lib.errors import NotAllowed
from liaison.org.models import User
from liaison.org.selectors import scope_of

from ..models import State, Suggestion

S = State

TRANSITIONS = {
    S.DRAFT: {S.COSIGNING, S.SUBMITTED, S.WITHDRAWN},
    S.COSIGNING: {S.DRAFT, S.SUBMITTED, S.WITHDRAWN},
    S.SUBMITTED: {S.ACCEPTED, S.MERGED, S.REJECTED, S.WITHDRAWN},
    S.ACCEPTED: {S.ASSIGNED},
    S.ASSIGNED: {S.HANDLING, S.RETURNED, S.ANSWERED},
    S.HANDLING: {S.ANSWERED, S.RETURNED},
    S.RETURNED: {S.ASSIGNED},
    S.ANSWERED: {S.EVALUATED, S.REHANDLING, S.CLOSED},
    S.EVALUATED: {S.CLOSED, S.REHANDLING},
    S.REHANDLING: {S.ANSWERED},
    S.CLOSED: {S.FOLLOW_UP},
    S.FOLLOW_UP: {S.ANSWERED, S.CLOSED},
}
# The deputy's own, not yet submitted: visible to the lead deputy and invited co-signers only.
PRIVATE_STATES = frozenset({S.DRAFT, S.COSIGNING})
EDITABLE_STATES = PRIVATE_STATES
# Units are working on it: deadlines run, supervision applies.
OPEN_STATES = frozenset({S.ASSIGNED, S.HANDLING, S.RETURNED, S.REHANDLING, S.FOLLOW_UP})
# Accepted (立案) at some point, whatever happened since.
ACCEPTED_STATES = frozenset(
    {S.ACCEPTED, S.ASSIGNED, S.HANDLING, S.RETURNED, S.ANSWERED, S.EVALUATED, S.REHANDLING, S.CLOSED, S.FOLLOW_UP}
)
# Ended without being handled.
NOT_ACCEPTED_STATES = frozenset({S.MERGED, S.REJECTED, S.WITHDRAWN})
# A suggestion may be merged into one that was accepted and is not itself folded away.
MERGE_TARGET_STATES = ACCEPTED_STATES
# Waiting for the receiving body's review.
REVIEW_STATES = frozenset({S.SUBMITTED})

# action → (states it starts from, who may: "lead" deputy, "staff" of the receiving body, "supervisor")
ACTIONS = {
    "edit": (EDITABLE_STATES, "lead"),
    "invite_cosigners": (EDITABLE_STATES, "lead"),
    "submit": (EDITABLE_STATES, "lead"),
    "withdraw": (frozenset({S.DRAFT, S.COSIGNING, S.SUBMITTED}), "lead"),
    "accept": (REVIEW_STATES, "staff"),
    "merge": (REVIEW_STATES, "staff"),
    "reject": (REVIEW_STATES, "staff"),
    "assign": (frozenset({S.ACCEPTED}), "staff"),
    "close": (frozenset({S.ANSWERED, S.EVALUATED, S.FOLLOW_UP}), "staff"),
    "decide_extension": (OPEN_STATES, "staff"),
    "key_supervision": (ACCEPTED_STATES, "supervisor"),
    "supervision_note": (ACCEPTED_STATES, "supervisor"),
}


def can_manage(user: User, suggestion: Suggestion) -> bool:
    """Congress staff of the receiving body's region (or admins): review, assign, approve, close."""
    scope = scope_of(user)
    if scope.everything:
        return True
    path = suggestion.body.region.path
    return any(path.startswith(p) for p in scope.write_region_paths)


def can_supervise(user: User, suggestion: Suggestion) -> bool:
    """Staff and leaders of the body's region: key supervision, notes, reminders."""
    scope = scope_of(user)
    if scope.everything or can_manage(user, suggestion):
        return True
    if "leader" not in scope.roles:
        return False
    path = suggestion.body.region.path
    return any(path.startswith(p) for p in scope.region_paths)


def is_lead_deputy(user: User, suggestion: Suggestion) -> bool:
    scope = scope_of(user)
    return scope.deputy_id is not None and scope.deputy_id == suggestion.lead_deputy_id


MESSAGES = {
    "lead": "只有领衔代表可以进行此操作",
    "staff": "只有受理该建议的人大机关工作人员可以进行此操作",
    "supervisor": "只有人大机关工作人员或领导可以督办",
}


def _who_may(user, who: str, suggestion: Suggestion) -> bool:
    if who == "lead":
        return is_lead_deputy(user, suggestion)
    if who == "staff":
        return can_manage(user, suggestion)
    return can_supervise(user, suggestion)


def may(user, action: str, suggestion: Suggestion) -> bool:
    return _who_may(user, ACTIONS[action][1], suggestion)


def require(user, action: str, suggestion: Suggestion) -> None:
    who = ACTIONS[action][1]
    if not _who_may(user, who, suggestion):
        raise NotAllowed(MESSAGES[who])


def require_own_draft(user, deputy) -> None:
    """A suggestion is drafted by the deputy themself (an administrator may enter one on their behalf)."""
    scope = scope_of(user)
    if not (scope.everything or scope.deputy_id == deputy.pk):
        raise NotAllowed("只有代表本人可以起草建议")


def allowed_actions(user, suggestion: Suggestion) -> set[str]:
    """The steps `user` can take on `suggestion` now; each role is asked once."""
    answers: dict[str, bool] = {}
    allowed = set()
    for action, (states, who) in ACTIONS.items():
        if suggestion.state in states:
            if who not in answers:
                answers[who] = _who_may(user, who, suggestion)
            if answers[who]:
                allowed.add(action)
    return allowed
