"""Suggestions in the API: scoped reads; confidential items hide identities from those who may not see them. The
suggestion loop's writes join this router from suggestion_writes.py and assignment_writes.py."""

from ninja import Router, Schema
from ninja.pagination import paginate

from liaison.suggestions.selectors import access_suggestion, shows_identity, suggestions_visible_to

from .pagination import KeysetPagination
from .tokens import api_auth

router = Router(tags=["代表建议"], auth=api_auth("suggestions"))


class SuggestionOut(Schema):
    code: str
    case_number: str
    title: str
    state: str
    state_label: str
    category: str | None
    body: str
    lead_deputy: str | None
    confidential: bool
    key_supervised: bool
    created_at: str

    @staticmethod
    def resolve_state_label(obj):
        return obj.get_state_display()

    @staticmethod
    def resolve_category(obj):
        return obj.category.name if obj.category_id else None

    @staticmethod
    def resolve_body(obj):
        return obj.body.name

    @staticmethod
    def resolve_lead_deputy(obj, context):
        return obj.lead_deputy.name if shows_identity(context["request"].user, obj) else None

    @staticmethod
    def resolve_created_at(obj):
        return obj.created_at.isoformat()


@router.get(
    "/suggestions", response=list[SuggestionOut], summary="代表建议列表（最新在前，按游标翻页：?cursor=上一页的 next）"
)
@paginate(KeysetPagination, page_size=50)
def list_suggestions(request, state: str = ""):
    qs = (
        suggestions_visible_to(request.user)
        .select_related("category", "body", "lead_deputy")
        .order_by("-created_at", "-id")
    )
    return qs.filter(state=state) if state else qs


@router.get("/suggestions/{code}", response=SuggestionOut)
def get_suggestion(request, code: str):
    return access_suggestion(request.user, code)
