"""Every write on opinions, one function per step, split by sub-lifecycle:

- `intake`     registration by staff and deputies, the public QR submission (idempotent, throttled), visits
- `decisions`  at the station (answer on the spot, refuse), the agenda, the meeting's five decisions
- `outcome`    the outcome (village, unit, suggestion), report-back (回访), closing, the resident's rating
- `mediation`  a deputy's record of a mediated dispute
- `lookup`     the resident's access: client hash, query passwords, the throttled status-page lookup
- `privacy`    the reasoned, logged view of a resident's contacts; the log row of a ledger export
- `retention`  blanking residents' personal data once the retention limit has passed
- `telling`    the resident's SMS at each public step (also of the suggestion it fed), the signed status link
- `common`     what they share: the event subject, the guarded transition, the throttling refusal

Each state change goes through liaison.events.services.transition() inside transaction.atomic():
a conditional UPDATE on the current state and one Event row. Refusals are DomainError/TransitionError.
The names are re-exported here so callers write `services.register_opinion`.
"""

from .common import SUBJECT, Throttled
from .decisions import (
    answer_on_spot,
    mark_duplicate,
    mark_not_feasible,
    put_on_agenda,
    refer_opinion,
    refuse_opinion,
    route_to_village,
    turn_into_suggestion,
)
from .intake import (
    ENDPOINT_API,
    ENDPOINT_QR,
    SUBMIT_LIMIT_PER_CLIENT,
    SUBMIT_LIMIT_PER_STATION,
    find_public_submission,
    log_visit,
    register_opinion,
    submission_fingerprint,
    submit_public_opinion,
)
from .lookup import (
    LOOKUP_LIMIT_PER_CLIENT,
    LOOKUP_LIMIT_PER_CODE,
    client_hash,
    lookup_opinion,
    password_for_key,
    verify_password,
)
from .mediation import record_mediation
from .outcome import (
    close_opinion,
    link_opinions_to_suggestion,
    rate_outcome,
    record_outcome,
    record_report_back,
    record_suggestion_outcome,
)
from .privacy import log_ledger_export, reveal_resident_contacts
from .retention import purge_personal_data

__all__ = [
    "LOOKUP_LIMIT_PER_CLIENT",
    "LOOKUP_LIMIT_PER_CODE",
    "SUBJECT",
    "SUBMIT_LIMIT_PER_CLIENT",
    "SUBMIT_LIMIT_PER_STATION",
    "Throttled",
    "answer_on_spot",
    "client_hash",
    "close_opinion",
    "link_opinions_to_suggestion",
    "log_ledger_export",
    "log_visit",
    "lookup_opinion",
    "mark_duplicate",
    "mark_not_feasible",
    "password_for_key",
    "purge_personal_data",
    "put_on_agenda",
    "rate_outcome",
    "record_mediation",
    "record_outcome",
    "record_report_back",
    "record_suggestion_outcome",
    "refer_opinion",
    "refuse_opinion",
    "register_opinion",
    "reveal_resident_contacts",
    "route_to_village",
    "submit_public_opinion",
    "submission_fingerprint",
    "find_public_submission",
    "ENDPOINT_QR",
    "ENDPOINT_API",
    "turn_into_suggestion",
    "verify_password",
]
