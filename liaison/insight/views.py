"""Insight pages: similar items (htmx partial), category proposal, hot topics, clusters across villages."""

import dataclasses
import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import Count, Max
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from liaison.lib.months import shift_month
from liaison.opinions.models import Opinion
from liaison.opinions.selectors import opinions_visible_to
from liaison.org.models import Region, Station
from liaison.org.selectors import access_region, broadest_region, regions_visible_to, scope_of
from liaison.suggestions.selectors import suggestions_visible_to

from . import services, snapshots
from .models import TopicSnapshot

MAX_QUERY = 2000


def _text(request) -> str:
    if request.GET.get("text"):
        return request.GET["text"][:MAX_QUERY]
    return f"{request.GET.get('title', '')}\n{request.GET.get('content', '')}".strip()[:MAX_QUERY]


def _month(value: str | None) -> dt.date:
    today = timezone.localdate()
    try:
        year, month = (int(x) for x in (value or "").split("-"))
        return dt.date(year, month, 1)
    except ValueError:
        return today.replace(day=1)


_shift = shift_month


def default_region(user) -> Region:
    """The broadest region the user may look at: their membership region, else their station's township."""
    region = broadest_region(user)
    if region is not None:
        return region
    station = Station.objects.filter(pk__in=scope_of(user).station_ids).select_related("region").first()
    if station is None:
        raise Http404("没有可分析的地区")
    return station.region


def _region(request) -> Region:
    code = request.GET.get("region", "").strip()
    return access_region(request.user, code) if code else default_region(request.user)


@login_required
@require_GET
def similar(request):
    kind = request.GET.get("kind", "all")
    visible = {}
    if kind in ("all", "opinion"):
        visible["opinion"] = opinions_visible_to(request.user).select_related("station")
    if kind in ("all", "suggestion"):
        visible["suggestion"] = suggestions_visible_to(request.user)
    region_code = request.GET.get("region", "")
    path = access_region(request.user, region_code).path if region_code else ""
    exclude = tuple(request.GET.getlist("exclude"))
    hits = services.similar_items(_text(request), visible=visible, region_path=path, exclude=exclude)
    return render(request, "insight/_similar.html", {"hits": hits})


@login_required
@require_GET
def categorise(request):
    prediction = services.propose_category(_text(request))
    return render(request, "insight/_category.html", {"prediction": prediction})


def _hot_topics(request, region, start, end, months, base):
    """(hot topics, snapshot): the stored result when the user sees the whole region, else computed live."""
    if snapshots.covers(request.user, region):
        snap = snapshots.read(kind=TopicSnapshot.Kind.TOPICS, region=region, start=start, months=months)
        return (snap.payload if snap else []), snap, snap is None
    # Station-scoped users see a few stations only: their topics are computed on their own opinions.
    current = base.filter(created_at__date__gte=start, created_at__date__lt=end)
    previous = base.filter(created_at__date__gte=_shift(start, -months), created_at__date__lt=start)
    latest = base.aggregate(n=Max("id"))["n"]
    key = f"insight-topics:{request.user.pk}:{region.code}:{start}:{end}:{latest}"
    hot = cache.get_or_set(
        key, lambda: [dataclasses.asdict(t) for t in services.hot_topics_for(current, previous)], 3600
    )
    return hot, None, False


@login_required
@require_GET
def topics(request):
    region = _region(request)
    month = _month(request.GET.get("month"))
    raw = request.GET.get("months", "1")
    months = max(1, min(int(raw), 12)) if raw.isdigit() else 1
    start, end = _shift(month, -(months - 1)), _shift(month, 1)
    base = opinions_visible_to(request.user).filter(station__region__path__startswith=region.path)
    hot, snap, pending = _hot_topics(request, region, start, end, months, base)

    def monthly():
        return list(
            base.filter(created_at__date__gte=_shift(month, -11), created_at__date__lt=end)
            .annotate(m=TruncMonth("created_at"))
            .values("m")
            .annotate(n=Count("id"))
            .order_by("m")
        )

    # With a snapshot the viewer sees the whole region: the 12-month trend is shared and kept as long as a pass.
    trend = cache.get_or_set(f"insight-trend:{region.code}:{month}", monthly, 900) if snap else monthly()
    chart = {
        "labels": ["、".join(t["label"][:3]) for t in hot],
        "current": [t["size"] for t in hot],
        "previous": [t["previous_size"] for t in hot],
        "trend_months": [row["m"].strftime("%Y-%m") for row in trend],
        "trend_counts": [row["n"] for row in trend],
    }
    return render(
        request,
        "insight/topics.html",
        {
            "region": region,
            "month": month,
            "months": months,
            "hot": hot,
            "snapshot": snap,
            "pending": pending,
            "chart": chart,
            "current_total": base.filter(created_at__date__gte=start, created_at__date__lt=end).count(),
            "children": regions_visible_to(request.user).filter(parent=region),
        },
    )


def _with_state_labels(cluster: dict) -> dict:
    """The cluster's state counts under the states' labels ("已登记 114"), in the page's language."""
    labels = dict(Opinion.State.choices)
    states = {gettext(labels.get(value, value)): n for value, n in cluster["states"].items()}
    return {**cluster, "states": states}


@login_required
@require_GET
def clusters(request):
    region = _region(request)
    month = _month(request.GET.get("month"))
    qs = opinions_visible_to(request.user).filter(
        station__region__path__startswith=region.path,
        created_at__date__gte=month,
        created_at__date__lt=_shift(month, 1),
    )
    snap, pending = None, False
    if snapshots.covers(request.user, region):
        snap = snapshots.read(kind=TopicSnapshot.Kind.CLUSTERS, region=region, start=month, months=1)
        found, pending = (snap.payload if snap else []), snap is None
    else:  # station-scoped users: a few stations' opinions, clustered on the spot
        found = services.clusters_across_villages(qs)
    return render(
        request,
        "insight/clusters.html",
        {
            "region": region,
            "month": month,
            "clusters": [_with_state_labels(c) for c in found],
            "snapshot": snap,
            "pending": pending,
            "total": qs.count(),
        },
    )
