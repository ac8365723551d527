"""The opinion (社情民意) lifecycle: states, named groups, the transition table, and who may take each step.

Services call `require(actor, action, opinion)` before they write; views and templates ask
`allowed_actions(user, opinion)` which forms to offer. Nothing else decides either.
"""

from liaison.lib.errors import NotAllowed
from liaison.org.selectors import can_write_station, scope_of

from .models import Opinion
from .selectors import can_record_village_outcome, can_report_back, is_station_head, is_stationed_deputy

S = Opinion.State

# The one table of allowed opinion transitions (liaison.events.services.transition enforces it).
TRANSITIONS = {
    S.REGISTERED: {S.ANSWERED_ON_SPOT, S.NOT_ACCEPTED, S.ON_AGENDA, S.DUPLICATE},
    S.ON_AGENDA: {S.VILLAGE_HANDLING, S.REFERRED, S.TO_SUGGESTION, S.DUPLICATE, S.NOT_FEASIBLE},
    S.VILLAGE_HANDLING: {S.OUTCOME_RECORDED},
    S.REFERRED: {S.OUTCOME_RECORDED},
    S.TO_SUGGESTION: {S.IN_SUGGESTION},
    S.IN_SUGGESTION: {S.OUTCOME_RECORDED},
    S.ANSWERED_ON_SPOT: {S.REPORTED_BACK},
    S.NOT_ACCEPTED: {S.REPORTED_BACK},
    S.DUPLICATE: {S.REPORTED_BACK},
    S.NOT_FEASIBLE: {S.REPORTED_BACK},
    S.OUTCOME_RECORDED: {S.REPORTED_BACK},
    S.REPORTED_BACK: {S.CLOSED},
    S.CLOSED: set(),
}
# Waiting for the monthly consultation's decision.
UNDECIDED = (S.REGISTERED, S.ON_AGENDA)
# The resident has been given an answer: report-back may follow, the resident may rate.
ANSWERED = (S.ANSWERED_ON_SPOT, S.NOT_ACCEPTED, S.DUPLICATE, S.NOT_FEASIBLE, S.OUTCOME_RECORDED)
RATEABLE = (*ANSWERED, S.REPORTED_BACK, S.CLOSED)

# The steps people take (system steps — linking to a suggestion, its answer — are the suggestion loop's).
# action → (states it starts from, state it leads to)
ACTIONS = {
    "answer": ((S.REGISTERED,), S.ANSWERED_ON_SPOT),
    "refuse": ((S.REGISTERED,), S.NOT_ACCEPTED),
    "put_on_agenda": ((S.REGISTERED,), S.ON_AGENDA),
    "route_to_village": ((S.ON_AGENDA,), S.VILLAGE_HANDLING),
    "refer": ((S.ON_AGENDA,), S.REFERRED),
    "to_suggestion": ((S.ON_AGENDA,), S.TO_SUGGESTION),
    # At intake (registered) the station merges a repeat of a known matter; on the agenda it is the meeting's.
    "mark_duplicate": ((S.REGISTERED, S.ON_AGENDA), S.DUPLICATE),
    "mark_not_feasible": ((S.ON_AGENDA,), S.NOT_FEASIBLE),
    "outcome": ((S.VILLAGE_HANDLING, S.REFERRED), S.OUTCOME_RECORDED),
    "reportback": (ANSWERED, S.REPORTED_BACK),
    "close": ((S.REPORTED_BACK,), S.CLOSED),
}
MEETING_DECISIONS = ("route_to_village", "refer", "to_suggestion", "mark_duplicate", "mark_not_feasible")

MESSAGES = {
    "answer": "只有本站的联络员、站长、进站代表或人大工作人员可以答复",
    "refuse": "只有本站的联络员、站长、进站代表或人大工作人员可以不予受理",
    "reportback": "只有本站的联络员、站长、进站代表或人大工作人员可以登记回访",
    "close": "只有本站的联络员、站长、进站代表或人大工作人员可以关闭",
    "outcome": "只有办理该事项的村两委或联络站可以登记办理结果",
    "put_on_agenda": "只有联络员、站长或人大工作人员可以列入会商议题",
    "register": "只有联络员、站长或人大工作人员可以登记社情民意",
}
# Refusal of a merge at intake (registered); on the agenda the chair's message below applies.
INTAKE_DUPLICATE_MESSAGE = "只有本站的联络员、站长或人大工作人员可以合并重复事项"


def may(user, action: str, opinion: Opinion) -> bool:
    """Whether `user` (role and scope) may take `action` on `opinion`; says nothing about whether its state allows
    the step — except who merges a duplicate: the station at intake, the meeting's chair once on the agenda."""
    if action in ("answer", "refuse", "reportback", "close"):
        return can_report_back(user, opinion)
    if action == "outcome":
        if opinion.state == S.VILLAGE_HANDLING:
            return can_record_village_outcome(user, opinion)
        return can_write_station(user, opinion.station)
    if action == "put_on_agenda" or (action == "mark_duplicate" and opinion.state == S.REGISTERED):
        return can_write_station(user, opinion.station)
    if action in MEETING_DECISIONS:
        # Decisions are the consultation's, taken by its chair (the station head) or congress staff above.
        return is_station_head(user, opinion.station)
    raise KeyError(action)


def require(user, action: str, opinion: Opinion) -> None:
    if not may(user, action, opinion):
        if action == "mark_duplicate" and opinion.state == S.REGISTERED:
            raise NotAllowed(INTAKE_DUPLICATE_MESSAGE)
        raise NotAllowed(MESSAGES.get(action, "只有主持会商的站长或人大工作人员可以作出会商决定"))


def allowed_actions(user, opinion: Opinion) -> set[str]:
    """The steps `user` can take on `opinion` now (state and permission both allow them)."""
    return {a for a, (sources, _) in ACTIONS.items() if opinion.state in sources and may(user, a, opinion)}


def may_register(user, station) -> bool:
    """Station roles and congress staff register by any channel; stationed deputies from their visits."""
    return can_write_station(user, station) or is_stationed_deputy(user, station)


def require_register(user, station) -> None:
    if not may_register(user, station):
        raise NotAllowed(MESSAGES["register"])


def require_own_record(user, deputy, what: str) -> None:
    """Visits and mediations are a deputy's own records: only that deputy (or an administrator) logs them."""
    own = getattr(user, "deputy", None)
    if not (scope_of(user).everything or (own is not None and deputy is not None and own.pk == deputy.pk)):
        raise NotAllowed(f"只有人大代表本人可以登记{what}")
