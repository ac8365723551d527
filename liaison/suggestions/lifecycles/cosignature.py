"""The co-signature (附议) lifecycle: an invited deputy confirms or declines before the deadline, or lapses."""

from liaison.lib.errors import NotAllowed
from liaison.org.selectors import scope_of

from ..models import CoSigner, Suggestion

C = CoSigner.State

TRANSITIONS = {
    C.INVITED: {C.CONFIRMED, C.DECLINED, C.EXPIRED},
    C.CONFIRMED: set(),
    C.DECLINED: set(),
    C.EXPIRED: set(),
}
PENDING = frozenset({C.INVITED})


def invitable_deputies(suggestion: Suggestion):
    """Who the lead deputy may invite to co-sign (附议): the other active deputies stationed at the lead deputy's
    stations — those who heard the same residents and meet at the same monthly consultation."""
    from liaison.org.models import Deputy

    return (
        Deputy.objects.filter(stations__in=suggestion.lead_deputy.stations.all(), is_active=True)
        .exclude(pk=suggestion.lead_deputy_id)
        .distinct()
        .order_by("code")
    )


def signing_deputy_ids(suggestion: Suggestion) -> list[int]:
    ids = [suggestion.lead_deputy_id]
    ids += list(
        CoSigner.objects.filter(suggestion=suggestion, state=CoSigner.State.CONFIRMED).values_list(
            "deputy_id", flat=True
        )
    )
    return ids


def require_invited(user, cosigner: CoSigner | None) -> CoSigner:
    if cosigner is None or cosigner.deputy_id != scope_of(user).deputy_id:
        raise NotAllowed("您没有收到该建议的附议邀请")
    return cosigner
