"""Dashboards, drill-down lists, bulletins, performance records and their xlsx exports. Thin views: scope
first (liaison.org.selectors; out of scope → 404), data from dashboards/metrics/assessment/bulletin."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from liaison.lib.xlsx import xlsx_response
from liaison.org.models import Category, Level, Region, Station
from liaison.org.selectors import access_station, broadest_region, regions_visible_to, scope_of, stations_visible_to

from . import assessment as assess
from . import bulletin as bulletins
from . import dashboards, reads, rollups
from . import metrics as m
from .models import Bulletin

PAGE_SIZE = 50


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _filters(request, *, region=None, station=None, deputy=None) -> m.Filters:
    g = request.GET
    level = g.get("level", "")
    return m.Filters(
        m.parse_period(g),
        region=region,
        station=station,
        deputy=deputy,
        category_id=_int(g.get("category")),
        level=level if level in Level.values else "",
        body_id=_int(g.get("body")),
    )


def _choices(request, filters):
    return {
        # Not "categories": the dashboards' 分类 table is called that (dashboards.overview).
        "category_options": Category.objects.filter(parent__isnull=True, is_active=True),
        "levels": Level.choices,
        "period_options": _period_options(),
        "filters": filters,
        "period_value": request.GET.get("period", ""),
    }


def _period_options():
    today = timezone.localdate()
    this = m.month_start(today)
    opts = [("", "近12个月")]
    for i in range(1, 4):
        mth = m.shift_month(this, -i)
        opts.append((f"{mth:%Y-%m}", f"{mth.year}年{mth.month}月"))
    q = (today.month - 1) // 3 + 1
    opts.append((f"{today.year}-Q{q}", f"{today.year}年第{q}季度"))
    opts += [(str(today.year), f"{today.year}年"), (str(today.year - 1), f"{today.year - 1}年")]
    return opts


@login_required
def index(request):
    scope = scope_of(request.user)
    region = broadest_region(request.user)
    if region:
        return redirect("reports-region", region.code)
    if scope.write_station_ids:
        station = Station.objects.filter(pk__in=scope.write_station_ids).order_by("code").first()
        return redirect("reports-station", station.code)
    if scope.deputy_id:
        from liaison.org.models import Deputy

        return redirect("reports-deputy", Deputy.objects.get(pk=scope.deputy_id).code)
    raise Http404("没有可查看的统计")


@login_required
def region_dashboard(request, code):
    rollups.ensure_fresh()
    region = dashboards.region_for(request.user, code)
    if region.level == Region.Level.VILLAGE:
        station = Station.objects.filter(region=region).order_by("code").first()
        if station is None:
            raise Http404
        return redirect("reports-station", station.code)
    filters = _filters(request, region=region)
    context = dashboards.overview(
        filters,
        region,
        overdue_page=reads.page_number(request.GET.get("overdue")),
        supervised_page=reads.page_number(request.GET.get("supervised")),
    )
    context.update(_choices(request, filters))
    context.update(
        region=region,
        ancestors=_ancestors(request.user, region),
        definitions=[(k, m.METRICS[k].label, m.METRICS[k].definition) for k in m.HEADLINE],
        cohort_note=m.COHORT_NOTE,
        query=dashboards.filters_query(filters),
        last_month=m.shift_month(m.month_start(timezone.localdate()), -1),
    )
    return render(request, "reports/region.html", context)


def _ancestors(user, region):
    scope = scope_of(user)
    chain, node = [], region.parent
    while node is not None:
        if scope.everything or any(node.path.startswith(p) for p in scope.region_paths):
            chain.append(node)
        node = node.parent
    return list(reversed(chain))


@login_required
def township_comparison(request, code):
    rollups.ensure_fresh()
    region = dashboards.region_for(request.user, code)
    filters = _filters(request, region=region)
    context = dashboards.comparison(filters, region)
    context.update(_choices(request, filters))
    context.update(region=region, query=dashboards.filters_query(filters), cohort_note=m.COHORT_NOTE)
    context["definitions"] = [
        (k, m.METRICS[k].label, m.METRICS[k].definition) for k in ("feedback_rate", "closed_rate", "satisfaction")
    ]
    return render(request, "reports/compare.html", context)


@login_required
def station_dashboard(request, code):
    rollups.ensure_fresh()
    station = access_station(request.user, code)
    filters = _filters(request, station=station)
    context = dashboards.station_view(filters, overdue_page=reads.page_number(request.GET.get("overdue")))
    context.update(_choices(request, filters))
    context.update(
        station=station,
        definitions=[(k, m.METRICS[k].label, m.METRICS[k].definition) for k in m.HEADLINE],
        cohort_note=m.COHORT_NOTE,
        query=dashboards.filters_query(filters),
        last_month=m.shift_month(m.month_start(timezone.localdate()), -1),
    )
    return render(request, "reports/station.html", context)


def year_param(request) -> int:
    """The ?year= of a yearly page (assessments, unit scoring): this year when absent or not a number."""
    year = _int(request.GET.get("year")) or timezone.localdate().year
    return min(max(year, 2000), 2100)


@login_required
def deputy_record(request, code):
    deputy = dashboards.deputy_for(request.user, code)
    year = year_param(request)
    context = assess.deputy_record(deputy, year)
    context.update(deputy=deputy, year=year, years=range(timezone.localdate().year, timezone.localdate().year - 4, -1))
    context["drill"] = {
        k: dashboards.drill(k, context["filters"]) for k in ("opinions", "raised", "closed_rate", "satisfaction")
    }
    drilled = {"opinions": "opinions", "led": "raised"}  # the counts with a list behind them, as for the year
    for r in context["rows"]:
        r["quarter_cells"] = [
            (n, dashboards.drill(drilled[r["key"]], q["filters"]) if r["key"] in drilled and n else "")
            for n, q in zip(r["quarters"], context["quarters"], strict=True)
        ]
    if request.GET.get("format") == "xlsx":
        rows = [[r["label"], r["count"], float(r["weight"]), float(r["points"])] for r in context["rows"]]
        rows.append(["合计积分", "", "", float(context["points"])])
        rows += [[f"第{q['q']}季度积分", "", "", float(q["points"])] for q in context["quarters"]]
        rows += [[label, value, "", definition] for _k, label, value, definition in context["rates"]]
        return xlsx_response(f"{deputy.name}{year}年履职档案.xlsx", "履职档案", ["项目", "数量", "权重", "积分"], rows)
    return render(request, "reports/deputy.html", context)


@login_required
def assessment(request, code):
    rollups.ensure_fresh()
    region = dashboards.region_for(request.user, code)
    year = year_param(request)
    short = assess.shortlist(region, year)
    stations = assess.station_assessment(region, year, short["weights"])
    return render(
        request,
        "reports/assessment.html",
        {
            "region": region,
            "year": year,
            "years": range(timezone.localdate().year, timezone.localdate().year - 4, -1),
            "stations": stations,
            "short": short,
            "items": assess.ACTIVITY_ITEMS,
        },
    )


@login_required
def assessment_export(request, code, table):
    region = dashboards.region_for(request.user, code)
    year = year_param(request)
    if table == "stations":
        rows = (
            [
                r["station"].code,
                r["station"].name,
                r["township"],
                r["activity"],
                r["loop_text"],
                r["timeliness_text"],
                r["satisfaction_text"],
                r["score"],
                r["stars"],
            ]
            for r in assess.station_assessment(region, year)
        )
        heads = ["站点编码", "联络站", "乡镇", "活跃度", "反馈率", "按期答复率", "满意率", "得分", "星级"]
        return xlsx_response(f"{region.name}{year}年联络站考评.xlsx", "联络站考评", heads, rows)
    if table == "shortlist":
        short = assess.shortlist(region, year)
        rows = [["代表", r["deputy"].code, r["deputy"].name, float(r["points"]), ""] for r in short["deputies"]]
        rows += [
            ["联络站", r["station"].code, r["station"].name, r["score"], r["star_text"]] for r in short["stations"]
        ]
        rows += [
            ["不参评联络站", r["station"].code, r["station"].name, r["score"], r["excluded_reason"]]
            for r in short["excluded"]
        ]
        return xlsx_response(
            f"{region.name}{year}年推荐名单.xlsx", "推荐名单", ["类别", "编号", "名称", "积分/得分", "说明"], rows
        )
    raise Http404


# --- drill-down ----------------------------------------------------------------------------------------------


def _drill_scope(request):
    g = request.GET
    if g.get("deputy"):
        return {"deputy": dashboards.deputy_for(request.user, g["deputy"])}
    if g.get("station"):
        return {"station": access_station(request.user, g["station"])}
    if g.get("region"):
        return {"region": dashboards.region_for(request.user, g["region"])}
    raise Http404


@login_required
def items(request):
    metric = m.METRICS.get(request.GET.get("metric", ""))
    if metric is None:
        raise Http404
    filters = _filters(request, **_drill_scope(request))
    part = "num" if request.GET.get("part") == "num" else ""
    qs = m.items(metric, filters, part)
    qs = _with_relations(metric, qs)
    if request.GET.get("format") == "xlsx":
        heads, rows = _item_rows(metric, qs.iterator(chunk_size=2000))
        return xlsx_response(f"{metric.label}明细.xlsx", metric.label[:31], heads, rows)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    num_ids = set()
    if metric.is_rate and not part:
        num_ids = set(m.items(metric, filters, "num").filter(pk__in=[x.pk for x in page]).values_list("pk", flat=True))
    heads, rows = _item_rows(metric, page, num_ids if metric.is_rate and not part else None)
    rows = list(rows)
    base = request.GET.copy()
    base.pop("page", None)
    return render(
        request,
        "reports/items.html",
        {
            "metric": metric,
            "filters": filters,
            "part": part,
            "page": page,
            "heads": heads,
            "rows": rows,
            "query": base.urlencode(),
            "scope_name": (filters.deputy or filters.station or filters.region).name,
            "cohort_note": m.COHORT_NOTE,
        },
    )


def _with_relations(metric, qs):
    if metric.subject == "opinion":
        return qs.select_related("station", "category").order_by("created_at", "id")
    if metric.subject == "decision":
        return qs.select_related("meeting", "meeting__station", "opinion").order_by(
            "meeting__year", "meeting__month", "id"
        )
    return qs.select_related("station", "lead_deputy", "category", "body").order_by("submitted_at", "id")


def _local(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _item_rows(metric, objects, num_ids=None):
    """Headers and row tuples of a drill-down list (the same for the page and the xlsx)."""
    mark = [metric.num_label] if num_ids is not None else []
    if metric.subject == "opinion":
        heads = ["查询码", "标题", "联络站", "渠道", "分类", "状态", "登记时间", *mark]

        def row(o):
            extra = ["✓" if o.pk in num_ids else ""] if num_ids is not None else []
            return [
                o.code,
                o.title,
                o.station.name,
                o.get_channel_display(),
                o.category.name if o.category else "",
                o.get_state_display(),
                _local(o.created_at),
                *extra,
            ]

    elif metric.subject == "decision":
        heads = ["会商", "联络站", "社情民意", "决定", "决定说明"]

        def row(a):
            return [
                f"{a.meeting.year}年{a.meeting.month}月",
                a.meeting.station.name,
                f"{a.opinion.code} {a.opinion.title}",
                a.get_decision_display(),
                a.decision_note,
            ]

    else:
        heads = ["建议编号", "案号", "标题", "领衔代表", "联络站", "分类", "状态", "提交时间", *mark]

        def row(s):
            extra = ["✓" if s.pk in num_ids else ""] if num_ids is not None else []
            return [
                s.code,
                s.case_number,
                s.title,
                "（保密）" if s.confidential else s.lead_deputy.name,
                s.station.name if s.station else "",
                s.category.name,
                s.get_state_display(),
                _local(s.submitted_at),
                *extra,
            ]

    return heads, (row(x) for x in objects)


# --- dashboard table exports ---------------------------------------------------------------------------------


@login_required
def region_export(request, code, table):
    rollups.ensure_fresh()
    region = dashboards.region_for(request.user, code)
    filters = _filters(request, region=region)
    if table == "ranking":
        rank = dashboards.ranking(filters, region)
        heads = [rank["label"], "社情民意", "建议", *[m.METRICS[k].label for k in m.RATE_KEYS]]
        rows = ([r["name"], r["opinions"], r["raised"], *[r["rates"][k] for k in m.RATE_KEYS]] for r in rank["rows"])
        return xlsx_response(f"{region.name}{rank['label']}排名.xlsx", "排名", heads, rows)
    if table == "stations":
        rank = dashboards.ranking(filters, Region(level=Region.Level.TOWNSHIP))
        heads = ["联络站", "社情民意", "建议", *[m.METRICS[k].label for k in m.RATE_KEYS]]
        rows = ([r["name"], r["opinions"], r["raised"], *[r["rates"][k] for k in m.RATE_KEYS]] for r in rank["rows"])
        return xlsx_response(f"{region.name}联络站排名.xlsx", "联络站排名", heads, rows)
    if table == "categories":
        heads = ["分类", "社情民意", "建议", "办结率"]
        rows = ([c["name"], c["opinions"], c["raised"], c["closed_rate"]] for c in dashboards.categories(filters))
        return xlsx_response(f"{region.name}分类统计.xlsx", "分类统计", heads, rows)
    if table == "compare":
        data = dashboards.comparison(filters, region)
        heads = ["联络站", "覆盖村/社区", "常住人口", "社情民意", "建议", "每千人件数", "反馈率", "办结率", "满意率"]
        rows = (
            [
                r["station"].name,
                r["villages"],
                r["population"],
                r["opinions"],
                r["raised"],
                r["per_1000_text"],
                r["feedback_rate_text"],
                r["closed_rate_text"],
                r["satisfaction_text"],
            ]
            for r in data["rows"]
        )
        return xlsx_response(f"{region.name}村站对比.xlsx", "村站对比", heads, rows)
    if table == "overdue":
        heads = ["建议编号", "案号", "标题", "承办单位", "办理期限", "督办标识"]
        rows = (
            [
                a.suggestion.code,
                a.suggestion.case_number,
                a.suggestion.title,
                a.unit.name,
                a.due_date,
                a.get_flag_display(),
            ]
            for a in m.overdue_assignments(filters)
            .select_related("suggestion", "unit")
            .order_by("due_date", "id")
            .iterator(chunk_size=2000)
        )
        return xlsx_response(f"{region.name}超期事项.xlsx", "超期事项", heads, rows)
    raise Http404


# --- bulletins -----------------------------------------------------------------------------------------------


def _bulletin_scope(user, scope: str, code: str):
    if scope == "station":
        return access_station(user, code)
    if scope == "region":
        region = dashboards.region_for(user, code)
        if region.level == Region.Level.VILLAGE:
            raise Http404
        return region
    raise Http404


def _bulletin_month(value: str) -> dt.date:
    month = m.parse_month(value)
    if month is None or month >= m.month_start(timezone.localdate()):
        raise Http404("只能生成已结束月份的通报")
    return month


@login_required
def bulletin_page(request, scope, code, month):
    rollups.ensure_fresh()
    obj = _bulletin_scope(request.user, scope, code)
    b = bulletins.generate(obj, _bulletin_month(month))
    return render(
        request,
        "reports/bulletin.html",
        {"b": b, "data": bulletins.for_display(b.figures), "scope_kind": scope, "code": code, "month": month},
    )


@login_required
def bulletin_file(request, scope, code, month, fmt):
    rollups.ensure_fresh()
    obj = _bulletin_scope(request.user, scope, code)
    if fmt not in ("docx", "xlsx"):
        raise Http404
    b = bulletins.generate(obj, _bulletin_month(month))
    f = b.docx if fmt == "docx" else b.xlsx
    return FileResponse(f.open("rb"), as_attachment=True, filename=f"{b.title}.{fmt}")


@login_required
def bulletin_list(request):
    qs = Bulletin.objects.select_related("region", "station").filter(
        Q(region__in=regions_visible_to(request.user)) | Q(station__in=stations_visible_to(request.user))
    )
    kind = request.GET.get("kind", "")
    if kind in Bulletin.Kind.values:
        qs = qs.filter(kind=kind)
    else:
        kind = ""
    # The regions a bulletin can be about (city, counties, townships), in tree order; one narrows to its subtree.
    regions = list(
        regions_visible_to(request.user)
        .exclude(level=Region.Level.VILLAGE)
        .order_by("path")
        .only("code", "name", "level", "path")
    )
    region = next((r for r in regions if r.code == request.GET.get("region")), None)
    if region is not None:
        qs = qs.filter(Q(region__path__startswith=region.path) | Q(station__region__path__startswith=region.path))
    page = Paginator(qs.order_by("-month", "kind", "id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "reports/bulletins.html",
        {"page": page, "kinds": Bulletin.Kind.choices, "kind": kind, "regions": regions, "region": region},
    )
