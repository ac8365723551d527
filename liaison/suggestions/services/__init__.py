"""Every write of the suggestion loop, one function per step, split by sub-lifecycle (as zulip's actions/):

- `drafting`   提  draft_… create/update, invite and respond to co-signing, submit, withdraw
- `review`     交  accept (立案), merge, reject, assign units, reassign a returned assignment
- `handling`   办  sign, return, consult deputies, progress, co-handler opinion, extension, answer
- `evaluation` 评  evaluate the answer, re-handling, close, commitments kept, follow-up
- `oversight`  督  key supervision, supervision notes, manual reminders
- `supervision`    the periodic pass (`manage.py supervise`): deadline flags, reminders, missed commitments
- `common`         what they share: moves through the lifecycle tables, locks, notifications, the due-date rule

Each checks who may act through `lifecycles/` (NotAllowed → 403), changes state only through
`liaison.events.services.transition()` in one transaction, and appends one event per change. Keyword-only
arguments with an explicit `actor`. The names are re-exported here so callers write `services.submit_suggestion`.
"""

from .common import due_date_for, staff_user_ids_by_body, today
from .drafting import (
    EDITABLE,
    body_for_deputy,
    create_draft,
    default_level,
    invite_cosigners,
    respond_cosign,
    submit_suggestion,
    update_draft,
    withdraw_suggestion,
)
from .evaluation import close_suggestion, evaluate_answer, fulfil_commitment, open_follow_up
from .handling import (
    answer_assignment,
    decide_extension,
    parse_commitments,
    post_progress,
    record_consultation,
    request_extension,
    return_assignment,
    send_cohandler_opinion,
    sign_assignment,
    upload_reply_scan,
)
from .oversight import add_supervision_note, remind_unit, set_key_supervision
from .review import (
    accept_suggestion,
    assign_suggestion,
    format_case_number,
    merge_suggestion,
    proposed_units,
    reassign_assignment,
    reject_suggestion,
)

__all__ = [
    "EDITABLE",
    "accept_suggestion",
    "add_supervision_note",
    "answer_assignment",
    "assign_suggestion",
    "body_for_deputy",
    "close_suggestion",
    "create_draft",
    "decide_extension",
    "default_level",
    "due_date_for",
    "evaluate_answer",
    "format_case_number",
    "fulfil_commitment",
    "invite_cosigners",
    "merge_suggestion",
    "open_follow_up",
    "parse_commitments",
    "post_progress",
    "proposed_units",
    "reassign_assignment",
    "record_consultation",
    "reject_suggestion",
    "remind_unit",
    "request_extension",
    "respond_cosign",
    "return_assignment",
    "send_cohandler_opinion",
    "set_key_supervision",
    "sign_assignment",
    "staff_user_ids_by_body",
    "submit_suggestion",
    "today",
    "update_draft",
    "upload_reply_scan",
    "withdraw_suggestion",
]
