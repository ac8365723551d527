"""Resident-facing pages: the station's QR page and its printed poster, the status page (查询), its rating, the
signed link of the SMS that opens it, and the resident's choice to stop the SMS."""

import base64
import io

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from liaison.lib.codes import normalise_code
from liaison.lib.errors import DomainError
from liaison.org.models import Mandate, Station, Stationing
from liaison.org.selectors import access_station

from .. import services
from ..forms import LookupForm, PublicOpinionForm, RatingForm, form_token, new_idempotency_key
from ..lifecycle import RATEABLE
from ..models import Opinion
from ..selectors import tracking_timeline
from ..services import telling
from .common import _client, _photo_response, _suggestions_for

TRACK_SESSION = "opinions.tracked"


def _public_station(code: str) -> Station | None:
    return Station.objects.filter(code=(code or "").strip().upper(), is_active=True).select_related("region").first()


def _deputy_names(station):
    return list(station.deputies.filter(is_active=True).order_by("code").values_list("name", flat=True))


def _resubmitted(station, key, request):
    post = request.POST
    fingerprint = services.submission_fingerprint(
        endpoint=services.ENDPOINT_QR,
        station=station,
        title=post.get("title", ""),
        content=post.get("content", ""),
        category=post.get("category") or None,
        resident_name=post.get("resident_name", ""),
        resident_phone=post.get("resident_phone", ""),
        photos=request.FILES.getlist("photos"),
    )
    return services.find_public_submission(
        station=station, endpoint=services.ENDPOINT_QR, key=key, fingerprint=fingerprint
    )


@require_http_methods(["GET", "POST"])
def public_station(request, station_code):
    station = _public_station(station_code)
    if station is None:
        return render(request, "opinions/public_unknown.html", {"code": station_code[:30]}, status=404)
    context = {"station": station, "deputies": _deputy_names(station)}
    if request.method == "POST":
        key = (request.POST.get("key") or "")[:64]
        form = PublicOpinionForm(request.POST, request.FILES, station=station)
        try:
            # The same form sent again (a retry after a lost answer): the same acknowledgement, before the
            # form's own checks (an expired fill-time token must not turn a retry into an error).
            existing = _resubmitted(station, key, request) if key else None
        except DomainError as exc:
            existing = None
            form.add_error(None, exc.message)
        if existing is not None:
            return _acknowledge(request, station, existing, services.password_for_key(key))
        if form.is_valid():
            try:
                # Photos go in as uploads: the service decodes them only once its throttle let them in.
                opinion, password, _created = services.submit_public_opinion(
                    station=station,
                    key=form.cleaned_data["key"],
                    title=form.cleaned_data["title"],
                    content=form.cleaned_data["content"],
                    category=form.cleaned_data["category"],
                    resident_name=form.cleaned_data["resident_name"],
                    resident_phone=form.cleaned_data["resident_phone"],
                    photos=form.cleaned_data["photos"],
                    client=_client(request),
                )
                return _acknowledge(request, station, opinion, password)
            except DomainError as exc:
                # Shown by its field (aria-describedby) when the service named one the form has.
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
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


def _unlock(request, opinion) -> None:
    """The status page of `opinion` is this visitor's (the last ten they looked up), as after the lookup."""
    tracked = [c for c in request.session.get(TRACK_SESSION, []) if c != opinion.code][-9:]
    request.session[TRACK_SESSION] = [*tracked, opinion.code]


def _acknowledge(request, station, opinion, password):
    # Whoever just submitted (or resubmitted, with the form's secret key) may follow it without retyping.
    _unlock(request, opinion)
    track_url = reverse("opinions-track-detail", args=[opinion.code])
    return render(
        request,
        "opinions/public_done.html",
        {"station": station, "opinion": opinion, "password": password, "track_url": track_url},
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
        _unlock(request, opinion)
        return redirect("opinions-track-detail", code=opinion.code)
    return render(request, "opinions/track.html", {"form": form})


@require_safe  # GET, and HEAD for the link previews of messaging apps
def track_link(request, token):
    """The signed link of the SMS: opens the status page like the lookup does, until the link expires."""
    try:
        opinion = telling.opinion_for_link(token)
    except telling.LinkExpired:
        message = "这个链接已过期，请输入查询码和查询密码查看办理进度"
    except telling.LinkInvalid:
        message = "这个链接无效，请核对短信中的链接，或输入查询码和查询密码查看办理进度"
    else:
        _unlock(request, opinion)
        return redirect("opinions-track-detail", code=opinion.code)
    messages.error(request, message)
    return render(request, "opinions/track.html", {"form": LookupForm()}, status=400)


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
            "steps": tracking_timeline(opinion),
            "suggestions": _suggestions_for(opinion),
            "photos": list(opinion.photos.all()),
            "can_rate": opinion.state in RATEABLE and not opinion.rating,
            "rating_form": RatingForm(),
            "sms": bool(opinion.resident_phone),
        },
    )


@require_POST
def track_sms(request, code):
    """The resident's 不再接收短信通知 (checked: stop; unchecked: resume)."""
    opinion = _tracked_opinion(request, code)
    stop = request.POST.get("stop") == "on"
    if telling.set_sms_opt_out(opinion=opinion, stop=stop):
        messages.success(request, "已停止短信通知，您仍可在本页查看办理进度" if stop else "已恢复短信通知")
    return redirect("opinions-track-detail", code=opinion.code)


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


def track_photo(request, code, pk):
    return _photo_response(_tracked_opinion(request, code), pk)
