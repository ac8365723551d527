"""Liveness, readiness and metrics endpoints for load balancers and monitoring (no login; see health.py)."""

from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST

from . import health, metrics


@never_cache
def healthz(request):
    """Liveness: the process answers. No database call, so a database outage does not restart every instance."""
    return HttpResponse("ok", content_type="text/plain")


@never_cache
def readyz(request):
    ok, checks = health.readiness()
    return JsonResponse({"status": "ok" if ok else "unavailable", "checks": checks}, status=200 if ok else 503)


@never_cache
def metrics_view(request):
    if not metrics.allowed(request):
        return HttpResponse("forbidden", status=403, content_type="text/plain")
    return HttpResponse(metrics.render(), content_type=CONTENT_TYPE_LATEST)
