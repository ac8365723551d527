"""Registering by staff and deputies: an opinion, a visit with its opinions, a mediation; the deputy's record."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from liaison.lib.errors import DomainError
from liaison.org.models import Station
from liaison.org.selectors import access_deputy, scope_of, stations_visible_to

from .. import services
from ..forms import MediationForm, RegisterForm, VisitForm, VisitOpinionFormSet
from ..models import ReportBack
from ..selectors import mediations_visible_to, opinions_visible_to, visits_visible_to
from ..validation import clean_photos
from .common import PAGE_SIZE


def _manageable_stations(user):
    scope = scope_of(user)
    stations = stations_visible_to(user).select_related("region")
    if scope.everything:
        return stations
    from liaison.org.selectors import path_q

    return stations.filter(Q(pk__in=scope.write_station_ids) | path_q("region__path", scope.write_region_paths))


@login_required
@require_http_methods(["GET", "POST"])
def opinion_register(request):
    stations = _manageable_stations(request.user)
    if not stations.exists():
        raise PermissionDenied("只有联络员、站长或人大工作人员可以登记社情民意")
    initial = {"station": stations.filter(code=request.GET.get("station", "")).first() or stations.first()}
    form = RegisterForm(request.POST or None, request.FILES or None, stations=stations, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            opinion, password = services.register_opinion(
                station=data["station"],
                channel=data["channel"],
                title=data["title"],
                content=data["content"],
                category=data["category"],
                deputy=data["deputy"],
                resident_name=data["resident_name"],
                resident_phone=data["resident_phone"],
                photos=clean_photos(data["photos"]),
                actor=request.user,
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已登记。查询码 {opinion.code}，查询密码 {password}（只显示这一次，请告知群众）")
            return redirect("opinions-detail", code=opinion.code)
    return render(request, "opinions/register.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def visit_new(request):
    deputy = getattr(request.user, "deputy", None)
    if deputy is None:
        raise PermissionDenied("只有人大代表可以登记走访")
    stations = Station.objects.filter(stationings__deputy=deputy).select_related("region")
    form = VisitForm(request.POST or None, stations=stations, initial={"station": stations.first()})
    formset = VisitOpinionFormSet(request.POST or None, request.FILES or None, prefix="op")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        items = [f.cleaned_data for f in formset.forms if f.has_changed() and f.cleaned_data]
        try:
            visit, created = services.log_visit(deputy=deputy, actor=request.user, opinions=items, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            codes = "；".join(f"{o.code}（密码 {p}）" for o, p in created)
            messages.success(
                request,
                f"已登记走访及社情民意 {len(created)} 条。"
                + (f"查询码：{codes}。密码只显示这一次，请告知群众。" if codes else ""),
            )
            return redirect("opinions-visits")
    return render(request, "opinions/visit_form.html", {"form": form, "formset": formset})


@login_required
def visit_list(request):
    qs = (
        visits_visible_to(request.user)
        .select_related("deputy", "station")
        .annotate(n=Count("opinions"))
        .order_by("-date", "-id")
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "opinions/visit_list.html", {"page": page, "total": page.paginator.count})


@login_required
@require_http_methods(["GET", "POST"])
def mediation_new(request):
    deputy = getattr(request.user, "deputy", None)
    if deputy is None:
        raise PermissionDenied("只有人大代表可以登记矛盾纠纷化解")
    stations = Station.objects.filter(stationings__deputy=deputy)
    form = MediationForm(request.POST or None, stations=stations, initial={"station": stations.first()})
    if request.method == "POST" and form.is_valid():
        try:
            services.record_mediation(deputy=deputy, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已登记矛盾纠纷化解")
            return redirect("opinions-deputy-record", code=deputy.code)
    return render(request, "opinions/mediation_form.html", {"form": form})


@login_required
def deputy_record(request, code):
    """The deputy's record (履职档案) of this app: visits, opinions collected, report-backs, mediations."""
    from liaison.org.selectors import can_see_contacts

    deputy = access_deputy(request.user, code)
    opinions = opinions_visible_to(request.user).filter(deputy=deputy)
    return render(
        request,
        "opinions/deputy_record.html",
        {
            "deputy": deputy,
            "mandates": deputy.mandates.select_related("region"),
            "stations": stations_visible_to(request.user).filter(stationings__deputy=deputy),
            "show_phone": can_see_contacts(request.user, deputy.home_region.path),
            "visits": list(visits_visible_to(request.user).filter(deputy=deputy).select_related("station")[:20]),
            "n_visits": visits_visible_to(request.user).filter(deputy=deputy).count(),
            "opinions": list(opinions.select_related("station").order_by("-created_at")[:20]),
            "n_opinions": opinions.count(),
            "n_reportbacks": ReportBack.objects.filter(deputy=deputy).count(),
            "mediations": list(mediations_visible_to(request.user).filter(deputy=deputy).select_related("station")),
            "is_self": scope_of(request.user).deputy_id == deputy.pk,
        },
    )
