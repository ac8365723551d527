"""Opinions in the API: the resident's public submission (idempotent) and scoped reads; the writes of the opinion
loop join this router from opinion_writes.py."""

from django.shortcuts import get_object_or_404
from ninja import Field, Header, Router, Schema, Status
from ninja.pagination import paginate

from liaison.lib.masking import mask_name, mask_phone
from liaison.opinions.selectors import access_opinion, opinions_visible_to, sees_contacts
from liaison.opinions.services import ENDPOINT_API, client_hash, submit_public_opinion
from liaison.org.models import Category, Station

from .pagination import KeysetPagination
from .tokens import api_auth

router = Router(tags=["社情民意"], auth=api_auth("opinions"))
IDEMPOTENCY_KEY_PATTERN = r"^[A-Za-z0-9]{16,64}$"


class PublicOpinionIn(Schema):
    content: str = Field(..., min_length=1, max_length=5000, description="反映的问题")
    title: str = Field("", max_length=100)
    category: str = Field("", max_length=40, description="分类名称（可空，系统会建议）")
    resident_name: str = Field("", max_length=50)
    resident_phone: str = Field("", max_length=20)


class PublicOpinionOut(Schema):
    code: str
    password: str
    created: bool
    category: str | None


class OpinionOut(Schema):
    code: str
    title: str
    content: str
    state: str
    state_label: str
    channel: str
    station: str
    category: str | None
    created_at: str
    resident_name: str
    resident_phone: str

    @staticmethod
    def resolve_state_label(obj):
        return obj.get_state_display()

    @staticmethod
    def resolve_station(obj):
        return obj.station.code

    @staticmethod
    def resolve_category(obj):
        return obj.category.name if obj.category_id else None

    @staticmethod
    def resolve_created_at(obj):
        return obj.created_at.isoformat()

    @staticmethod
    def resolve_resident_name(obj, context):
        return obj.resident_name if _contacts(context, obj) else mask_name(obj.resident_name)

    @staticmethod
    def resolve_resident_phone(obj, context):
        return obj.resident_phone if _contacts(context, obj) else mask_phone(obj.resident_phone)


def _contacts(context, obj) -> bool:
    return sees_contacts(context["request"].user, obj.station, obj)


@router.post(
    "/public/stations/{station_code}/opinions",
    response={200: PublicOpinionOut, 201: PublicOpinionOut},
    auth=None,
    summary="群众提交社情民意（需 Idempotency-Key 请求头，重试不会重复）",
)
def submit_public(
    request,
    station_code: str,
    payload: PublicOpinionIn,
    key: str = Header(
        ...,
        alias="Idempotency-Key",
        pattern=IDEMPOTENCY_KEY_PATTERN,
        description="客户端为这一次提交生成的随机键（16–64 位字母数字，如 UUID 去掉连字符）；重试时原样重发",
    ),
):
    station = get_object_or_404(Station, code=station_code, is_active=True)
    # Without a (known) category the intake service fills in a confident proposal itself.
    category = Category.objects.filter(name=payload.category, is_active=True).first() if payload.category else None
    opinion, password, created = submit_public_opinion(
        station=station,
        key=key,
        content=payload.content,
        title=payload.title,
        category=category,
        resident_name=payload.resident_name,
        resident_phone=payload.resident_phone,
        client=client_hash(request.META.get("REMOTE_ADDR", "")),
        endpoint=ENDPOINT_API,
    )
    body = {
        "code": opinion.code,
        "password": password,
        "created": created,
        "category": opinion.category.name if opinion.category_id else None,
    }
    return Status(201 if created else 200, body)


@router.get(
    "/opinions", response=list[OpinionOut], summary="社情民意列表（最新在前，按游标翻页：?cursor=上一页的 next）"
)
@paginate(KeysetPagination, page_size=50)
def list_opinions(request, state: str = "", station: str = ""):
    qs = opinions_visible_to(request.user).select_related("station__region", "category").order_by("-created_at", "-id")
    if state:
        qs = qs.filter(state=state)
    if station:
        qs = qs.filter(station__code=station)
    return qs


@router.get("/opinions/{code}", response=OpinionOut)
def get_opinion(request, code: str):
    return access_opinion(request.user, code)
