"""Opinion pages: the public QR page and status page (no account), the ledger, registration, visits, actions.

Thin views: forms shape input, services decide; a DomainError becomes a message, never a 500.
"""

import base64
import io

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from liaison.events.services import timeline
from liaison.lib.codes import normalise_code
from liaison.lib.errors import DomainError
from liaison.lib.masking import mask_name, mask_phone
from liaison.lib.xlsx import xlsx_response
from liaison.org.models import Category, Mandate, Station, Stationing
from liaison.org.selectors import access_deputy, access_station, scope_of, stations_visible_to

from . import lifecycle, services
from .forms import (
    AnswerForm,
    LookupForm,
    MediationForm,
    OutcomeForm,
    PublicOpinionForm,
    RatingForm,
    RefuseForm,
    RegisterForm,
    ReportBackForm,
    VisitForm,
    VisitOpinionFormSet,
    form_token,
    new_idempotency_key,
)
from .lifecycle import RATEABLE
from .models import Opinion, Photo, ReportBack
from .selectors import (
    access_opinion,
    ledger_page,
    ledger_queryset,
    ledger_rows,
    mediations_visible_to,
    opinions_visible_to,
    sees_contacts,
    visits_visible_to,
)
from .validation import clean_photos

PAGE_SIZE = 50
TRACK_SESSION = "opinions.tracked"
S = Opinion.State


def _client(request) -> str:
    return services.client_hash(request.META.get("REMOTE_ADDR", ""))


def _suggestions_for(opinion):
    from liaison.suggestions.selectors import suggestions_for_opinion

    return list(suggestions_for_opinion(opinion))


# ---------------------------------------------------------------- public: QR page, poster, status page


def _public_station(code: str) -> Station | None:
    return Station.objects.filter(code=(code or "").strip().upper(), is_active=True).select_related("region").first()


def _deputy_names(station):
    return list(station.deputies.filter(is_active=True).order_by("code").values_list("name", flat=True))


@require_http_methods(["GET", "POST"])
def public_station(request, station_code):
    station = _public_station(station_code)
    if station is None:
        return render(request, "opinions/public_unknown.html", {"code": station_code[:30]}, status=404)
    context = {"station": station, "deputies": _deputy_names(station)}
    if request.method == "POST":
        key = (request.POST.get("key") or "")[:64]
        existing = Opinion.objects.filter(idempotency_key=key, station=station).first() if key else None
        if existing is not None:  # the same form sent again: the same acknowledgement, nothing new
            return _acknowledge(request, station, existing, services.password_for_key(key))
        form = PublicOpinionForm(request.POST, request.FILES, station=station)
        if form.is_valid():
            try:
                photos = clean_photos(form.cleaned_data["photos"])
                opinion, password, _created = services.submit_public_opinion(
                    station=station,
                    key=form.cleaned_data["key"],
                    title=form.cleaned_data["title"],
                    content=form.cleaned_data["content"],
                    category=form.cleaned_data["category"],
                    resident_name=form.cleaned_data["resident_name"],
                    resident_phone=form.cleaned_data["resident_phone"],
                    photos=photos,
                    client=_client(request),
                )
                return _acknowledge(request, station, opinion, password)
            except DomainError as exc:
                form.add_error(None, exc.message)
        # Keep the same key (a corrected resubmission is still one submission); a fresh fill-time token.
        data = request.POST.copy()
        if not data.get("key"):
            data["key"] = new_idempotency_key()
        data["token"] = form_token(station.code)
        form.data = data
        context["form"] = form
        return render(request, "opinions/public_form.html", context, status=400)
    form = PublicOpinionForm(station=station, initial={"key": new_idempotency_key(), "token": form_token(station.code)})
    context["form"] = form
    return render(request, "opinions/public_form.html", context)


def _acknowledge(request, station, opinion, password):
    return render(
        request,
        "opinions/public_done.html",
        {"station": station, "opinion": opinion, "password": password, "track_url": reverse("opinions-track")},
    )


def station_url(station) -> str:
    return settings.SITE_URL + reverse("opinions-public", args=[station.code])


def qr_data_url(url: str) -> str:
    """The QR code as a data: URL (CSP allows data: images, forbids inline scripts)."""
    img = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=12, border=2)
    buf = io.BytesIO()
    img.save(buf)
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode()


@login_required
def poster(request, station_code):
    station = access_station(request.user, station_code)
    url = station_url(station)
    stationings = (
        Stationing.objects.filter(station=station, deputy__is_active=True)
        .select_related("deputy")
        .order_by("deputy__code")
    )
    levels = {}
    for m in Mandate.objects.filter(deputy__stationings__station=station).order_by("level"):
        levels.setdefault(m.deputy_id, []).append(m.get_level_display())
    deputies = [(s.deputy.name, "、".join(levels.get(s.deputy_id, []))) for s in stationings]
    return render(
        request, "opinions/poster.html", {"station": station, "url": url, "qr": qr_data_url(url), "deputies": deputies}
    )


@require_http_methods(["GET", "POST"])
def track(request):
    form = LookupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            opinion = services.lookup_opinion(
                code=form.cleaned_data["code"], password=form.cleaned_data["password"], client=_client(request)
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return render(request, "opinions/track.html", {"form": LookupForm()}, status=exc.status)
        tracked = [c for c in request.session.get(TRACK_SESSION, []) if c != opinion.code][-9:]
        request.session[TRACK_SESSION] = [*tracked, opinion.code]
        return redirect("opinions-track-detail", code=opinion.code)
    return render(request, "opinions/track.html", {"form": form})


def _tracked_opinion(request, code) -> Opinion:
    code = normalise_code(code)
    if code not in request.session.get(TRACK_SESSION, []):
        raise Http404("请先输入查询码和查询密码")
    opinion = Opinion.objects.filter(code=code).select_related("station", "category").first()
    if opinion is None:
        raise Http404
    return opinion


def track_detail(request, code):
    try:
        opinion = _tracked_opinion(request, code)
    except Http404:
        messages.info(request, "请输入查询码和查询密码")
        return redirect("opinions-track")
    return render(
        request,
        "opinions/track_detail.html",
        {
            "opinion": opinion,
            "events": timeline("opinion", opinion.code, public_only=True),
            "suggestions": _suggestions_for(opinion),
            "photos": list(opinion.photos.all()),
            "can_rate": opinion.state in RATEABLE and not opinion.rating,
            "rating_form": RatingForm(),
        },
    )


@require_POST
def track_rate(request, code):
    opinion = _tracked_opinion(request, code)
    form = RatingForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择满意、基本满意或不满意")
    else:
        try:
            services.rate_outcome(opinion=opinion, rating=form.cleaned_data["rating"])
            messages.success(request, "感谢您的评价！")
        except DomainError as exc:
            messages.error(request, exc.message)
    return redirect("opinions-track-detail", code=opinion.code)


def _photo_response(opinion, pk):
    photo = Photo.objects.filter(opinion=opinion, pk=pk).first()
    if photo is None:
        raise Http404
    response = FileResponse(photo.image.open("rb"), content_type=photo.content_type)
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, max-age=3600"
    return response


def track_photo(request, code, pk):
    return _photo_response(_tracked_opinion(request, code), pk)


# ---------------------------------------------------------------- the ledger (民情台账)


def _contact_flags(user, opinions):
    allowed = {}
    for o in opinions:
        if o.station_id not in allowed:
            allowed[o.station_id] = sees_contacts(user, o.station)
        o.show_contacts = allowed[o.station_id] or sees_contacts(user, o.station, o)


@login_required
def ledger(request):
    if not _has_ledger(request.user):
        raise Http404("没有可查看的民情台账")
    qs, filters = ledger_queryset(request.user, request.GET)
    page = ledger_page(qs, request.GET.get("page"), PAGE_SIZE)
    _contact_flags(request.user, page.object_list)
    stations = stations_visible_to(request.user)
    station_choices = list(stations.order_by("code").values_list("code", "name")[:301])
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "total": page.paginator.count,
        "f": filters,
        "states": Opinion.State.choices,
        "channels": Opinion.Channel.choices,
        "categories": Category.objects.filter(parent=None).order_by("sort", "id"),
        "station_choices": station_choices if len(station_choices) <= 300 else None,
        "query": query.urlencode(),
        "can_register": bool(scope_of(request.user).write_station_ids) or scope_of(request.user).everything,
    }
    return render(request, "opinions/ledger.html", context)


def _has_ledger(user) -> bool:
    scope = scope_of(user)
    return scope.everything or bool(scope.region_paths or scope.station_ids or scope.deputy_id)


EXPORT_HEADERS = [
    "查询码",
    "登记时间",
    "联络站",
    "渠道",
    "分类",
    "标题",
    "内容",
    "收集代表",
    "群众姓名",
    "联系电话",
    "状态",
    "办理结果",
    "群众评价",
]


@login_required
def ledger_export(request):
    if not _has_ledger(request.user):
        raise Http404
    qs, _filters = ledger_queryset(request.user, request.GET)
    qs = ledger_rows(qs)
    user = request.user
    allowed = {}

    def rows():
        for o in qs.iterator(chunk_size=2000):
            if o.station_id not in allowed:
                allowed[o.station_id] = sees_contacts(user, o.station)
            show = allowed[o.station_id]
            yield [
                o.code,
                timezone.localtime(o.created_at).strftime("%Y-%m-%d %H:%M"),
                o.station.name,
                o.get_channel_display(),
                o.category.name if o.category else "",
                o.title,
                o.content,
                o.deputy.name if o.deputy else "",
                o.resident_name if show else mask_name(o.resident_name),
                o.resident_phone if show else mask_phone(o.resident_phone),
                o.get_state_display(),
                o.outcome,
                o.get_rating_display() if o.rating else "",
            ]

    return xlsx_response("民情台账.xlsx", "民情台账", EXPORT_HEADERS, rows())


# ---------------------------------------------------------------- one opinion


@login_required
def opinion_detail(request, code):
    opinion = access_opinion(request.user, code)
    user = request.user
    allowed = lifecycle.allowed_actions(user, opinion)
    offered = {"answer": AnswerForm, "refuse": RefuseForm, "outcome": OutcomeForm, "reportback": ReportBackForm}
    return render(
        request,
        "opinions/detail.html",
        {
            "opinion": opinion,
            "show_contacts": sees_contacts(user, opinion.station, opinion),
            "photos": list(opinion.photos.all()),
            "events": timeline("opinion", opinion.code),
            "reportbacks": list(opinion.reportbacks.select_related("deputy")),
            "agenda_items": list(opinion.agenda_items.select_related("meeting")),
            "duplicates": list(opinion.duplicates.only("code", "title")),
            "suggestions": _suggestions_for(opinion),
            "forms": {name: form() for name, form in offered.items() if name in allowed},
            "can_close": "close" in allowed,
        },
    )


@login_required
def opinion_photo(request, code, pk):
    return _photo_response(access_opinion(request.user, code), pk)


@login_required
@require_POST
def opinion_action(request, code, action):
    opinion = access_opinion(request.user, code)
    user = request.user
    if action not in lifecycle.ACTIONS:
        raise Http404
    lifecycle.require(user, action, opinion)  # before the form: a wrong role gets 403, not a form error
    try:
        if action == "answer":
            form = _valid(AnswerForm(request.POST))
            services.answer_on_spot(
                opinion=opinion, answer=form.cleaned_data["answer"], told_now=form.cleaned_data["told_now"], actor=user
            )
            messages.success(request, "已登记当场答复")
        elif action == "refuse":
            form = _valid(RefuseForm(request.POST))
            services.refuse_opinion(opinion=opinion, actor=user, **form.cleaned_data)
            messages.success(request, "已登记不予受理及理由")
        elif action == "outcome":
            form = _valid(OutcomeForm(request.POST))
            services.record_outcome(opinion=opinion, text=form.cleaned_data["text"], actor=user)
            messages.success(request, "已登记办理结果，请代表或联络员回访群众")
        elif action == "reportback":
            form = _valid(ReportBackForm(request.POST))
            services.record_report_back(opinion=opinion, actor=user, **form.cleaned_data)
            messages.success(request, "已登记回访")
        elif action == "close":
            services.close_opinion(opinion=opinion, actor=user)
            messages.success(request, "已关闭")
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("opinions-detail", code=opinion.code)


def _valid(form):
    if not form.is_valid():
        errors = "；".join(
            f"{form.fields[k].label if k in form.fields else ''}{'：' if k in form.fields else ''}{v[0]}"
            for k, v in form.errors.items()
        )
        raise DomainError(errors or "填写有误")
    return form


# ---------------------------------------------------------------- registration and visits


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
    formset = VisitOpinionFormSet(request.POST or None, prefix="op")
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


# ---------------------------------------------------------------- mediation and the deputy's record


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
