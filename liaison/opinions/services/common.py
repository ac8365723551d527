"""What the opinion steps share: the event subject, the guarded transition, the throttling refusal."""

from liaison.events.services import transition
from liaison.lib.errors import DomainError

from ..lifecycle import TRANSITIONS
from ..models import Opinion

SUBJECT = "opinion"
S = Opinion.State


class Throttled(DomainError):
    status = 429


def _transition(opinion: Opinion, to: str, action: str, actor, **kwargs):
    return transition(
        opinion,
        table=TRANSITIONS,
        to=to,
        action=action,
        actor=actor,
        subject_type=SUBJECT,
        subject_id=opinion.code,
        **kwargs,
    )
