"""承办单位办理工作考核 pages: the region's units scored for a year, its xlsx, and each figure's items.

Scope as the other region reports: `dashboards.region_for` (staff, leaders of the region; out of scope → 404);
a unit outside the region → 404. Data from unit_scoring.py."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from liaison.lib.xlsx import xlsx_response

from . import dashboards
from . import unit_scoring as us
from .models import UnitScoringWeights
from .views import year_param

PAGE_SIZE = 50


def _drill(region, unit, year, key, part=""):
    url = reverse("reports-units-items", args=[region.code, unit.code])
    return f"{url}?year={year}&figure={key}" + (f"&part={part}" if part else "")


@login_required
def unit_scoring(request, code):
    region = dashboards.region_for(request.user, code)
    year = year_param(request)
    weights = UnitScoringWeights.current()
    rows = us.score_units(region, year, weights)
    for r in rows:
        r["links"] = [
            {
                "figure": f,
                "text": text,
                "url": _drill(region, r["unit"], year, f.key),
                "num_url": _drill(region, r["unit"], year, f.key, "num") if f.is_rate else "",
                "den": r["parts"][f.key][1] if f.is_rate else None,
            }
            for f, _value, text in r["cells"]
        ]
    this = timezone.localdate().year
    return render(
        request,
        "reports/unit_scoring.html",
        {
            "region": region,
            "year": year,
            "years": range(this, this - 4, -1),
            "rows": rows,
            "figures": us.FIGURES,
            "weights": weights,
        },
    )


@login_required
def unit_scoring_export(request, code):
    region = dashboards.region_for(request.user, code)
    year = year_param(request)
    heads = ["排名", "单位编码", "承办单位", *[f.label for f in us.FIGURES], "基础分", "扣分", "得分"]
    rows = (
        [
            r["rank"] or "—",
            r["unit"].code,
            r["unit"].name,
            *[text if f.is_rate else value for f, value, text in r["cells"]],
            "—" if r["base"] is None else r["base"],
            "—" if r["deduction"] is None else r["deduction"],
            "—" if r["score"] is None else r["score"],
        ]
        for r in us.score_units(region, year)
    )
    return xlsx_response(f"{region.name}{year}年承办单位办理工作考核.xlsx", "承办单位考核", heads, rows)


@login_required
def unit_scoring_items(request, code, unit):
    region = dashboards.region_for(request.user, code)
    handling_unit = us.units_in(region).filter(code=unit).first()
    figure = us.BY_KEY.get(request.GET.get("figure", ""))
    if handling_unit is None or figure is None:
        raise Http404("承办单位或考核项目不存在")
    year = year_param(request)
    part = "num" if request.GET.get("part") == "num" and figure.is_rate else ""
    qs = us.items(handling_unit, year, figure.key, part).select_related("suggestion").order_by("assigned_on", "id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    overdue = us.overdue_days_of(qs) if figure.key == "overdue_days" else {}
    for a in page:
        a.overdue_days = overdue.get(a.pk)
    return render(
        request,
        "reports/unit_scoring_items.html",
        {
            "region": region,
            "unit": handling_unit,
            "figure": figure,
            "part": part,
            "year": year,
            "page": page,
            "label": us.FLAG_LABELS[figure.num if part else figure.den] if figure.is_rate else figure.label,
            "query": f"year={year}&figure={figure.key}" + (f"&part={part}" if part else ""),
        },
    )
