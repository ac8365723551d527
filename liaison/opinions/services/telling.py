"""Telling the resident (群众短信): the one rule of which public step sends the resident an SMS, with what text.

A resident who left a phone number is told at each public step of their opinion — registered, put on the
agenda, the decision (on the spot, refused, or the meeting's five), the outcome — and, once it fed a deputy
suggestion, at that suggestion's acceptance (立案), assignment (交办), answer (答复), re-handling (重办) and
closing (办结). The services call `tell_resident()` / `tell_residents_of()` inside their transaction; the outbox
(liaison.notify) delivers later. Each SMS has a dedupe key per opinion and step occurrence, so a step is told once.

The texts are `ResidentMessage` rows (editable in the admin, seeded by a data migration); `DEFAULTS` below is
used when a row is missing or its text cannot be filled in. Every SMS ends with the footer: a signed link that
opens the resident's status page without the code and password (`track_link`, valid `LINK_MAX_AGE`), where the
resident can also stop the messages (`set_sms_opt_out`). The phone goes into the outbox row only: never into an
event's data, a note or a log line.
"""

import hashlib
import string
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse

from liaison.events.services import record_event
from liaison.notify.models import Notification
from liaison.notify.services import queue_notification

from ..models import Opinion, ResidentMessage
from .common import SUBJECT

Step = ResidentMessage.Step
LINK_SALT = "liaison.opinions.track-link"
LINK_MAX_AGE = timedelta(days=180)
SMS_MAX = 200  # the outbox subject; the SMS gateway sends it as the text
TITLE_CHARS = 15

DEFAULTS = {
    Step.REGISTERED: "{station}已登记您反映的“{title}”，查询码{code}，办理的每一步都会短信告知您。",
    Step.PUT_ON_AGENDA: "您反映的“{title}”已列入{station}本月会商议题。",
    Step.ANSWERED_ON_SPOT: "您反映的“{title}”已由{station}当场答复。",
    Step.NOT_ACCEPTED: "您反映的“{title}”{station}未予受理，理由和建议反映的渠道请查看办理进度。",
    Step.VILLAGE_HANDLING: "经{station}会商，您反映的“{title}”由村两委办理，期限{due_date}。",
    Step.REFERRED: "经{station}会商，您反映的“{title}”已转{unit}办理。",
    Step.TO_SUGGESTION: "经{station}会商，您反映的“{title}”将由人大代表形成代表建议。",
    Step.DUPLICATE: "您反映的“{title}”与已登记的问题相同，已合并办理。",
    Step.NOT_FEASIBLE: "经{station}会商，您反映的“{title}”暂不具备办理条件，说明请查看办理进度。",
    Step.OUTCOME_RECORDED: "您反映的“{title}”已有办理结果，欢迎查看并评价。",
    Step.SUGGESTION_ACCEPTED: "您反映的“{title}”形成的代表建议已立案（{case_number}）。",
    Step.SUGGESTION_ASSIGNED: "您反映的“{title}”形成的代表建议已交{unit}办理。",
    Step.SUGGESTION_ANSWERED: "您反映的“{title}”形成的代表建议已由{unit}答复。",
    Step.SUGGESTION_REHANDLING: "您反映的“{title}”形成的代表建议，代表对答复不满意，已交{unit}重新办理。",
    Step.SUGGESTION_CLOSED: "您反映的“{title}”形成的代表建议已办结，欢迎查看结果并评价。",
    Step.FOOTER: "办理进度：{link} 不想再收短信可在该页面退订。",
}
PLACEHOLDERS = ("code", "station", "title", "unit", "due_date", "case_number", "link")

# The opinion's own steps: the transition's action is the step (everything else tells nothing).
OPINION_STEPS = frozenset(
    {
        Step.REGISTERED,
        Step.PUT_ON_AGENDA,
        Step.ANSWERED_ON_SPOT,
        Step.NOT_ACCEPTED,
        Step.VILLAGE_HANDLING,
        Step.REFERRED,
        Step.TO_SUGGESTION,
        Step.DUPLICATE,
        Step.NOT_FEASIBLE,
        Step.OUTCOME_RECORDED,
    }
)
# The steps of the deputy suggestion an opinion fed; the units named are those handling it then.
SUGGESTION_STEPS = frozenset(
    {
        Step.SUGGESTION_ACCEPTED,
        Step.SUGGESTION_ASSIGNED,
        Step.SUGGESTION_ANSWERED,
        Step.SUGGESTION_REHANDLING,
        Step.SUGGESTION_CLOSED,
    }
)


# --- the signed link -------------------------------------------------------------------------------------------


class _LinkSigner(signing.TimestampSigner):
    """Django's timestamped signer with the signature cut to 22 characters (132 bits): the link fits an SMS."""

    def signature(self, value, key=None):
        return super().signature(value, key)[:22]


def _signer() -> _LinkSigner:
    return _LinkSigner(salt=LINK_SALT, sep=".")


class LinkExpired(Exception):
    pass


class LinkInvalid(Exception):
    pass


def link_token(opinion: Opinion) -> str:
    return _signer().sign(opinion.code)


def track_link(opinion: Opinion) -> str:
    """The absolute link in the SMS: opens this opinion's status page for whoever holds it, until it expires."""
    return settings.SITE_URL + reverse("opinions-track-link", args=[link_token(opinion)])


def opinion_for_link(token: str) -> Opinion:
    """The opinion a signed link opens; LinkExpired past LINK_MAX_AGE, LinkInvalid for anything else."""
    try:
        code = _signer().unsign((token or "")[:80], max_age=LINK_MAX_AGE)
    except signing.SignatureExpired:
        raise LinkExpired
    except signing.BadSignature:
        raise LinkInvalid
    opinion = Opinion.objects.filter(code=code).first()
    if opinion is None:
        raise LinkInvalid
    return opinion


# --- the texts -------------------------------------------------------------------------------------------------


def template_problem(text: str) -> str:
    """Why an SMS template cannot be used ("" if it can): only the known placeholders, written plainly."""
    try:
        fields = [(name, spec, conv) for _lit, name, spec, conv in string.Formatter().parse(text) if name is not None]
    except ValueError:
        return "花括号不成对：占位符写作 {code} 这样的形式，文字中的花括号请写两遍"
    for name, spec, conv in fields:
        if name not in PLACEHOLDERS or spec or conv:
            return f"不认识的占位符 {{{name}}}；可用的有：" + " ".join(f"{{{p}}}" for p in PLACEHOLDERS)
    return ""


def _fill(step: str, template: str | None, values: dict) -> str:
    if template is None or template_problem(template):
        template = DEFAULTS[step]
    return template.format_map({p: values.get(p, "") for p in PLACEHOLDERS})


def _templates(step: str) -> dict:
    return dict(ResidentMessage.objects.filter(step__in=(step, Step.FOOTER)).values_list("step", "text"))


def message_text(step: str, values: dict, rows: dict | None = None) -> str:
    """The SMS for `step`: the step's text (cut if need be) and the footer with the link, at most SMS_MAX."""
    rows = _templates(step) if rows is None else rows
    tail = _fill(Step.FOOTER, rows.get(Step.FOOTER), values)
    head = _fill(step, rows.get(step), values)
    room = SMS_MAX - len(tail)
    return (head if len(head) <= room else head[: room - 1] + "…") + tail


def _short(title: str) -> str:
    return title if len(title) <= TITLE_CHARS else title[:TITLE_CHARS] + "…"


# --- telling ---------------------------------------------------------------------------------------------------


def _reachable(**filters):
    """The opinions matching `filters` whose resident left a phone and did not opt out (nor had their data
    purged), read fresh under the caller's transaction."""
    return (
        Opinion.objects.filter(sms_opt_out=False, purged_at__isnull=True, **filters)
        .exclude(resident_phone="")
        .select_related("station", "referred_unit")
        .order_by("pk")
    )


def _queue(opinion: Opinion, step: str, occurrence: str, values: dict, rows: dict | None = None):
    values = {
        "code": opinion.code,
        "station": opinion.station.name,
        "title": _short(opinion.title),
        "link": track_link(opinion),
        **values,
    }
    key = f"{_key_prefix(opinion.code)}{step}" + (f":{occurrence}" if occurrence else "")
    text = message_text(step, values, rows)
    return queue_notification(phone=opinion.resident_phone, subject=text, key=key[:200])


def tell_resident(opinion: Opinion, step: str):
    """One of the opinion's own public steps (its action is `step`); nothing for the other actions."""
    if step not in OPINION_STEPS:
        return None
    for fresh in _reachable(pk=opinion.pk):
        values = {
            "unit": fresh.referred_unit.name if fresh.referred_unit else "",
            "due_date": f"{fresh.due_date:%Y-%m-%d}" if fresh.due_date else "",
        }
        return _queue(fresh, step, "", values)
    return None


def tell_residents_of(suggestion, step: str, *, occurrence: str = "") -> int:
    """A public step of `suggestion`: told to the resident of every opinion it took as a source. `occurrence`
    tells repeatable steps apart (another answer, another round); the same occurrence is told once."""
    from liaison.suggestions.selectors import current_units_text

    if step not in SUGGESTION_STEPS:
        raise ValueError(step)
    opinions = list(_reachable(suggestion_sources__suggestion=suggestion).distinct())
    if not opinions:
        return 0
    answering_only = step != Step.SUGGESTION_ASSIGNED
    values = {"unit": current_units_text(suggestion, answering_only=answering_only)}
    values["case_number"] = suggestion.case_number or suggestion.code
    occurrence = f"{suggestion.code}:{occurrence}" if occurrence else suggestion.code
    rows = _templates(step)
    return sum(1 for o in opinions if _queue(o, step, occurrence, values, rows))


def _key_prefix(code: str) -> str:
    return f"resident:{code}:"


def forget_phone(opinion: Opinion) -> int:
    """The retention purge: the resident's phone leaves the outbox rows of their SMS too."""
    return Notification.objects.filter(key__startswith=_key_prefix(opinion.code)).exclude(phone="").update(phone="")


def occurrence_of(*parts) -> str:
    """A short stable tag for a step's occurrence from its parts (assignment codes, rounds …)."""
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:10]


def set_sms_opt_out(*, opinion: Opinion, stop: bool) -> bool:
    """The resident's choice on the status page; returns whether it changed anything."""
    with transaction.atomic():
        if not Opinion.objects.filter(pk=opinion.pk).exclude(sms_opt_out=stop).update(sms_opt_out=stop):
            return False
        opinion.sms_opt_out = stop
        record_event(
            subject_type=SUBJECT,
            subject_id=opinion.code,
            action="sms_opt_out" if stop else "sms_opt_in",
            note="群众选择不再接收短信通知" if stop else "群众恢复接收短信通知",
            actor_label="群众",
        )
    return True
