"""The evaluation (测评) of an answer: each signing deputy rates once per round; the round then concludes.

A deputy rates online themself; a deputy who returns the paper 征求意见表 (feedback_form.py) has it entered by
staff of the receiving body on their behalf (`source="paper"`), which counts exactly as the deputy's own rating.
"""

from liaison.lib.errors import DomainError, NotAllowed
from liaison.org.selectors import scope_of

from ..models import Evaluation, EvaluationSource, State, Suggestion
from .cosignature import signing_deputy_ids
from .suggestion import can_manage

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


def require_evaluator(user, suggestion: Suggestion, *, source: str = EvaluationSource.ONLINE, deputy_id=None) -> int:
    """The deputy on whose behalf `user` records an evaluation. Online: the signing deputy themself. Paper: staff
    of the receiving body (can_manage) enter the returned form of a signing deputy they name."""
    if source == EvaluationSource.ONLINE:
        return require_signing_deputy(user, suggestion)
    if source != EvaluationSource.PAPER:
        raise DomainError("测评方式无效")
    require_paper_entry(user, suggestion)
    if deputy_id is None or deputy_id not in signing_deputy_ids(suggestion):
        raise DomainError("请选择本建议的领衔代表或附议代表", field="deputy")
    return deputy_id


def may_enter_paper(user, suggestion: Suggestion) -> bool:
    return suggestion.state in EVALUABLE and can_manage(user, suggestion)


def require_paper_entry(user, suggestion: Suggestion) -> None:
    if not can_manage(user, suggestion):
        raise NotAllowed("只有受理该建议的人大机关工作人员可以录入纸质征求意见表")


def may_have_form(user, suggestion: Suggestion, deputy_id: int) -> bool:
    """Who may print a deputy's 征求意见表: staff of the receiving body (they send it), and that deputy."""
    return can_manage(user, suggestion) or scope_of(user).deputy_id == deputy_id
