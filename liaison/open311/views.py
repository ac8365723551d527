"""The GeoReport v2 resources: each view shapes the input, asks selectors.py or services.py, and renders the
answer in the resource's format (formats.py). Refusals are the spec's error list."""

from datetime import datetime, time
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.csrf import csrf_exempt

from liaison.api.models import ApiToken
from liaison.api.services import authenticate_token
from liaison.api.tokens import endpoint_name
from liaison.lib.errors import DomainError
from liaison.opinions.selectors import access_opinion

from . import selectors
from .formats import Open311Error, render, render_error
from .services import form_digest, submit_request

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-01-01T00:00:00+08:00"  # when this endpoint's behaviour last changed
# Our field names in a refusal → the Open311 field the client sent.
FIELDS = {"content": "description", "resident_phone": "phone", "resident_name": "first_name/last_name"}


def resource(*methods):
    """A GeoReport resource: CSRF-exempt (a form POST from another system, authenticated by its api_key), the
    methods it answers, and every refusal in the spec's error format."""

    def decorate(view):
        @csrf_exempt
        @wraps(view)
        def wrapper(request, fmt, **kwargs):
            if request.method not in methods:
                response = render_error(fmt, 405, f"不支持 {request.method} 请求")
                response["Allow"] = ", ".join(methods)
                return response
            try:
                return view(request, fmt, **kwargs)
            except Open311Error as exc:
                return render_error(fmt, exc.status, exc.description)
            except DomainError as exc:
                field = FIELDS.get(exc.field or "", exc.field or "")
                return render_error(fmt, 400, f"{field}：{exc.message}" if field else exc.message)
            except PermissionDenied as exc:
                return render_error(fmt, 403, str(exc) or "没有权限")
            except Http404 as exc:
                return render_error(fmt, 404, str(exc) or "不存在")

        return wrapper

    return decorate


def api_user(request):
    """The api_key's user: an integration key allowed "open311:read" / "open311:write" (as in the v1 API), or a
    personal token (its owner). Sent as the api_key parameter or as `Authorization: Bearer`; else 403."""
    params = request.POST if request.method == "POST" else request.GET
    raw = params.get("api_key", "")
    header = request.headers.get("Authorization", "")
    if not raw and header.lower().startswith("bearer "):
        raw = header[7:]
    row = authenticate_token(raw) if raw else None
    if row is None:
        raise Open311Error(403, "api_key 无效、已撤销或已过期" if raw else "缺少 api_key")
    if row.kind == ApiToken.Kind.INTEGRATION and endpoint_name("open311", request.method) not in row.endpoints:
        raise Open311Error(403, "该 api_key 无权调用此接口")
    if row.user.must_change_password:
        raise Open311Error(403, "请先修改初始密码")
    return row.user


def _jurisdiction(params, user=None):
    code = params.get("jurisdiction_id", "").strip()
    region = selectors.jurisdiction(code, user)
    if code and region is None:
        raise Open311Error(404, f"jurisdiction_id：没有区划代码为“{code}”的地区，或不在该 api_key 的范围内")
    return region


def _list(value: str) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _when(params, name: str, *, end: bool = False):
    value = params.get(name, "").strip()
    if not value:
        return None
    try:
        when = parse_datetime(value)
        day = parse_date(value) if when is None else None
    except ValueError:
        when = day = None
    if day is not None:
        when = datetime.combine(day, time.max if end else time.min)
    if when is None:
        raise Open311Error(400, f"{name}：须为 ISO 8601 时间，如 2026-01-05T08:00:00+08:00")
    return when if timezone.is_aware(when) else timezone.make_aware(when)


def _coordinates(params) -> tuple[float, float] | None:
    lat, long = params.get("lat", "").strip(), params.get("long", "").strip()
    if not lat and not long:
        return None
    try:
        lat_f, long_f = float(lat), float(long)
    except ValueError:
        raise Open311Error(400, "lat/long：须同时给出纬度和经度（十进制度数）") from None
    if not (-90 <= lat_f <= 90 and -180 <= long_f <= 180):
        raise Open311Error(400, "lat/long：超出取值范围")
    return lat_f, long_f


# --- the resources --------------------------------------------------------------------------------------------


@resource("GET")
def discovery(request, fmt):
    endpoint = {
        "specification": SPECIFICATION,
        "url": request.build_absolute_uri("/open311/v2/"),
        "changeset": CHANGESET,
        "type": "production",
        "formats": ["application/json", "text/xml"],
    }
    body = {
        "changeset": CHANGESET,
        "contact": "请联系所在县（市、区）人大常委会办公室",
        "key_service": "api_key 为集成密钥，由系统管理员在管理后台创建（允许调用 open311:read、open311:write）",
        "endpoints": [endpoint],
    }
    return render(fmt, "discovery", body)


@resource("GET")
def services(request, fmt):
    _jurisdiction(request.GET)
    return render(fmt, "services", [selectors.service_of(c) for c in selectors.service_categories()])


@resource("GET")
def service_definition(request, fmt, service_code):
    category = selectors.category_for(service_code)
    if category is None:
        raise Open311Error(404, f"没有服务代码为“{service_code}”的服务")
    user = api_user(request) if request.GET.get("api_key") else None
    stations = selectors.stations_for(region=_jurisdiction(request.GET, user), user=user)
    return render(fmt, "service_definition", selectors.service_definition(category, stations))


@resource("GET", "POST")
def requests(request, fmt):
    if request.method == "POST":
        return _create(request, fmt)
    user = api_user(request)
    params = request.GET
    statuses = _list(params.get("status", ""))
    if set(statuses) - {"open", "closed"}:
        raise Open311Error(400, "status：只能是 open 或 closed")
    opinions = selectors.requests_visible_to(
        user,
        ids=_list(params.get("service_request_id", "")),
        service_codes=_list(params.get("service_code", "")),
        start=_when(params, "start_date"),
        end=_when(params, "end_date", end=True),
        statuses=statuses,
        region=_jurisdiction(params, user),
    )
    return render(fmt, "service_requests", selectors.request_rows(opinions))


@resource("GET")
def request_detail(request, fmt, service_request_id):
    opinion = access_opinion(api_user(request), service_request_id)
    return render(fmt, "service_requests", selectors.request_rows([opinion], detailed=True))


def _create(request, fmt):
    user = api_user(request)
    form = {k: request.POST.get(k, "").strip() for k in request.POST}
    if not form.get("service_code"):
        raise Open311Error(400, "service_code：必填")
    category = selectors.category_for(form["service_code"])
    if category is None:
        raise Open311Error(404, f"没有服务代码为“{form['service_code']}”的服务")
    if not form.get("description"):
        raise Open311Error(400, "description：必填，请写明反映的问题")
    region = _jurisdiction(form, user)
    point = _coordinates(form)
    station = selectors.route_station(
        user,
        station_code=form.get("attribute[station]", ""),
        address_id=form.get("address_id", ""),
        address_string=form.get("address_string", ""),
        point=point,
    )
    if region is not None and not station.region.path.startswith(region.path):
        raise Open311Error(400, "attribute[station]：该联络站不在 jurisdiction_id 所指地区")
    channel = form.get("attribute[channel]") or selectors.DEFAULT_CHANNEL
    if channel not in dict(selectors.CHANNELS):
        raise Open311Error(400, "attribute[channel]：不是可选的反映渠道")
    place = "；".join(
        filter(None, [form.get("address_string", ""), f"坐标 {point[0]:.6f},{point[1]:.6f}" if point else ""])
    )
    body, created = submit_request(
        actor=user,
        station=station,
        category=category,
        channel=channel,
        content=form["description"] + (f"\n\n【位置】{place}" if place else ""),
        resident_name=form.get("last_name", "") + form.get("first_name", ""),
        resident_phone=form.get("phone", ""),
        key=request.headers.get("Idempotency-Key", "").strip(),
        digest=form_digest(form),
        notice="；未保存 media_url 所指的图片（不抓取外部链接）" if form.get("media_url") else "",
    )
    return render(fmt, "service_requests", body, status=201 if created else 200)
