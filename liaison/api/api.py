"""JSON API v1 (django-ninja, OpenAPI at /api/v1/docs). Thin: every endpoint calls selectors/services.

Authentication (tokens.py): the web session (CSRF token required on writes) or `Authorization: Bearer <token>` —
a personal token (/accounts/tokens/) or an integration key (admin; limited to its region and endpoints).
Authenticated writes take an `Idempotency-Key` header and replay their answer for a retry (idempotency.py).
Lists page by number (`?page=`, answer `{"items", "count"}`), except the opinions and the suggestions, which page
by cursor (`?cursor=` the previous answer's `next`, answer `{"items", "next"}`; pagination.py).

Errors are always JSON, `{"detail", "field"}`:
400 a body that is not JSON, 401 without a session or valid token, 403 read-only or wrong role (or CSRF, or a key not
allowed that endpoint), 404 out of scope or unknown, 409 wrong state, 413 body too
large, 422 bad input (pydantic field errors: `detail` is then their list) or a domain refusal, 429 throttled.
Every operation's possible errors are added to the OpenAPI schema by `document_errors`, so clients (and the
schema test, tests/api/test_schema_fuzz.py) can rely on it.
"""

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404
from ninja import NinjaAPI

from liaison.lib.errors import DomainError

# The loops' writes join the reads' routers: opinion_writes the opinions', the other two the suggestions'.
from . import assignment_writes, opinion_writes, suggestion_writes  # noqa: F401
from .opinions import router as opinions_router
from .org import router as org_router
from .suggestions import router as suggestions_router
from .tokens import api_auth

ERROR_SCHEMA = {
    "type": "object",
    "properties": {"detail": {"description": "说明（中文）；输入校验错误时为逐字段的错误列表"}, "field": {}},
    "required": ["detail"],
}
ERRORS = {
    400: "请求体无法解析（不是合法的 JSON）",
    401: "未登录，或令牌无效、已撤销、已过期",
    403: "没有权限（只读或角色不符；集成密钥无权调用此接口；CSRF 校验失败）",
    404: "不存在或不在您的权限范围内",
    409: "当前状态不允许此操作",
    413: "请求体过大",
    422: "输入有误（逐字段说明）或业务规则拒绝",
    429: "请求过于频繁",
}


def document_errors(schema: dict) -> dict:
    """Add to each operation the error answers it can give: auth → 401/403, a path parameter → 404,
    any input → 422, a body → 400, a write → 409/413/429, an authenticated write → 404 (the station or
    opinion its body names may be out of scope)."""
    for path, operations in schema.get("paths", {}).items():
        for method, op in operations.items():
            statuses = set()
            if op.get("security"):
                statuses |= {401, 403}
            if "{" in path or (method == "post" and op.get("security")):
                statuses.add(404)
            if op.get("parameters") or op.get("requestBody"):
                statuses.add(422)
            if op.get("requestBody"):
                statuses.add(400)
            if method == "post":
                statuses |= {409, 413, 422, 429}
            responses = op.setdefault("responses", {})
            for status in sorted(statuses):
                responses.setdefault(
                    str(status),
                    {"description": ERRORS[status], "content": {"application/json": {"schema": ERROR_SCHEMA}}},
                )
    return schema


class LiaisonAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs):
        return document_errors(super().get_openapi_schema(**kwargs))


# Each router names its own area (tokens.api_auth); an operation outside them is open to no integration key.
api = LiaisonAPI(title="联络站民意闭环平台 API", version="1", urls_namespace="api-v1", auth=api_auth(None))


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    return api.create_response(request, {"detail": exc.message, "field": exc.field}, status=exc.status)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": ERRORS[404]}, status=404)


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return api.create_response(request, {"detail": str(exc) or "没有权限"}, status=403)


@api.exception_handler(RequestDataTooBig)
def too_big(request, exc):
    return api.create_response(request, {"detail": ERRORS[413]}, status=413)


api.add_router("/", org_router)
api.add_router("/", opinions_router)
api.add_router("/", suggestions_router)
