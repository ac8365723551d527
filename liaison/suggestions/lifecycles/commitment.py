"""The commitment (承诺事项) lifecycle: a B/C answer's dated promise, honoured or missed (which reopens)."""

from liaison.lib.errors import NotAllowed

from ..models import Commitment
from .assignment import is_unit_of

K = Commitment.State

TRANSITIONS = {K.OPEN: {K.DONE, K.MISSED}, K.MISSED: {K.DONE}, K.DONE: set()}
UNFULFILLED = frozenset({K.OPEN, K.MISSED})


def require_unit(user, commitment: Commitment) -> None:
    if not is_unit_of(user, commitment.answer.assignment):
        raise NotAllowed("只有作出承诺的承办单位可以登记兑现情况")
