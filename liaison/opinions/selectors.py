"""Reads of opinions. Every list starts from `opinions_visible_to(user)`; single ones from `access_opinion`."""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from liaison.lib.months import month_range
from liaison.lib.search import search_q
from liaison.org.models import Membership, Region, Role, Station
from liaison.org.selectors import can_see_contacts, can_write_station, path_q, scope_of, stations_visible_to

from .models import Mediation, Opinion, Visit


def opinions_visible_to(user) -> QuerySet[Opinion]:
    """Region subtrees (staff, leaders, village committees), the user's stations (heads, officers, stationed
    deputies) and the opinions a deputy collected. Handling units and outsiders see none."""
    scope = scope_of(user)
    qs = Opinion.objects.all()
    if scope.everything:
        return qs
    # A semi-join on the stations of the region subtrees (not a join through region): the planner can then
    # walk the (created_at, id) index backwards for the first page of a county's 100,000 opinions.
    q = Q(station_id__in=Station.objects.filter(path_q("region__path", scope.region_paths)).values("pk"))
    if scope.station_ids:
        q |= Q(station_id__in=scope.station_ids)
    if scope.deputy_id:
        q |= Q(deputy_id=scope.deputy_id) | Q(drafting_deputy_id=scope.deputy_id)
    return qs.filter(q)


def is_station_head(user, station: Station) -> bool:
    scope = scope_of(user)
    if scope.everything or any(station.region.path.startswith(p) for p in scope.write_region_paths):
        return True
    return Membership.objects.filter(user=user, role=Role.STATION_HEAD, station=station).exists()


def stations_headed_by(user) -> QuerySet[Station]:
    """The stations `user` may chair (is_station_head for each), in one query."""
    scope = scope_of(user)
    qs = stations_visible_to(user).filter(pk__in=scope.write_station_ids)
    if scope.everything:
        return qs
    headed = Membership.objects.filter(user=user, role=Role.STATION_HEAD).values("station_id")
    return qs.filter(path_q("region__path", scope.write_region_paths) | Q(pk__in=headed))


def is_stationed_deputy(user, station: Station) -> bool:
    scope = scope_of(user)
    return bool(scope.deputy_id) and station.stationings.filter(deputy_id=scope.deputy_id).exists()


def can_report_back(user, opinion: Opinion) -> bool:
    scope = scope_of(user)
    return (
        can_write_station(user, opinion.station)
        or (scope.deputy_id is not None and opinion.deputy_id == scope.deputy_id)
        or is_stationed_deputy(user, opinion.station)
    )


def can_record_village_outcome(user, opinion: Opinion) -> bool:
    """The village committee of the station's village(s), or those who manage the station."""
    if can_write_station(user, opinion.station):
        return True
    scope = scope_of(user)
    if Role.VILLAGE_COMMITTEE not in scope.roles:
        return False
    paths = [opinion.station.region.path, *opinion.station.villages.values_list("path", flat=True)]
    committee_paths = Membership.objects.filter(user=user, role=Role.VILLAGE_COMMITTEE).values_list(
        "region__path", flat=True
    )
    return any(p.startswith(c) for p in paths for c in committee_paths)


def sees_contacts(user, station: Station, opinion: Opinion | None = None) -> bool:
    """Residents' names and phones: station roles, staff of the region, admins, and the collecting deputy."""
    scope = scope_of(user)
    if station.pk in scope.write_station_ids or can_see_contacts(user, station.region.path):
        return True
    return opinion is not None and scope.deputy_id is not None and opinion.deputy_id == scope.deputy_id


def access_opinion(user, code: str, write: bool = False) -> Opinion:
    opinion = (
        opinions_visible_to(user)
        .select_related(
            "station__region",
            "category",
            "deputy",
            "drafting_deputy",
            "referred_unit",
            "duplicate_of",
            "visit",
            "created_by",
        )
        .filter(code=code)
        .first()
    )
    if opinion is None:
        raise Http404("社情民意不存在或不在您的权限范围内")
    if write and not can_report_back(user, opinion):
        raise PermissionDenied("您对该社情民意只有查看权限")
    return opinion


def ledger_queryset(user, params: dict) -> tuple[QuerySet[Opinion], dict]:
    """The ledger (民情台账) filtered by the request's parameters; returns the queryset and the cleaned filters."""
    qs = opinions_visible_to(user)
    f = {k: (params.get(k) or "").strip()[:60] for k in ("station", "region", "state", "category", "channel")}
    f.update({k: (params.get(k) or "").strip()[:60] for k in ("deputy", "month", "q")})
    if f["station"]:
        qs = qs.filter(station__code=f["station"])
    if f["region"]:
        path = Region.objects.filter(code=f["region"]).values_list("path", flat=True).first()
        qs = (
            qs.filter(station__in=Station.objects.filter(region__path__startswith=path).values("pk"))
            if path
            else qs.none()
        )
    if f["state"] in Opinion.State.values:
        qs = qs.filter(state=f["state"])
    else:
        f["state"] = ""
    # Only a plausible id filters: a huge or non-ASCII number would overflow the database's integer (a 500).
    if f["category"].isascii() and f["category"].isdigit() and int(f["category"]) < 2**31:
        qs = qs.filter(category_id=int(f["category"]))
    else:
        f["category"] = ""
    if f["channel"] in Opinion.Channel.values:
        qs = qs.filter(channel=f["channel"])
    else:
        f["channel"] = ""
    if f["deputy"]:
        qs = qs.filter(deputy__code=f["deputy"])
    start, end = month_bounds(f["month"])
    if start:
        qs = qs.filter(created_at__gte=start, created_at__lt=end)
    else:
        f["month"] = ""
    if f["q"]:
        # Chinese has no word boundaries, so a 台账 search box means "contains": answered by the bigram index
        # (liaison/lib/search.py), or the opinion's own code.
        qs = qs.filter(search_q(Opinion, f["q"], or_q=Q(code=f["q"].upper())))
    return qs, f


def month_bounds(value: str) -> tuple[datetime | None, datetime | None]:
    try:
        year, month = (int(x) for x in value.split("-"))
        return month_range(year, month, timezone.get_current_timezone())
    except (ValueError, TypeError, OverflowError):
        return None, None


LEDGER_ORDER = ("-created_at", "-id")


def ledger_rows(qs: QuerySet[Opinion]) -> QuerySet[Opinion]:
    return qs.select_related("station__region", "category", "deputy").order_by(*LEDGER_ORDER)


def ledger_page(qs: QuerySet[Opinion], number, per_page: int):
    """One page of the ledger: the pager counts and slices bare ids (no joins, cheap OFFSET), then only
    the page's rows are loaded with their station, category and deputy."""
    page = Paginator(qs.order_by(*LEDGER_ORDER).values_list("pk", flat=True), per_page).get_page(number)
    ids = list(page.object_list)
    rows = Opinion.objects.filter(pk__in=ids).select_related("station__region", "category", "deputy").in_bulk()
    page.object_list = [rows[pk] for pk in ids]
    return page


def visits_visible_to(user) -> QuerySet[Visit]:
    scope = scope_of(user)
    qs = Visit.objects.all()
    if scope.everything:
        return qs
    q = Q(station__in=stations_visible_to(user).values("pk"))
    if scope.deputy_id:
        q |= Q(deputy_id=scope.deputy_id)
    return qs.filter(q)


def mediations_visible_to(user) -> QuerySet[Mediation]:
    scope = scope_of(user)
    qs = Mediation.objects.all()
    if scope.everything:
        return qs
    q = Q(station__in=stations_visible_to(user).values("pk")) | path_q("deputy__home_region__path", scope.region_paths)
    if scope.deputy_id:
        q |= Q(deputy_id=scope.deputy_id)
    return qs.filter(q)


# --- the resident's status page ------------------------------------------------------------------------------


@dataclass
class TrackStep:
    at: datetime
    title: str
    detail: str = ""
    unit: str = ""


# The opinion's public events as the resident reads them.
TRACK_TITLES = {
    "registered": "已登记受理",
    "put_on_agenda": "列入会商议题",
    "answered_on_spot": "当场答复",
    "not_accepted": "不予受理",
    "village_handling": "会商决定：由村两委办理",
    "referred": "会商决定：转办（民情直通车）",
    "to_suggestion": "会商决定：形成代表建议",
    "duplicate": "会商决定：与已登记的问题合并办理",
    "not_feasible": "会商决定：暂不可行",
    "in_suggestion": "已形成代表建议",
    "outcome_recorded": "办理结果",
    "suggestion_answered": "办理结果",
    "reported_back": "已回访",
    "closed": "已关闭",
    "rated": "您的评价",
}
AT_STATION = {"registered", "put_on_agenda", "answered_on_spot", "not_accepted", "to_suggestion", "duplicate"}
AT_STATION |= {"not_feasible", "reported_back", "closed"}


def _track_unit(opinion: Opinion, action: str) -> str:
    if action in AT_STATION:
        return opinion.station.name
    if action == "referred" or (action == "outcome_recorded" and opinion.referred_unit_id):
        return opinion.referred_unit.name if opinion.referred_unit_id else ""
    if action in ("village_handling", "outcome_recorded"):
        return "村两委"
    return ""


def tracking_timeline(opinion: Opinion) -> list[TrackStep]:
    """Every public step of `opinion` and of the deputy suggestions it fed, oldest first, in plain Chinese: the
    date, what happened, the unit that did it (for 交办 and 答复 the handling unit)."""
    from liaison.events.services import timeline
    from liaison.suggestions.selectors import resident_steps_for

    steps = []
    for e in timeline("opinion", opinion.code, public_only=True):
        title = TRACK_TITLES.get(e.action, "办理进展")
        detail = e.note if e.note != title else ""
        if e.action == "in_suggestion":
            code = (e.data or {}).get("suggestion", "")
            detail = f"建议编号 {code}" if code else ""
        steps.append(TrackStep(e.at, title, detail, _track_unit(opinion, e.action)))
    steps += [TrackStep(*step) for step in resident_steps_for(opinion)]
    return sorted(steps, key=lambda s: s.at)
