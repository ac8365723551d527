from django.db.models import Count
from ninja import Router, Schema
from ninja.pagination import paginate

from liaison.org.selectors import (
    access_deputy,
    access_station,
    can_see_contacts,
    deputies_visible_to,
    scope_of,
    stations_visible_to,
)

from .pagination import CodeKeysetPagination
from .tokens import api_auth

router = Router(tags=["组织"], auth=api_auth("org"))


class MeOut(Schema):
    username: str
    name: str
    roles: list[str]
    everything: bool


class StationOut(Schema):
    code: str
    name: str
    village: str
    township: str
    county: str
    reception_day: int | None
    deputies: int

    @staticmethod
    def resolve_village(obj):
        return obj.region.name

    @staticmethod
    def resolve_township(obj):
        return obj.region.parent.name

    @staticmethod
    def resolve_county(obj):
        return obj.region.parent.parent.name

    @staticmethod
    def resolve_deputies(obj):
        return obj.n_deputies


class DeputyOut(Schema):
    code: str
    name: str
    levels: list[str]
    home_region: str
    expertise: list[str]
    phone: str

    @staticmethod
    def resolve_levels(obj):
        return [m.level for m in obj.mandates.all()]

    @staticmethod
    def resolve_home_region(obj):
        return obj.home_region.name

    @staticmethod
    def resolve_expertise(obj):
        return obj.expertise_tags

    @staticmethod
    def resolve_phone(obj, context):
        request = context["request"]
        return obj.phone if can_see_contacts(request.user, obj.home_region.path) else obj.masked_phone


def _stations(user):
    return (
        stations_visible_to(user)
        .select_related("region__parent__parent")
        .annotate(n_deputies=Count("stationings"))
        .order_by("code")
    )


@router.get("/me", response=MeOut)
def me(request):
    scope = scope_of(request.user)
    return {
        "username": request.user.username,
        "name": str(request.user),
        "roles": sorted(scope.roles),
        "everything": scope.everything,
    }


@router.get("/stations", response=list[StationOut])
@paginate(CodeKeysetPagination, page_size=50)
def list_stations(request, q: str = ""):
    qs = _stations(request.user)
    return qs.filter(name__contains=q[:50]) if q else qs


@router.get("/stations/{code}", response=StationOut)
def get_station(request, code: str):
    access_station(request.user, code)
    return _stations(request.user).get(code=code)


@router.get("/deputies", response=list[DeputyOut])
@paginate(CodeKeysetPagination, page_size=50)
def list_deputies(request, q: str = ""):
    qs = deputies_visible_to(request.user).select_related("home_region").prefetch_related("mandates").order_by("code")
    return qs.filter(name__contains=q[:50]) if q else qs


@router.get("/deputies/{code}", response=DeputyOut)
def get_deputy(request, code: str):
    return access_deputy(request.user, code)
