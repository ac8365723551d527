"""Reads of suggestions, always starting from the user's scope.

- deputies: suggestions they lead or were invited to co-sign, plus the (submitted) suggestions of their stations;
- station heads / liaison officers: their stations' submitted suggestions;
- staff and leaders: their region subtree (the receiving body's region or the lead deputy's station/home region);
- handling units: ONLY suggestions assigned to them;
- anyone else: nothing.
Out of scope → Http404.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

from liaison.events.services import timeline
from liaison.insight.services import similar_items
from liaison.lib.months import month_range
from liaison.org.models import Body, Deputy, Region, User
from liaison.org.selectors import path_q, scope_of

from .lifecycles.assignment import is_unit_of
from .lifecycles.cosignature import signing_deputy_ids
from .lifecycles.suggestion import PRIVATE_STATES, can_manage, is_lead_deputy
from .models import Assignment, Commitment, CoSigner, ExtensionRequest, State, Suggestion, SuggestionSource


def suggestions_visible_to(user: User) -> QuerySet[Suggestion]:
    scope = scope_of(user)
    qs = Suggestion.objects.all()
    if scope.everything:
        return qs
    q = Q(pk__in=[])
    if scope.deputy_id:
        q |= Q(lead_deputy_id=scope.deputy_id) | Q(
            pk__in=CoSigner.objects.filter(deputy_id=scope.deputy_id).values("suggestion_id")
        )
    public_part = Q(pk__in=[])
    if scope.station_ids:
        public_part |= Q(station_id__in=scope.station_ids)
    if scope.region_paths:
        # As subqueries on the (few) bodies and regions of the subtree rather than joins: a count over tens of
        # thousands of suggestions then tests two small hashed sets per row instead of joining two tables.
        public_part |= Q(body__in=Body.objects.filter(path_q("region__path", scope.region_paths))) | Q(
            region__in=Region.objects.filter(path_q("path", scope.region_paths))
        )
    q |= public_part & ~Q(state__in=PRIVATE_STATES)
    if scope.unit_ids:
        q |= Q(pk__in=Assignment.objects.filter(unit_id__in=scope.unit_ids).values("suggestion_id"))
    return qs.filter(q)


def access_suggestion(user: User, code: str, *, write: bool = False) -> Suggestion:
    suggestion = (
        suggestions_visible_to(user)
        .select_related("body", "body__region", "lead_deputy", "category", "station", "region", "supervising_leader")
        .filter(code=code)
        .first()
    )
    if suggestion is None:
        raise Http404("建议不存在或不在您的权限范围内")
    if write and not (is_lead_deputy(user, suggestion) or can_manage(user, suggestion)):
        raise PermissionDenied("您对该建议只有查看权限")
    return suggestion


def assignments_visible_to(user: User) -> QuerySet[Assignment]:
    scope = scope_of(user)
    qs = Assignment.objects.all()
    if scope.everything:
        return qs
    q = Q(unit_id__in=scope.unit_ids) if scope.unit_ids else Q(pk__in=[])
    if scope.region_paths:
        q |= path_q("suggestion__body__region__path", scope.region_paths)
    return qs.filter(q)


def access_assignment(user: User, code: str, *, write: bool = False) -> Assignment:
    assignment = (
        assignments_visible_to(user)
        .select_related("suggestion", "suggestion__body", "suggestion__body__region", "suggestion__category", "unit")
        .filter(code=code)
        .first()
    )
    if assignment is None:
        raise Http404("交办事项不存在或不在您的权限范围内")
    if write and not is_unit_of(user, assignment):
        raise PermissionDenied("只有承办单位可以办理该事项")
    return assignment


# --- who may do what ----------------------------------------------------------------------------------------


def is_unit_only(user: User) -> bool:
    """Users who reach suggestions only as a handling unit: they never see residents' or hidden identities."""
    scope = scope_of(user)
    return bool(scope.unit_ids) and not (scope.everything or scope.region_paths or scope.station_ids or scope.deputy_id)


def shows_identity(user: User, suggestion: Suggestion) -> bool:
    """Confidential suggestions hide the deputy's and affected persons' identity from units (and the public)."""
    if not suggestion.confidential:
        return True
    return not is_unit_only(user)


# --- lineage, report-back ------------------------------------------------------------------------------------


def suggestions_for_opinion(opinion) -> list[Suggestion]:
    """Suggestions an opinion fed into (lineage), for the opinion and status pages."""
    return list(
        Suggestion.objects.filter(sources__opinion=opinion)
        .exclude(state__in=PRIVATE_STATES)
        .order_by("created_at")
        .only("code", "title", "state", "case_number", "created_at")
    )


def suggestions_for_report_back(station, year: int, month: int) -> list[Suggestion]:
    """Suggestions created that month from `station`'s opinions (or by its deputies for the station), for the
    next monthly meeting's report-back section."""
    tz = timezone.get_current_timezone()
    start, end = month_range(year, month, tz)
    from_opinions = SuggestionSource.objects.filter(opinion__station=station).values("suggestion_id")
    return list(
        Suggestion.objects.filter(
            Q(pk__in=from_opinions) | Q(station=station), created_at__gte=start, created_at__lt=end
        )
        .exclude(state__in=PRIVATE_STATES)
        .order_by("created_at")
        .only("code", "title", "state", "case_number", "created_at")
    )


def similar_suggestions(user: User, text: str, *, limit: int = 5) -> list[Suggestion]:
    """Scoped "已有类似建议" lookup through the insight similarity index (drafts and withdrawn ones left out)."""
    hits = similar_items(text, visible={"suggestion": suggestions_visible_to(user)}, k=limit * 3)
    hidden = {*PRIVATE_STATES, State.WITHDRAWN}
    return [h.obj for h in hits if h.obj.state not in hidden][:limit]


# What a deputy did before submitting is between the deputy and the co-signers: units never see it.
PRE_SUBMISSION_ACTIONS = frozenset(
    {"created", "edited", "cosign_opened", "cosign_invited", "cosign_confirmed", "cosign_declined", "cosign_expired"}
)


def suggestion_timeline(user: User, suggestion: Suggestion) -> list:
    """The suggestion's events as `user` may see them: units miss the drafting steps, and where the identity is
    hidden from them (confidential), events by the signing deputies read "代表"."""
    events = [_with_state_labels(e) for e in timeline("suggestion", suggestion.code)]
    if not is_unit_only(user):
        return events
    events = [e for e in events if e.action not in PRE_SUBMISSION_ACTIONS]
    if not shows_identity(user, suggestion):
        deputy_users = set(
            Deputy.objects.filter(pk__in=signing_deputy_ids(suggestion)).values_list("user_id", flat=True)
        )
        for e in events:
            if e.actor_id in deputy_users:
                e.actor_label = "代表"
    return events


# --- what the resident sees (the opinion's status page, the SMS) ---------------------------------------------


def _units_text(assignments, *, answering_only: bool) -> str:
    answering = [a.unit.name for a in assignments if a.answers_suggestion]
    co = [a.unit.name for a in assignments if not a.answers_suggestion]
    text = "、".join(dict.fromkeys(answering))
    if co and not answering_only:
        text += "（协办：" + "、".join(dict.fromkeys(co)) + "）"
    return text


def current_units_text(suggestion: Suggestion, *, answering_only: bool = True) -> str:
    """The units handling `suggestion` now (returned assignments left out), as a resident reads them:
    "石台县住房和城乡建设局", with the co-handlers "（协办：…）" unless `answering_only`."""
    rows = suggestion.assignments.exclude(state=Assignment.State.RETURNED).select_related("unit").order_by("id")
    return _units_text(list(rows), answering_only=answering_only)


# The suggestion's steps a resident whose opinion fed it is shown, in plain Chinese (the rest is the units' and
# staff's work: signing, progress, consultations, extensions, reminders).
RESIDENT_STEPS = {
    "submitted": "代表建议已提交",
    "accepted": "代表建议已立案",
    "merged": "已与内容相近的代表建议合并办理",
    "rejected": "代表建议未予立案",
    "withdrawn": "代表已撤回建议",
    "assigned": "已交办",
    "reassigned": "已重新交办",
    "answered": "承办单位已答复",
    "rehandling": "重新办理",
    "evaluated": "代表已测评",
    "closed": "已办结",
    "follow_up": "跟踪办理",
    "follow_up_closed": "承诺事项已兑现，办结",
}


def resident_steps(suggestion: Suggestion) -> list[tuple]:
    """(at, title, detail, unit) for each public step of `suggestion`; for 交办 and 答复 the unit is the handling
    unit's name, for the receiving body's steps the body's."""
    body = suggestion.body.name
    events = [e for e in timeline("suggestion", suggestion.code) if e.action in RESIDENT_STEPS]
    assignments = list(suggestion.assignments.select_related("unit").order_by("id"))
    replacements = iter([a for a in assignments if a.replaces_id])
    answers = list(suggestion.answers.select_related("assignment__unit").order_by("created_at", "id"))
    steps, answered_before = [], None
    for e in events:
        detail, unit = "", body
        if e.action == "submitted":
            detail = f"代表将建议《{suggestion.title}》提交{body}"
        elif e.action == "accepted":
            detail = f"案号 {suggestion.case_number}" if suggestion.case_number else ""
        elif e.action == "assigned":
            unit = _units_text([a for a in assignments if not a.replaces_id], answering_only=False)
        elif e.action == "reassigned":
            row = next(replacements, None)
            unit = row.unit.name if row else ""
        elif e.action == "answered":
            given = [
                a
                for a in answers
                if a.created_at <= e.at and (answered_before is None or a.created_at > answered_before)
            ]
            given = given or [a for a in answers if a.created_at <= e.at][-1:]
            unit = "、".join(dict.fromkeys(a.assignment.unit.name for a in given))
            detail = "；".join(dict.fromkeys(f"答复类别：{a.class_label}" for a in given))
            answered_before = e.at
        elif e.action in ("withdrawn", "evaluated"):
            unit = ""
        elif e.action in ("rehandling", "follow_up"):
            unit = _units_text([a for a in assignments if a.state != Assignment.State.RETURNED], answering_only=True)
            detail = "代表对答复不满意，承办单位重新办理" if e.action == "rehandling" else "答复承诺的事项逾期未完成"
        steps.append((e.at, RESIDENT_STEPS[e.action], detail, unit))
    return steps


def resident_steps_for(opinion) -> list[tuple]:
    """The public steps of every submitted suggestion `opinion` fed (merged ones lead to the one kept)."""
    suggestions = (
        Suggestion.objects.filter(sources__opinion=opinion)
        .exclude(state__in=PRIVATE_STATES)
        .select_related("body")
        .order_by("created_at", "id")
    )
    return [step for s in suggestions for step in resident_steps(s)]


# A suggestion's chain also carries the state changes of its assignments, co-signers, extension requests and
# commitments (services/common.py move_assignment, drafting, handling, evaluation): each is shown in its own
# states' words, with what it was about.
_OTHER_STATES = {
    "cosign_confirmed": (CoSigner.State, "附议"),
    "cosign_declined": (CoSigner.State, "附议"),
    "cosign_expired": (CoSigner.State, "附议"),
    "extension_approved": (ExtensionRequest.State, "延期申请"),
    "extension_rejected": (ExtensionRequest.State, "延期申请"),
    "commitment_done": (Commitment.State, "答复承诺"),
    "commitment_missed": (Commitment.State, "答复承诺"),
}


def _with_state_labels(event):
    """Sets `event.change`: the state change in the states' labels, in the page's language, with whose state it
    was when not the suggestion's — "已交办 → 已退回待重新交办", "石台县住建局（主办）：待签收 → 已退回"."""
    data = event.data or {}
    if "unit" in data:  # move_assignment()
        states = Assignment.State
        role = data.get("role")
        about = data["unit"]
        if role in Assignment.Role.values:
            about = gettext("%(unit)s（%(role)s）") % {"unit": about, "role": gettext(Assignment.Role(role).label)}
    else:
        states, about = _OTHER_STATES.get(event.action, (State, ""))
        about = gettext(about) if about else ""

    def label(value):
        return gettext(states(value).label) if value in states.values else (value or "—")

    change = f"{label(event.from_state)} → {label(event.to_state)}"
    event.change = gettext("%(about)s：%(change)s") % {"about": about, "change": change} if about else change
    return event


def units_assignable_for(suggestion: Suggestion):
    """Active handling units within the receiving body's region (the ones it may assign)."""
    from liaison.org.models import HandlingUnit

    return HandlingUnit.objects.filter(is_active=True, region__path__startswith=suggestion.body.region.path).order_by(
        "kind", "code"
    )


def leaders_for(suggestion: Suggestion):
    """Leaders of the receiving body's region or any region above it (candidates for 重点督办)."""
    from liaison.org.models import Role

    parts = [p for p in suggestion.body.region.path.split("/") if p]
    ancestors = ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
    return User.objects.filter(memberships__role=Role.LEADER, memberships__region__path__in=ancestors).distinct()
