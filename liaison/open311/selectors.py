"""Open311's reads over ours: categories as services, stations as the station attribute, opinions as service
requests (README "Open311 GeoReport v2" and the package docstring hold the decisions)."""

import math
from datetime import datetime, time, timedelta

from django.db.models import F, Q, Value
from django.db.models.functions import StrIndex
from django.utils import timezone

from liaison.events.models import Event
from liaison.opinions.models import Opinion
from liaison.opinions.selectors import TRACK_TITLES, opinions_visible_to, tracking_timeline
from liaison.org.models import Category, Region, Station
from liaison.org.selectors import path_q, regions_visible_to, stations_visible_to

from .formats import Open311Error

S = Opinion.State
SERVICE_GROUP = "社情民意"
# Open311 knows open and closed: closed once the resident was told the outcome (回访) or the item was closed.
CLOSED_STATES = (S.REPORTED_BACK, S.CLOSED)
DEFAULT_DAYS, MAX_REQUESTS = 90, 1000
CHANNELS = [(value, label) for value, label in Opinion.Channel.choices if value != Opinion.Channel.QR]
DEFAULT_CHANNEL = Opinion.Channel.PHONE


# --- services -------------------------------------------------------------------------------------------------


def service_categories():
    """The top-level active categories, each a service (its name is the service code)."""
    return Category.objects.filter(parent=None, is_active=True).prefetch_related("children").order_by("sort", "id")


def category_for(code: str) -> Category | None:
    return service_categories().filter(name=code).first() if code else None


def service_of(category: Category) -> dict:
    children = [c.name for c in category.children.all() if c.is_active]
    examples = f"，如{'、'.join(children)}" if children else ""
    return {
        "service_code": category.name,
        "service_name": category.name,
        "description": f"向人大代表联络站反映{category.name}方面的社情民意{examples}",
        "metadata": True,
        "type": "realtime",
        "keywords": ",".join(children),
        "group": SERVICE_GROUP,
    }


def jurisdiction(code: str, user=None) -> Region | None:
    """The region a jurisdiction_id names (a division code), within `user`'s regions when a key is given."""
    qs = regions_visible_to(user) if user is not None else Region.objects.all()
    return qs.filter(code=code).first() if code else None


def stations_for(*, region: Region | None = None, user=None):
    """The active stations of the jurisdiction: `region`'s subtree and/or the key's scope; all without either."""
    qs = stations_visible_to(user) if user is not None else Station.objects.all()
    qs = qs.filter(is_active=True)
    if region is not None:
        qs = qs.filter(region__path__startswith=region.path)
    return qs.order_by("code")


def service_definition(category: Category, stations) -> dict:
    station_values = [{"key": s.code, "name": s.name} for s in stations]
    channel_values = [{"key": value, "name": label} for value, label in CHANNELS]
    return {
        "service_code": category.name,
        "attributes": [
            {
                "variable": True,
                "code": "station",
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": "联络站编号",
                "order": 1,
                "description": "受理的联络站。可不填：此时须在 address_id 中给出村（社区）区划代码，"
                "或在 address_string 中写明村（社区）名称，由所在村的联络站受理；或给出 lat/long，由 15 公里内最近的联络站受理",
                "values": station_values,
            },
            {
                "variable": True,
                "code": "channel",
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": "反映渠道，默认“电话”",
                "order": 2,
                "description": "群众最初反映的渠道（如 12345 热线转来的为“电话”）",
                "values": channel_values,
            },
        ],
    }


# --- where a request goes ---------------------------------------------------------------------------------------


def _village_named_in(user, address: str) -> Region | None:
    """The village (村/社区) of the key's regions whose name `address` contains: the longest name wins
    ("石台县仁里镇缘溪村村口" → 缘溪村); a township named too breaks ties between villages of the same name."""
    found = list(
        regions_visible_to(user)
        .filter(level=Region.Level.VILLAGE)
        .annotate(at=StrIndex(Value(address), F("name")))
        .filter(at__gt=0)
        .select_related("parent")
    )
    if not found:
        return None
    found = [r for r in found if r.parent_id and r.parent.name in address] or found
    longest = max(len(r.name) for r in found)
    found = [r for r in found if len(r.name) == longest]
    if len(found) > 1:
        raise Open311Error(
            400,
            f"address_string 中的“{found[0].name}”有多个同名村（社区），请写明乡镇，或用 attribute[station] 指定联络站",
        )
    return found[0]


def _station_of(user, village: Region) -> Station | None:
    stations = stations_visible_to(user).filter(is_active=True).filter(Q(region=village) | Q(villages=village))
    stations = list(stations.distinct().order_by("code"))
    own = [s for s in stations if s.region_id == village.pk]
    return (own or stations or [None])[0]


NEAREST_WITHIN_KM = 15


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine, mean Earth radius) between two (lat, long) points."""
    lat1, lng1, lat2, lng2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def nearest_station(user, point: tuple[float, float]) -> Station | None:
    """The active station of the key's regions nearest to `point`, if one is within NEAREST_WITHIN_KM. A county has
    a few hundred stations: measured in Python over a bounding box of the candidates."""
    lat, lng = point
    box = NEAREST_WITHIN_KM / 111.0
    candidates = stations_visible_to(user).filter(
        is_active=True,
        latitude__range=(lat - box, lat + box),
        longitude__range=(
            lng - box / max(math.cos(math.radians(lat)), 0.01),
            lng + box / max(math.cos(math.radians(lat)), 0.01),
        ),
    )
    best = min(
        ((distance_km(point, (float(s.latitude), float(s.longitude))), s.code, s) for s in candidates),
        default=None,
    )
    return best[2] if best is not None and best[0] <= NEAREST_WITHIN_KM else None


def route_station(
    user, *, station_code: str, address_id: str, address_string: str, point: tuple[float, float] | None = None
) -> Station:
    """The station a request goes to: attribute[station], else the village whose code is address_id, else the
    village named in address_string, else the station nearest to lat/long — each within the key's regions.
    Otherwise a 400 saying what to send."""
    if station_code:
        station = stations_visible_to(user).filter(code=station_code, is_active=True).first()
        if station is None:
            raise Open311Error(400, f"attribute[station]：本密钥所属地区没有编号为“{station_code}”的联络站")
        return station
    if address_id:
        village = regions_visible_to(user).filter(code=address_id, level=Region.Level.VILLAGE).first()
        station = _station_of(user, village) if village else None
        if station is None:
            raise Open311Error(400, f"address_id：本密钥所属地区没有区划代码为“{address_id}”、设有联络站的村（社区）")
        return station
    village = _village_named_in(user, address_string) if address_string else None
    station = _station_of(user, village) if village else None
    if station is None and point is not None:
        station = nearest_station(user, point)
        if station is None:
            raise Open311Error(
                400,
                f"lat/long：本密钥所属地区在该坐标 {NEAREST_WITHIN_KM} 公里内没有联络站；请用 attribute[station] "
                "给出联络站编号，或在 address_string 中写明村（社区）名称",
            )
    if station is None:
        raise Open311Error(
            400,
            "无法确定受理的联络站：请用 attribute[station] 给出联络站编号，或在 address_id 中给出村（社区）区划代码，"
            "或在 address_string 中写明村（社区）名称，或给出 lat/long 由最近的联络站受理",
        )
    return station


# --- service requests -----------------------------------------------------------------------------------------


def requests_visible_to(user, *, ids=(), service_codes=(), start=None, end=None, statuses=(), region=None):
    """The opinions `user` may see as service requests, newest first, at most MAX_REQUESTS. With `ids` the other
    filters are ignored (as the spec says); without dates the last DEFAULT_DAYS days."""
    qs = opinions_visible_to(user).select_related("station__region", "category__parent", "referred_unit")
    if ids:
        return list(qs.filter(code__in=ids).order_by("-created_at", "-id")[:MAX_REQUESTS])
    if region is not None:
        qs = qs.filter(path_q("station__region__path", [region.path]))
    if service_codes:
        top = Q(category__parent=None, category__name__in=service_codes)
        qs = qs.filter(top | Q(category__parent__parent=None, category__parent__name__in=service_codes))
    if start is None and end is None:
        start = timezone.now() - timedelta(days=DEFAULT_DAYS)
    if start is not None:
        qs = qs.filter(created_at__gte=start)
    if end is not None:
        qs = qs.filter(created_at__lte=end)
    if set(statuses) == {"open"}:
        qs = qs.exclude(state__in=CLOSED_STATES)
    elif set(statuses) == {"closed"}:
        qs = qs.filter(state__in=CLOSED_STATES)
    return list(qs.order_by("-created_at", "-id")[:MAX_REQUESTS])


def status_of(opinion: Opinion) -> str:
    return "closed" if opinion.state in CLOSED_STATES else "open"


def _iso(value) -> str | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = timezone.make_aware(datetime.combine(value, time(23, 59, 59)))
    return timezone.localtime(value).isoformat(timespec="seconds")


def _agency(opinion: Opinion, detailed: bool) -> str:
    if opinion.referred_unit_id:
        return opinion.referred_unit.name
    if detailed and opinion.drafting_deputy_id:
        from liaison.suggestions.selectors import current_units_text, suggestions_for_opinion

        units = "、".join(filter(None, (current_units_text(s) for s in suggestions_for_opinion(opinion))))
        if units:
            return units
    if opinion.state == S.VILLAGE_HANDLING:
        return f"{opinion.station.region.name}村两委"
    return opinion.station.name


def _note(title: str, detail: str = "", unit: str = "") -> str:
    return "：".join(filter(None, [title, "，".join(filter(None, [unit, detail]))]))


def request_rows(opinions, *, detailed: bool = False) -> list[dict]:
    """Each opinion as a GeoReport service request. status_notes is the latest public step as the resident's
    status page says it: for one request the whole timeline (the suggestion's steps included), for a list the
    opinion's own last public step (one query for the page). Never a resident's name, phone or query password."""
    last = {}
    events = Event.objects.filter(subject_type="opinion", subject_id__in=[o.code for o in opinions], public=True)
    for e in events.order_by("seq", "at", "id").only("subject_id", "action", "note", "at"):
        last[e.subject_id] = e
    rows = []
    for o in opinions:
        event = last.get(o.code)
        if detailed and (steps := tracking_timeline(o)):
            step = steps[-1]
            notes, updated = _note(step.title, step.detail, step.unit), max(step.at, o.created_at)
        elif event is not None:
            title = TRACK_TITLES.get(event.action, "办理进展")
            notes, updated = _note(title, event.note if event.note != title else ""), event.at
        else:
            notes, updated = o.get_state_display(), o.created_at
        category = (o.category.parent or o.category).name if o.category_id else None
        rows.append(
            {
                "service_request_id": o.code,
                "status": status_of(o),
                "status_notes": notes,
                "service_name": category,
                "service_code": category,
                "description": o.content,
                "agency_responsible": _agency(o, detailed),
                "service_notice": None,
                "requested_datetime": _iso(o.created_at),
                "updated_datetime": _iso(updated),
                "expected_datetime": _iso(o.due_date),
                "address": o.station.address or o.station.name,
                "address_id": o.station.region.code,
                "zipcode": None,
                "lat": None,
                "long": None,
                "media_url": None,
            }
        )
    return rows
