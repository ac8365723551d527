"""The evaluation (测评) of an answer: each signing deputy rates once per round; the round then concludes."""

from liaison.lib.errors import NotAllowed
from liaison.org.selectors import scope_of

from ..models import Evaluation, State, Suggestion
from .cosignature import signing_deputy_ids

# The suggestion state in which deputies evaluate.
EVALUABLE = frozenset({State.ANSWERED})
RATINGS = frozenset(Evaluation.Rating.values)
# A suggestion is re-handled once at most after a 不满意 (PRODUCT.md); after that staff conclude.
MAX_REHANDLING = 1


def require_signing_deputy(user, suggestion: Suggestion) -> int:
    deputy_id = scope_of(user).deputy_id
    if deputy_id is None or deputy_id not in signing_deputy_ids(suggestion):
        raise NotAllowed("只有领衔代表和附议代表可以测评")
    return deputy_id


def may_evaluate(user, suggestion: Suggestion) -> bool:
    deputy_id = scope_of(user).deputy_id
    return suggestion.state in EVALUABLE and deputy_id is not None and deputy_id in signing_deputy_ids(suggestion)
