"""Precomputed hot topics and clusters per region and period (the pages read these; the worker writes them).

A snapshot is recomputed only when its source opinions changed: the source mark is the scope's latest opinion
id, its count and its count per state (a state change alters a cluster's state figures).
"""

import dataclasses
import datetime as dt

from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from liaison.lib.months import shift_month
from liaison.opinions.models import Opinion
from liaison.org.models import Region, Station
from liaison.org.selectors import scope_of

from . import services
from .models import TopicSnapshot

TOPIC_MONTHS = (1, 3, 12)  # the periods the hot-topics page offers
INLINE_MAX = 300  # a page computes a missing snapshot itself only below this many opinions


def covers(user, region: Region) -> bool:
    """Whether the user sees every opinion of the region (a snapshot is computed over all of them)."""
    scope = scope_of(user)
    return scope.everything or any(region.path.startswith(p) for p in scope.region_paths)


def _scope(region: Region):
    return Opinion.objects.filter(
        station_id__in=Station.objects.filter(region__path__startswith=region.path).values("pk")
    )


def periods(kind: str, start: dt.date, months: int) -> tuple[dt.date, dt.date, dt.date]:
    """(previous start, start, end) of a snapshot's period; clusters have no previous period."""
    end = shift_month(start, months)
    return (shift_month(start, -months) if kind == TopicSnapshot.Kind.TOPICS else start), start, end


def source_mark(kind: str, region: Region, start: dt.date, months: int) -> str:
    first, _, end = periods(kind, start, months)
    qs = _scope(region).filter(created_at__date__gte=first, created_at__date__lt=end)
    agg = qs.aggregate(n=Count("id"), top=Max("id"))
    states = ",".join(
        f"{s}={n}" for s, n in qs.order_by().values_list("state").annotate(n=Count("id")).order_by("state")
    )
    return f"{agg['top'] or 0}:{agg['n']}:{states}"[:200]


def compute_payload(kind: str, region: Region, start: dt.date, months: int) -> list:
    previous_start, start, end = periods(kind, start, months)
    base = _scope(region)
    current = base.filter(created_at__date__gte=start, created_at__date__lt=end)
    if kind == TopicSnapshot.Kind.CLUSTERS:
        return services.clusters_across_villages(current)
    previous = base.filter(created_at__date__gte=previous_start, created_at__date__lt=start)
    return [dataclasses.asdict(t) for t in services.hot_topics_for(current, previous)]


def refresh(*, kind: str, region: Region, start: dt.date, months: int = 1, force: bool = False) -> bool:
    """Recompute one snapshot when its source changed (or none exists). True when it was (re)written."""
    mark = source_mark(kind, region, start, months)
    key = {"kind": kind, "region": region, "start": start, "months": months}
    if not force and TopicSnapshot.objects.filter(**key, source=mark).exists():
        return False
    payload = compute_payload(kind, region, start, months)
    with transaction.atomic():
        TopicSnapshot.objects.update_or_create(
            **key, defaults={"source": mark, "payload": payload, "computed_at": timezone.now()}
        )
    return True


def snapshot_regions():
    """Regions holding at least one station, with all their ancestors (the regions the pages can be asked for)."""
    paths = set(Station.objects.values_list("region__path", flat=True))
    return [r for r in Region.objects.order_by("path") if any(p.startswith(r.path) for p in paths)]


def wanted(today: dt.date | None = None):
    """(kind, start, months) of the periods kept precomputed: this month and last, monthly, quarterly, yearly."""
    month = (today or timezone.localdate()).replace(day=1)
    for ending in (month, shift_month(month, -1)):
        for months in TOPIC_MONTHS:
            yield TopicSnapshot.Kind.TOPICS, shift_month(ending, -(months - 1)), months
        yield TopicSnapshot.Kind.CLUSTERS, ending, 1


def refresh_all(today: dt.date | None = None) -> tuple[int, int]:
    """One idempotent pass over every region and period; returns (recomputed, unchanged)."""
    done = kept = 0
    for region in snapshot_regions():
        for kind, start, months in wanted(today):
            if refresh(kind=kind, region=region, start=start, months=months):
                done += 1
            else:
                kept += 1
    return done, kept


def read(*, kind: str, region: Region, start: dt.date, months: int = 1) -> TopicSnapshot | None:
    """The stored snapshot; when missing, computed at once if the scope is small, else queued for the worker."""
    key = {"kind": kind, "region": region, "start": start, "months": months}
    snap = TopicSnapshot.objects.filter(**key).first()
    if snap is not None:
        return snap
    first, _, end = periods(kind, start, months)
    if _scope(region).filter(created_at__date__gte=first, created_at__date__lt=end).count() <= INLINE_MAX:
        refresh(**key)
        return TopicSnapshot.objects.filter(**key).first()
    from .tasks import compute_snapshot

    transaction.on_commit(lambda: compute_snapshot.enqueue(kind, region.code, start.isoformat(), months))
    return None
