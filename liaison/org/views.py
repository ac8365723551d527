"""Organisation pages: home, browsing regions/stations/deputies/units, xlsx import and export; the 403 and 404
pages (liaison/urls.py handler403, handler404). Thin views."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_http_methods

from liaison.lib.xlsx import xlsx_response

from . import importing
from .models import Mandate, Stationing
from .selectors import (
    access_deputy,
    access_region,
    access_station,
    can_see_contacts,
    deputies_visible_to,
    home_summary,
    regions_visible_to,
    scope_of,
    stations_visible_to,
    units_visible_to,
)

PAGE_SIZE = 50


@login_required
def home(request):
    from liaison.notify.services import unread_for

    context = home_summary(request.user)
    context["notifications"] = _distinct_notices(unread_for(request.user, limit=2 * NOTICES))[:NOTICES]
    context["panels"] = []
    for provider in HOME_PANELS:
        context["panels"].extend(provider(request.user))
    return render(request, "home.html", context)


NOTICES = 10  # unread notices on the home page


def _distinct_notices(notifications) -> list:
    """Each notice once: the same subject and link again (a suggestion answered a second time after 重新办理, a
    reminder repeated) shows as one line, the newest."""
    seen, out = set(), []
    for n in notifications:
        if (n.subject, n.link) not in seen:
            seen.add((n.subject, n.link))
            out.append(n)
    return out


_HAN = re.compile(r"[\u4e00-\u9fff]")


def _reason(exception) -> str:
    """The refusal in the code's own words (NotAllowed, the access_… helpers' Http404: Chinese sentences), not
    Django's (a URL that matches nothing, get_object_or_404's English), which the pages replace with their own."""
    message = exception.args[0] if getattr(exception, "args", None) else ""
    return message if isinstance(message, str) and _HAN.search(message) else ""


@requires_csrf_token
def permission_denied(request, exception):
    return render(request, "403.html", {"reason": _reason(exception)}, status=403)


@requires_csrf_token
def page_not_found(request, exception):
    return render(request, "404.html", {"reason": _reason(exception)}, status=404)


# Apps add "waiting for you" panels here (each: callable(user) -> list of {"title", "items", "empty", "url"}).
HOME_PANELS: list = []


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


@login_required
def region_list(request):
    scope = scope_of(request.user)
    regions = regions_visible_to(request.user)
    # Top of the user's visible tree: regions whose parent is not visible.
    visible_ids = regions.values("pk")
    roots = regions.exclude(parent__in=visible_ids).annotate(n_children=Count("children"))
    return render(request, "org/region_list.html", {"regions": roots, "scope": scope})


@login_required
def region_detail(request, code):
    region = access_region(request.user, code)
    children = regions_visible_to(request.user).filter(parent=region).annotate(n_children=Count("children"))
    stations = stations_visible_to(request.user).filter(region__path__startswith=region.path)
    return render(
        request,
        "org/region_detail.html",
        {
            "region": region,
            "children": children,
            "station_count": stations.count(),
            "stations": stations.select_related("region")[:100],
            "ancestors": _ancestors(region),
        },
    )


def _ancestors(region):
    chain, node = [], region.parent
    while node is not None:
        chain.append(node)
        node = node.parent
    return list(reversed(chain))


@login_required
def station_list(request):
    qs = (
        stations_visible_to(request.user)
        .select_related("region", "region__parent")
        .annotate(n_deputies=Count("stationings"))
    )
    q = request.GET.get("q", "").strip()[:50]
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(code__icontains=q) | Q(region__parent__name__contains=q))
    region_code = request.GET.get("region", "").strip()
    if region_code:
        region = access_region(request.user, region_code)
        qs = qs.filter(region__path__startswith=region.path)
    page = _page(request, qs.order_by("code"))
    return render(request, "org/station_list.html", {"page": page, "q": q, "total": page.paginator.count})


@login_required
def station_detail(request, code):
    station = access_station(request.user, code)
    stationings = (
        Stationing.objects.filter(station=station)
        .select_related("deputy")
        .prefetch_related(Prefetch("deputy__mandates", queryset=Mandate.objects.order_by("level")))
    )
    return render(
        request,
        "org/station_detail.html",
        {
            "station": station,
            "villages": station.villages.all(),
            "stationings": stationings,
            "show_phone": can_see_contacts(request.user, station.region.path),
        },
    )


@login_required
def deputy_list(request):
    qs = deputies_visible_to(request.user).select_related("home_region").prefetch_related("mandates")
    q = request.GET.get("q", "").strip()[:50]
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(code__icontains=q) | Q(expertise__contains=q))
    level = request.GET.get("level", "")
    if level:
        qs = qs.filter(mandates__level=level)
    page = _page(request, qs.order_by("code"))
    return render(
        request,
        "org/deputy_list.html",
        {
            "page": page,
            "q": q,
            "level": level,
            "total": page.paginator.count,
            "levels": Mandate._meta.get_field("level").choices,
        },
    )


@login_required
def deputy_detail(request, code):
    deputy = access_deputy(request.user, code)
    return render(
        request,
        "org/deputy_detail.html",
        {
            "deputy": deputy,
            "mandates": deputy.mandates.select_related("region"),
            "stations": stations_visible_to(request.user).filter(stationings__deputy=deputy),
            "show_phone": can_see_contacts(request.user, deputy.home_region.path),
        },
    )


@login_required
def unit_list(request):
    qs = units_visible_to(request.user).select_related("region").prefetch_related("categories")
    page = _page(request, qs.order_by("code"))
    return render(request, "org/unit_list.html", {"page": page, "total": page.paginator.count})


def _require_import_right(user):
    if not scope_of(user).everything:
        raise PermissionDenied("只有系统管理员可以批量导入")


@login_required
def export_sheet(request, kind):
    sheet = importing.SHEETS.get(kind)
    if sheet is None:
        raise Http404
    visible = {
        "regions": regions_visible_to,
        "stations": stations_visible_to,
        "deputies": deputies_visible_to,
        "units": units_visible_to,
    }[kind](request.user)
    options = {}
    if kind == "deputies":  # the same right as the deputy's and the station's pages: by the deputy's region
        options["show_phone"] = lambda d: can_see_contacts(request.user, d.home_region.path)
    return xlsx_response(f"{sheet.title}.xlsx", sheet.title, sheet.headers(), sheet.export_rows(visible, **options))


@login_required
def import_template(request, kind):
    sheet = importing.SHEETS.get(kind)
    if sheet is None:
        raise Http404
    return xlsx_response(f"{sheet.title}导入模板.xlsx", sheet.title, sheet.headers(), [sheet.example])


@login_required
@require_http_methods(["GET", "POST"])
def import_view(request):
    _require_import_right(request.user)
    result = None
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        upload = request.FILES.get("file")
        if kind not in importing.SHEETS:
            messages.error(request, "请选择导入类型")
        elif upload is None:
            messages.error(request, "请选择要导入的 xlsx 文件")
        else:
            result = importing.import_xlsx(kind, upload, actor=request.user)
            if result.ok:
                messages.success(request, f"导入成功：新增 {result.created} 行，更新 {result.updated} 行")
                return redirect("org-import")
            messages.error(request, f"导入失败：共 {len(result.errors)} 处错误，未导入任何数据")
    return render(request, "org/import.html", {"sheets": importing.SHEETS, "result": result})
