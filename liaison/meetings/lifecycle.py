"""The monthly consultation (会商) lifecycle: states, the transition table, and who may take each step.

Services call `require(actor, action, meeting_or_station)`; pages ask `allowed_actions(user, meeting)`.
"""

from liaison.lib.errors import NotAllowed
from liaison.opinions.selectors import is_station_head
from liaison.org.selectors import can_write_station

from .models import Meeting

S = Meeting.State

TRANSITIONS = {
    S.OPEN: {S.CLOSED},
    S.CLOSED: set(),
}

# action → (states it works in, who may: "chair" = the station head or congress staff above the station,
# "manage" = anyone who manages the station: liaison officer, head, staff). "open" works on a station.
ACTIONS = {
    "refresh": ((S.OPEN,), "manage"),
    "attendance": ((S.OPEN,), "manage"),
    "decide": ((S.OPEN,), "chair"),
    "close": ((S.OPEN,), "chair"),
}
MESSAGES = {
    "chair": "只有站长（或上级人大工作人员）可以召集、主持和结束会商",
    "manage": "只有本站的联络员、站长或人大工作人员可以修改会商记录",
}


def _who_may(user, who: str, station) -> bool:
    return is_station_head(user, station) if who == "chair" else can_write_station(user, station)


def may(user, action: str, meeting) -> bool:
    return _who_may(user, ACTIONS[action][1], meeting.station)


def require(user, action: str, meeting) -> None:
    who = ACTIONS[action][1]
    if not _who_may(user, who, meeting.station):
        raise NotAllowed(MESSAGES[who])


def require_open_permission(user, station) -> None:
    if not is_station_head(user, station):
        raise NotAllowed(MESSAGES["chair"])


def allowed_actions(user, meeting) -> set[str]:
    """The steps `user` can take on `meeting` now (its state and the user's role both allow them)."""
    allowed = set()
    for who in ("manage", "chair"):
        names = [a for a, (states, w) in ACTIONS.items() if w == who and meeting.state in states]
        if names and _who_may(user, who, meeting.station):
            allowed.update(names)
    return allowed
