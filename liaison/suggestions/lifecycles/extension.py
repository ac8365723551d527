"""The extension request (延期申请) lifecycle: a unit asks, the receiving body's staff approve or refuse."""

from liaison.lib.errors import NotAllowed

from ..models import ExtensionRequest
from .suggestion import can_manage

E = ExtensionRequest.State

TRANSITIONS = {E.PENDING: {E.APPROVED, E.REJECTED}, E.APPROVED: set(), E.REJECTED: set()}
PENDING = frozenset({E.PENDING})


def require_decider(user, request: ExtensionRequest) -> None:
    if not can_manage(user, request.assignment.suggestion):
        raise NotAllowed("只有受理该建议的人大机关工作人员可以审批延期")
