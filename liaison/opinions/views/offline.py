"""The deputies' offline visit form: the service worker, the web app manifest and the pick lists it caches.

The browser side is static/js: `offline-sw.js` (the service worker: caches the app shell, the visit form and the
pick lists; Background Sync), `visit-outbox.js` (the IndexedDB outbox and its replay through POST /api/v1/visits,
shared by the page and the worker) and `visit-offline.js` (the form's queue-then-send, the outbox's list).
The worker is served here rather than from /static/ so that its scope is the visit pages (/opinions/visits/) and
it learns the shell's URLs as collectstatic named them (hashed in production); its version is a hash of those
files, so a deploy that changes any of them installs a new worker and a new cache.
"""

import hashlib
import json

from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from liaison.org.models import Station
from liaison.org.selectors import deputies_visible_to

from ..forms import _categories

WORKER = "js/offline-sw.js"
OUTBOX = "js/visit-outbox.js"
# What the visit form needs besides its own HTML: base.html's styles and scripts, and the form's own scripts.
SHELL = [
    "vendor/bootstrap.min.css",
    "css/liaison.css",
    "img/favicon.svg",
    "vendor/bootstrap.bundle.min.js",
    "vendor/htmx.min.js",
    "js/photo-shrink.js",
    OUTBOX,
    "js/visit-offline.js",
]
SCOPE = "/opinions/visits/"


def _source(name: str) -> bytes:
    """A static file's bytes: from the source tree, else from collectstatic's copy (unhashed name)."""
    path = finders.find(name)
    if path is None:
        with staticfiles_storage.open(name) as f:
            return f.read()
    with open(path, "rb") as f:
        return f.read()


@require_GET
def service_worker(request):
    """The worker script: its configuration (the URLs to cache, its version), then static/js/offline-sw.js."""
    shell = [static(name) for name in SHELL]
    digest = hashlib.sha256(_source(WORKER))
    for name, url in zip(SHELL, shell, strict=True):
        digest.update(url.encode() + _source(name))
    config = {
        "version": digest.hexdigest()[:16],
        "shell": shell,
        "outbox": static(OUTBOX),
        "pages": [reverse("opinions-visit-new")],
        "lists": reverse("opinions-visit-lists"),
        "api": "/api/v1/visits",
    }
    body = b"self.LIAISON_OFFLINE = " + json.dumps(config).encode() + b";\n" + _source(WORKER)
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"  # the browser checks for a new worker on every visit
    response["Service-Worker-Allowed"] = SCOPE
    return response


@require_GET
def manifest(request):
    data = {
        "name": _("联络站民意闭环平台 · 走访登记"),
        "short_name": _("走访登记"),
        "description": _("人大代表登记走访和收集的社情民意，没有信号时也能登记，恢复网络后自动发送。"),
        "lang": request.LANGUAGE_CODE,
        "start_url": reverse("opinions-visit-new"),
        "scope": SCOPE,
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#b02a37",
        "icons": [{"src": static("img/favicon.svg"), "sizes": "any", "type": "image/svg+xml"}],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


@login_required
@require_GET
def visit_lists(request):
    """The visit form's pick lists for this deputy (cached for offline use): the stations they are stationed at,
    each with its villages and its stationed deputies (names and codes, no phones), and the categories. Also who
    is signed in and a CSRF token, which the outbox needs before it sends anything."""
    from django.middleware.csrf import get_token

    deputy = getattr(request.user, "deputy", None)
    if deputy is None:
        raise PermissionDenied("只有人大代表可以登记走访")
    stations = (
        Station.objects.filter(stationings__deputy=deputy)
        .select_related("region")
        .prefetch_related("villages")
        .order_by("name")
    )
    visible = deputies_visible_to(request.user)
    data = {
        "user": deputy.code,
        "csrf_token": get_token(request),
        "stations": [
            {
                "code": s.code,
                "name": s.name,
                "villages": sorted({s.region.name, *(v.name for v in s.villages.all())}),
                "deputies": [
                    {"code": d.code, "name": d.name}
                    for d in visible.filter(stationings__station=s).order_by("name").distinct()
                ],
            }
            for s in stations
        ],
        "categories": [c.name for c in _categories()],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "private, no-cache"
    return response
