"""JSON API v1 (django-ninja, OpenAPI at /api/v1/docs). Thin: every endpoint calls selectors/services.

Authentication is the web session (CSRF token required on writes). Errors: 422 with field errors for bad
input (pydantic), 409/422 with {"detail", "field"} for domain refusals, 404 out of scope, 403 read-only.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import NinjaAPI
from ninja.security import django_auth

from liaison.lib.errors import DomainError

from .opinions import router as opinions_router
from .org import router as org_router
from .suggestions import router as suggestions_router

api = NinjaAPI(title="联络站民意闭环平台 API", version="1", urls_namespace="api-v1", auth=django_auth)


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    return api.create_response(request, {"detail": exc.message, "field": exc.field}, status=exc.status)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": "不存在或不在您的权限范围内"}, status=404)


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return api.create_response(request, {"detail": str(exc) or "没有权限"}, status=403)


api.add_router("/", org_router)
api.add_router("/", opinions_router)
api.add_router("/", suggestions_router)
