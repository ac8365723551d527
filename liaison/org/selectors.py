"""Scoping core: every list starts from `…_visible_to(user)`; single objects come from `access_…`.

A user's scope is the union of their memberships: region subtrees (staff, leaders, village committees),
stations (station heads, liaison officers; deputies through their stationings), handling units.
Out-of-scope objects raise Http404 (never 403, so guessing codes reveals nothing); visible but
read-only objects raise PermissionDenied (403) on write access.
"""

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from .models import Body, Deputy, HandlingUnit, Membership, Region, Role, Station, Stationing, User


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    roles: frozenset = frozenset()
    region_paths: tuple = ()  # subtrees readable (staff, leader, village committee)
    write_region_paths: tuple = ()  # subtrees writable (staff)
    station_ids: frozenset = frozenset()  # stations readable through a station role or stationing
    write_station_ids: frozenset = frozenset()  # station head / liaison officer
    write_station_paths: tuple = ()  # region paths of those stations' villages
    unit_ids: frozenset = frozenset()
    deputy_id: int | None = None

    def has(self, *roles: str) -> bool:
        return self.everything or bool(self.roles.intersection(roles))


def scope_of(user: User) -> Scope:
    """The user's scope, computed once per request (cached on the user object)."""
    if not user or not user.is_authenticated or not user.is_active:
        return Scope()
    cached = getattr(user, "_liaison_scope", None)
    if cached is not None:
        return cached
    memberships = list(Membership.objects.filter(user=user).select_related("region"))
    roles = {m.role for m in memberships}
    everything = user.is_superuser or Role.ADMIN in roles
    region_paths = tuple(
        m.region.path
        for m in memberships
        if m.role in (Role.STAFF, Role.LEADER, Role.VILLAGE_COMMITTEE) and m.region_id
    )
    write_region_paths = tuple(m.region.path for m in memberships if m.role == Role.STAFF and m.region_id)
    write_station_ids = {
        m.station_id for m in memberships if m.role in (Role.STATION_HEAD, Role.LIAISON_OFFICER) and m.station_id
    }
    station_ids = set(write_station_ids)
    write_station_paths = (
        tuple(Station.objects.filter(pk__in=write_station_ids).values_list("region__path", flat=True))
        if write_station_ids
        else ()
    )
    deputy = Deputy.objects.filter(user=user).only("id").first()
    if deputy is not None:
        roles.add(Role.DEPUTY)
        station_ids.update(Stationing.objects.filter(deputy=deputy).values_list("station_id", flat=True))
    scope = Scope(
        everything=everything,
        roles=frozenset(roles),
        region_paths=region_paths,
        write_region_paths=write_region_paths,
        station_ids=frozenset(station_ids),
        write_station_ids=frozenset(write_station_ids),
        write_station_paths=write_station_paths,
        unit_ids=frozenset(m.unit_id for m in memberships if m.role == Role.UNIT and m.unit_id),
        deputy_id=deputy.id if deputy else None,
    )
    user._liaison_scope = scope
    return scope


def path_q(field: str, paths) -> Q:
    """Q matching rows whose region path (through `field`) lies in any of the given subtrees."""
    if not paths:
        return Q(pk__in=[])
    return reduce(or_, (Q(**{f"{field}__startswith": p}) for p in paths))


def regions_visible_to(user: User) -> QuerySet[Region]:
    scope = scope_of(user)
    qs = Region.objects.all()
    if scope.everything:
        return qs
    q = path_q("path", scope.region_paths)
    if scope.station_ids:
        q |= Q(covering_stations__in=scope.station_ids) | Q(stations__in=scope.station_ids)
        return qs.filter(pk__in=Region.objects.filter(q).values("pk"))
    return qs.filter(q)


def stations_visible_to(user: User) -> QuerySet[Station]:
    scope = scope_of(user)
    qs = Station.objects.all()
    if scope.everything:
        return qs
    return qs.filter(path_q("region__path", scope.region_paths) | Q(pk__in=scope.station_ids))


def deputies_visible_to(user: User) -> QuerySet[Deputy]:
    """Deputies stationed at visible stations, deputies elected in the user's regions, and oneself."""
    scope = scope_of(user)
    qs = Deputy.objects.all()
    if scope.everything:
        return qs
    stationed = Stationing.objects.filter(station__in=stations_visible_to(user)).values("deputy_id")
    q = Q(pk__in=stationed) | path_q("home_region__path", scope.region_paths)
    if scope.deputy_id:
        q |= Q(pk=scope.deputy_id)
    return qs.filter(q)


def units_visible_to(user: User) -> QuerySet[HandlingUnit]:
    scope = scope_of(user)
    qs = HandlingUnit.objects.all()
    if scope.everything:
        return qs
    return qs.filter(path_q("region__path", scope.region_paths) | Q(pk__in=scope.unit_ids))


def bodies_visible_to(user: User) -> QuerySet[Body]:
    scope = scope_of(user)
    if scope.everything:
        return Body.objects.all()
    return Body.objects.filter(path_q("region__path", scope.region_paths))


def _deny_unless(allowed: bool):
    if not allowed:
        raise PermissionDenied("您对该对象只有查看权限")


def can_write_station(user: User, station: Station) -> bool:
    scope = scope_of(user)
    if scope.everything or station.pk in scope.write_station_ids:
        return True
    return any(station.region.path.startswith(p) for p in scope.write_region_paths)


def access_station(user: User, code: str, *, write: bool = False) -> Station:
    station = stations_visible_to(user).select_related("region", "region__parent").filter(code=code).first()
    if station is None:
        raise Http404("联络站不存在或不在您的权限范围内")
    if write:
        _deny_unless(can_write_station(user, station))
    return station


def access_region(user: User, code: str, *, write: bool = False) -> Region:
    region = regions_visible_to(user).filter(code=code).select_related("parent").first()
    if region is None:
        raise Http404("地区不存在或不在您的权限范围内")
    if write:
        scope = scope_of(user)
        _deny_unless(scope.everything or any(region.path.startswith(p) for p in scope.write_region_paths))
    return region


def access_deputy(user: User, code: str, *, write: bool = False) -> Deputy:
    deputy = deputies_visible_to(user).filter(code=code).select_related("home_region").first()
    if deputy is None:
        raise Http404("代表不存在或不在您的权限范围内")
    if write:
        scope = scope_of(user)
        _deny_unless(
            scope.everything
            or deputy.pk == scope.deputy_id
            or any(deputy.home_region.path.startswith(p) for p in scope.write_region_paths)
        )
    return deputy


def access_unit(user: User, code: str, *, write: bool = False) -> HandlingUnit:
    unit = units_visible_to(user).filter(code=code).select_related("region").first()
    if unit is None:
        raise Http404("承办单位不存在或不在您的权限范围内")
    if write:
        scope = scope_of(user)
        _deny_unless(
            scope.everything
            or unit.pk in scope.unit_ids
            or any(unit.region.path.startswith(p) for p in scope.write_region_paths)
        )
    return unit


def can_see_contacts(user: User, region_path: str | None = None) -> bool:
    """Residents' and deputies' phone numbers: only admins, staff of the region and station roles."""
    scope = scope_of(user)
    if scope.everything:
        return True
    if region_path is None:
        return bool(scope.write_region_paths or scope.write_station_ids)
    return any(region_path.startswith(p) for p in (*scope.write_region_paths, *scope.write_station_paths))


def body_for_level(level: str, home_region: Region) -> Body | None:
    """The body receiving a deputy's suggestion follows the mandate level.

    Township deputies → the township presidium; county deputies → the county standing committee;
    city, provincial and national deputies stationed here → the city standing committee's office,
    which forwards upward (the city office is the one that collects them in the liaison-station model).
    """
    region = home_region.congress_region(level)
    if region is None:
        return None
    return Body.objects.filter(region=region).first()


def broadest_region(user: User) -> Region | None:
    """The widest region the user looks at by default: the root for admins, else their largest membership region."""
    scope = scope_of(user)
    if scope.everything:
        return Region.objects.filter(parent__isnull=True).order_by("path").first()
    if scope.region_paths:
        return Region.objects.filter(path=min(scope.region_paths, key=len)).first()
    return None


def home_summary(user: User) -> dict:
    scope = scope_of(user)
    return {
        "scope": scope,
        "memberships": list(Membership.objects.filter(user=user).select_related("region", "station", "unit")),
        "station_count": stations_visible_to(user).count() if not scope.unit_ids or scope.everything else 0,
    }
