"""Prometheus metrics at /metrics (prometheus-client): request latency, outbox depth, overdue items, heartbeat.

Request latency is a histogram per URL name (bounded cardinality: the route, never the path with its codes),
observed by `RequestMetricsMiddleware`. The rest are read from the database at scrape time by a collector, so
every instance reports the same figures. Under gunicorn with several workers set PROMETHEUS_MULTIPROC_DIR (an
empty directory, prometheus-client's multiprocess mode) so the histogram covers all workers, not one.

Access: addresses in LIAISON_METRICS_ALLOW (default loopback) or `Authorization: Bearer LIAISON_METRICS_TOKEN`.
"""

import ipaddress
import os
import time

from django.conf import settings
from django.db.models import Count
from django.utils import timezone
from prometheus_client import CollectorRegistry, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily

from .replica import replica_lag_seconds

REQUEST_LATENCY = Histogram(
    "liaison_request_seconds",
    "HTTP request duration by route",
    ["route", "method", "status"],
    buckets=(0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5, 10, 30),
)


class RequestMetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        start = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        route = (match.view_name if match else "") or "unmatched"
        status = f"{response.status_code // 100}xx"
        REQUEST_LATENCY.labels(route, request.method, status).observe(time.perf_counter() - start)
        return response


class DatabaseCollector:
    """Gauges read at scrape time: the outbox, overdue assignments by flag, the worker's heartbeat age."""

    def collect(self):
        from liaison.notify.models import Notification
        from liaison.suggestions.lifecycles.assignment import OPEN
        from liaison.suggestions.models import Assignment

        from .models import Heartbeat

        outbox = GaugeMetricFamily("liaison_outbox_notifications", "Notifications by status", labels=["status"])
        for row in Notification.objects.values("status").annotate(n=Count("id")):
            outbox.add_metric([row["status"]], row["n"])
        yield outbox

        flags = GaugeMetricFamily("liaison_open_assignments", "Open assignments by supervision flag", labels=["flag"])
        for row in Assignment.objects.filter(state__in=OPEN).values("flag").annotate(n=Count("id")):
            flags.add_metric([row["flag"]], row["n"])
        yield flags
        overdue = Assignment.objects.filter(state__in=OPEN, due_date__lt=timezone.localdate()).count()
        yield GaugeMetricFamily("liaison_overdue_assignments", "Open assignments past their due date", value=overdue)

        beat = GaugeMetricFamily(
            "liaison_heartbeat_age_seconds", "Seconds since a process's heartbeat", labels=["name"]
        )
        for row in Heartbeat.objects.all():
            beat.add_metric([row.name], (timezone.now() - row.beat_at).total_seconds())
        yield beat

        lag = replica_lag_seconds()
        if lag is not None:
            yield GaugeMetricFamily(
                "liaison_replica_lag_seconds",
                "Seconds the read replica is behind the primary (0: caught up)",
                value=lag,
            )


def render() -> bytes:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_ProcessLocal())
    registry.register(DatabaseCollector())
    return generate_latest(registry)


class _ProcessLocal:
    """This process's own metrics (the request histogram) when not in multiprocess mode."""

    def collect(self):
        yield from REQUEST_LATENCY.collect()


def allowed(request) -> bool:
    token = settings.LIAISON_METRICS_TOKEN
    if token and request.headers.get("Authorization", "") == f"Bearer {token}":
        return True
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(n, strict=False) for n in settings.LIAISON_METRICS_ALLOW)
