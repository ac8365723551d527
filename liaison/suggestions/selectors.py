"""Reads of suggestions, always starting from the user's scope.

- deputies: suggestions they lead or were invited to co-sign, plus the (submitted) suggestions of their stations;
- station heads / liaison officers: their stations' submitted suggestions;
- staff and leaders: their region subtree (the receiving body's region or the lead deputy's station/home region);
- handling units: ONLY suggestions assigned to them;
- anyone else: nothing.
Out of scope → Http404.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from liaison.insight.services import similar_items
from liaison.org.models import User
from liaison.org.selectors import path_q, scope_of

from .models import PRIVATE_STATES, Assignment, CoSigner, Suggestion, SuggestionSource


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
        public_part |= path_q("body__region__path", scope.region_paths) | path_q("region__path", scope.region_paths)
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


def can_manage(user: User, suggestion: Suggestion) -> bool:
    """Congress staff of the receiving body's region (or admins): review, assign, approve, close."""
    scope = scope_of(user)
    if scope.everything:
        return True
    path = suggestion.body.region.path
    return any(path.startswith(p) for p in scope.write_region_paths)


def can_supervise(user: User, suggestion: Suggestion) -> bool:
    """Staff and leaders of the body's region: key supervision, notes, reminders."""
    scope = scope_of(user)
    if scope.everything or can_manage(user, suggestion):
        return True
    if "leader" not in scope.roles:
        return False
    path = suggestion.body.region.path
    return any(path.startswith(p) for p in scope.region_paths)


def is_lead_deputy(user: User, suggestion: Suggestion) -> bool:
    scope = scope_of(user)
    return scope.deputy_id is not None and scope.deputy_id == suggestion.lead_deputy_id


def is_unit_of(user: User, assignment: Assignment) -> bool:
    return assignment.unit_id in scope_of(user).unit_ids


def is_unit_only(user: User) -> bool:
    """Users who reach suggestions only as a handling unit: they never see residents' or hidden identities."""
    scope = scope_of(user)
    return bool(scope.unit_ids) and not (scope.everything or scope.region_paths or scope.station_ids or scope.deputy_id)


def signing_deputy_ids(suggestion: Suggestion) -> list[int]:
    ids = [suggestion.lead_deputy_id]
    ids += list(
        CoSigner.objects.filter(suggestion=suggestion, state=CoSigner.State.CONFIRMED).values_list(
            "deputy_id", flat=True
        )
    )
    return ids


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
    start = dt.datetime(year, month, 1, tzinfo=tz)
    end = dt.datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
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
    hidden = {*PRIVATE_STATES, "withdrawn"}
    return [h.obj for h in hits if h.obj.state not in hidden][:limit]
