"""The scope table: every URL pattern and API operation of Liaison, how to reach it with a 石台县 object and with
a 东至县 object (tests/world.py), and the status each role of the cast gets.

Roles, in the order of every expectation string (tests/world.py ROLES):

    anon      the resident, no account (has looked up the 石台 opinion on the status page)
    deputy    王建国, county + township deputy stationed at 缘溪村 (石台)
    head      station head of 缘溪村
    staff     石台县人大常委会 staff
    unit      石台县住建局 (handling unit)
    leader    石台县 leader
    outsider  东至县 staff — the 东至 objects are theirs, the 石台 ones are out of their scope

An entry `E(route, url, st, dz)` says: GET `url(county)` as each role answers `st` for the 石台 object and `dz`
for the 东至 one. For a 石台 role the 东至 column is the out-of-scope one (PRODUCT.md: "out of scope is 404");
for the outsider it is the 石台 column. A role that may see the object but not this page shows its wrong-role
status (403, 404 or L) in its own county's column. Entries with one column (`dz` omitted) are pages without an
object (lists, queues): the URL is the same for everyone.

Tokens: 200, 302 (a redirect elsewhere than the login page), L (redirect to the login page), 401, 403, 404, 405.
On a list (`shows` given) 200+ means the role's own county's object is listed, 200- that it is not.
Whatever the token, a 200 must not name anything of the other county (codes, titles, the resident's name;
test_scope_matrix.leak_markers), nor what the role may not see in its own (another deputy's draft; for the
unit, anything not assigned to it; test_scope_matrix.hidden_markers) — except on `public=True` pages of the
other county, which anyone may read, and on `leak_check=False` pages without data.

`post=(st, dz)`: a POST to the same URL (with `data`) as each role. "-" = not tried (the role may do it, the
POST would change data). Every POST tried must leave the database unchanged; the one to the other county's
object must answer L, 403 or 404. `no_post` says why an endpoint that takes POST has no POST row; `oos` why
the other county's object answers something else than L/401/403/404/405 (test_the_table_keeps_the_rules).

Recorded as the product behaves, where PRODUCT.md leaves room (judgement calls, see the rows' comments):
- leaders read everything of their region (ledger, opinion and suggestion pages, with contacts masked), not
  only dashboards and key supervised items;
- a status page the visitor has not looked up redirects to the lookup form instead of answering 404;
- forms that name another county's station or opinion are refused as form errors (200, nothing saved).
"""

from collections.abc import Callable
from dataclasses import dataclass

TOKENS = {"200", "200+", "200-", "302", "L", "401", "403", "404", "405", "503", "-"}


@dataclass(frozen=True)
class Entry:
    route: str
    url: Callable
    st: tuple
    dz: tuple | None
    post: tuple | None
    data: Callable | None
    shows: Callable | None
    no_post: str
    public: bool
    leak_check: bool
    oos: str  # why the other county's object answers something else than L/401/403/404/405 here


def _tokens(spec: str | None) -> tuple | None:
    if spec is None:
        return None
    tokens = tuple(spec.split())
    assert len(tokens) == 7 and set(tokens) <= TOKENS, spec
    return tokens


def E(  # noqa: N802
    route,
    url,
    st,
    dz=None,
    *,
    post=None,
    data=None,
    shows=None,
    no_post="",
    public=False,
    leak_check=True,
    oos="",
):
    return Entry(
        route=route,
        url=url,
        st=_tokens(st),
        dz=_tokens(dz),
        post=(_tokens(post[0]), _tokens(post[1])) if post else None,
        data=data,
        shows=shows,
        no_post=no_post,
        public=public,
        leak_check=leak_check,
        oos=oos,
    )


def _future(days=10):
    import datetime as dt

    from django.utils import timezone

    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def _sms_token(c):
    from liaison.opinions.services.telling import link_token

    return link_token(c.opinion)


def _notice(c):
    """A notification of the county's staff (石台 staff; 东至's is the outsider): theirs alone to read and mark."""
    from liaison.notify.models import Notification
    from liaison.notify.services import queue_notification

    n = Notification.objects.filter(recipient=c.staff).order_by("id").first()
    return n or queue_notification(recipient=c.staff, subject=f"{c.name}通知", link="/", key=f"scope-{c.name}")


# An export job's pages: its requester (the county's staff: 石台 staff, 东至's outsider) only.
_OWN_JOB = ("L 404 404 200 404 404 404", "L 404 404 404 404 404 200")


def _export_job(c):
    """The county staff's finished ledger export (their own county's rows), made on first use."""
    from liaison.exports import services
    from liaison.exports.models import ExportJob

    job = ExportJob.objects.filter(requester=c.staff, state="done").first()
    if job is None:
        job = services.request_export(actor=c.staff, kind="ledger", params={}, filename="民情台账.xlsx", total=0)
        services.run_export(code=job.code)
    return job


def _opinion_step(step, opinion, st, data):
    """The row of one API write on an opinion (POST /api/v1/opinions/{code}/<step>): GET answers 405; the
    POST as `st` says for the role's own county and 404 for the other (the outsider may, in 东至)."""
    return E(
        f"POST /api/v1/opinions/{{code}}/{step}",
        lambda c: f"/api/v1/opinions/{opinion(c).code}/{step}",
        "405 405 405 405 405 405 405",
        "405 405 405 405 405 405 405",
        post=(st, "401 404 404 404 404 404 -"),
        data=data,
    )


def _api_step(kind, step, obj, st, data=None, dz="401 404 404 404 404 404 -"):
    """The row of one API write on a suggestion or an assignment (POST /api/v1/<kind>/{code}/<step>), as
    _opinion_step: GET answers 405; the POST as `st` says for the role's own county, `dz` for 东至's object."""
    return E(
        f"POST /api/v1/{kind}/{{code}}/{step}",
        lambda c: f"/api/v1/{kind}/{obj(c).code}/{step}",
        "405 405 405 405 405 405 405",
        "405 405 405 405 405 405 405",
        post=(st, dz),
        data=data,
    )


#                                                        anon dep head staff unit leader outsider
TABLE = [
    # --- the site, accounts -------------------------------------------------------------------------------
    E("", lambda c: "/", "L 200 200 200 200 200 200"),
    E("healthz", lambda c: "/healthz", "200 200 200 200 200 200 200"),
    # Readiness names failing checks, no data; the test world has no worker heartbeat, hence 503 for everyone.
    E("readyz", lambda c: "/readyz", "503 503 503 503 503 503 503", leak_check=False),
    # Metrics by address or token, not by account: the test client's 127.0.0.1 is allowed (tests/ops).
    E("metrics", lambda c: "/metrics", "200 200 200 200 200 200 200", leak_check=False),
    E(
        "accounts/login/",
        lambda c: "/accounts/login/",
        "200 302 302 302 302 302 302",
        no_post="signing in is everyone's own; tests/core/test_security.py covers it",
    ),
    E(
        "accounts/logout/",
        lambda c: "/accounts/logout/",
        "405 405 405 405 405 405 405",
        no_post="signing out acts on one's own session only",
    ),
    E(
        "accounts/password/",
        lambda c: "/accounts/password/",
        "L 200 200 200 200 200 200",
        no_post="changing one's own password acts on one's own account only (tests/security/test_passwords.py)",
    ),
    E(
        "accounts/tokens/",
        lambda c: "/accounts/tokens/",
        "L 200 200 200 200 200 200",
        no_post="making an API token acts on one's own account only (tests/api/test_tokens.py)",
    ),
    E(
        "accounts/tokens/<str:prefix>/revoke/",
        lambda c: "/accounts/tokens/NoSuchTk/revoke/",
        "L 405 405 405 405 405 405",
        no_post="revokes one of one's own tokens; anyone else's answers 404 (tests/api/test_tokens.py)",
    ),
    # The notification centre: one's own notifications only (anyone else's id answers 404).
    E("notifications/", lambda c: "/notifications/", "L 200 200 200 200 200 200"),
    E(
        "notifications/<int:pk>/read/",
        lambda c: f"/notifications/{_notice(c).pk}/read/",
        "L 405 405 405 405 405 405",
        "L 405 405 405 405 405 405",
        post=("L 404 404 - 404 404 404", "L 404 404 404 404 404 -"),
    ),
    E(
        "notifications/read-all/",
        lambda c: "/notifications/read-all/",
        "L 405 405 405 405 405 405",
        no_post="marks one's own notifications read only (tests/notify/test_centre.py)",
    ),
    E(
        "i18n/setlang/",
        lambda c: "/i18n/setlang/",
        "302 302 302 302 302 302 302",
        no_post="sets the language cookie; no data (tests/core/test_i18n.py)",
    ),
    # --- API: the schema and its pages (the operations are below, from the OpenAPI schema) ------------------
    # The schema and the docs page are public (they describe the API, no data).
    E("api/v1/openapi.json", lambda c: "/api/v1/openapi.json", "200 200 200 200 200 200 200"),
    E("api/v1/docs", lambda c: "/api/v1/docs", "200 200 200 200 200 200 200"),
    E("api/v1/", lambda c: "/api/v1/", "404 404 404 404 404 404 404"),
    # --- Open311 GeoReport v2 (liaison/open311; tests/open311) -------------------------------------------------
    # Discovery, services and service definitions are public (a service definition lists every active station,
    # as the stations' QR pages do); requests answer only an api_key (an integration key), so every session
    # gets the spec's 403 — the key's region scoping is tests/open311's business.
    E("open311/v2/discovery.<open311fmt:fmt>", lambda c: "/open311/v2/discovery.json", "200 200 200 200 200 200 200"),
    E("open311/v2/services.<open311fmt:fmt>", lambda c: "/open311/v2/services.xml", "200 200 200 200 200 200 200"),
    E(
        "open311/v2/services/<str:service_code>.<open311fmt:fmt>",
        lambda c: "/open311/v2/services/城乡建设.json",
        "200 200 200 200 200 200 200",
        leak_check=False,
    ),
    E(
        "open311/v2/requests.<open311fmt:fmt>",
        lambda c: "/open311/v2/requests.json",
        "403 403 403 403 403 403 403",
        post=("403 403 403 403 403 403 403", "403 403 403 403 403 403 403"),
        data=lambda c: {"service_code": "城乡建设", "attribute[station]": c.station.code, "description": "矩阵测试"},
    ),
    E(
        "open311/v2/requests/<str:service_request_id>.<open311fmt:fmt>",
        lambda c: f"/open311/v2/requests/{c.opinion.code}.xml",
        "403 403 403 403 403 403 403",
        "403 403 403 403 403 403 403",
    ),
    # --- organisation ---------------------------------------------------------------------------------------
    E("org/regions/", lambda c: "/org/regions/", "L 200- 200- 200+ 200- 200+ 200+", shows=lambda c: c.county.name),
    E(
        "org/regions/<str:code>/",
        lambda c: f"/org/regions/{c.county.code}/",
        "L 404 404 200 404 200 404",
        "L 404 404 404 404 404 200",
    ),
    E(
        "org/stations/",
        lambda c: f"/org/stations/?region={c.county.code}",
        "L 404 404 200+ 404 200+ 404",
        "L 404 404 404 404 404 200+",
        shows=lambda c: c.station.code,
    ),
    E(
        "org/stations/<str:code>/",
        lambda c: f"/org/stations/{c.station.code}/",
        "L 200 200 200 404 200 404",
        "L 404 404 404 404 404 200",
    ),
    E("org/deputies/", lambda c: "/org/deputies/", "L 200+ 200+ 200+ 200- 200+ 200+", shows=lambda c: c.deputy.code),
    E(
        "org/deputies/<str:code>/",
        lambda c: f"/org/deputies/{c.deputy.code}/",
        "L 200 200 200 404 200 404",
        "L 404 404 404 404 404 200",
    ),
    E("org/units/", lambda c: "/org/units/", "L 200- 200- 200+ 200+ 200+ 200+", shows=lambda c: c.unit.code),
    E(
        "org/import/",
        lambda c: "/org/import/",
        "L 403 403 403 403 403 403",
        post=("L 403 403 403 403 403 403", "L 403 403 403 403 403 403"),
        data=lambda c: {"kind": "stations"},
    ),
    # A blank template whose example row happens to use the cast's codes (D0000001): no data, no leak check.
    E(
        "org/import/template/<str:kind>.xlsx",
        lambda c: "/org/import/template/deputies.xlsx",
        "L 200 200 200 200 200 200",
        leak_check=False,
    ),
    E(
        "org/export/<str:kind>.xlsx",
        lambda c: "/org/export/deputies.xlsx",
        "L 200+ 200+ 200+ 200- 200+ 200+",
        shows=lambda c: c.deputy.code,
    ),
    # --- opinions: public pages -----------------------------------------------------------------------------
    E(
        "s/<str:station_code>/",
        lambda c: f"/s/{c.station.code}/",
        "200 200 200 200 200 200 200",
        "200 200 200 200 200 200 200",
        public=True,
        no_post="the resident's submission on any station's QR page (tests/opinions/test_public_views.py)",
    ),
    E(
        "track/",
        lambda c: "/track/",
        "200 200 200 200 200 200 200",
        no_post="the public lookup by code and password (tests/opinions/test_public_views.py)",
    ),
    # Only the resident who looked the item up (code + password, kept in their session) sees its status page;
    # anyone else is sent to the lookup form (302 to /track/), not answered 404: the product's choice.
    E(
        "track/<str:code>/",
        lambda c: f"/track/{c.opinion.code}/",
        "200 302 302 302 302 302 302",
        "302 302 302 302 302 302 302",
        oos="a status page not looked up redirects to the lookup form",
    ),
    E(
        "track/<str:code>/rate/",
        lambda c: f"/track/{c.opinion.code}/rate/",
        "405 405 405 405 405 405 405",
        "405 405 405 405 405 405 405",
        post=("- 404 404 404 404 404 404", "404 404 404 404 404 404 404"),
        data=lambda c: {"rating": "satisfied"},
    ),
    E(
        "track/<str:code>/photos/<int:pk>/",
        lambda c: f"/track/{c.opinion.code}/photos/{c.photo_pk}/",
        "200 404 404 404 404 404 404",
        "404 404 404 404 404 404 404",
    ),
    E(
        "track/<str:code>/sms/",
        lambda c: f"/track/{c.opinion.code}/sms/",
        "405 405 405 405 405 405 405",
        "405 405 405 405 405 405 405",
        post=("- 404 404 404 404 404 404", "404 404 404 404 404 404 404"),
        data=lambda c: {"stop": "on"},
    ),
    # The SMS's signed link opens its one item's status page for whoever holds it (302 on to /track/<code>/), as
    # the tracking code and query password do; a bad or expired link answers the lookup form (tests/opinions).
    E(
        "t/<str:token>/",
        lambda c: f"/t/{_sms_token(c)}/",
        "302 302 302 302 302 302 302",
        "302 302 302 302 302 302 302",
        oos="a signed link is a bearer credential for its one item, like the tracking code and query password",
    ),
    # --- opinions: ledger, registration, visits ------------------------------------------------------------
    E("opinions/", lambda c: "/opinions/", "L 200+ 200+ 200+ 404 200+ 200+", shows=lambda c: c.opinion.code),
    E(
        "opinions/export.xlsx",
        lambda c: "/opinions/export.xlsx",
        "L 200+ 200+ 200+ 404 200+ 200+",
        shows=lambda c: c.opinion.code,
    ),
    E(
        "opinions/new/",
        lambda c: f"/opinions/new/?station={c.station.code}",
        "L 403 200 200 403 403 200",
        "L 403 200 200 403 403 200",
        post=("L 403 - - 403 403 200", "L 403 200 200 403 403 -"),
        oos="?station= only preselects one of the user's own stations; a POST naming another county's station is "
        "refused by the form (200, 'select a valid choice'), nothing is saved",
        data=lambda c: {
            "station": c.station.pk,
            "channel": "phone",
            "title": "新登记",
            "content": "矩阵测试登记的社情民意",
        },
    ),
    E(
        "opinions/visits/",
        lambda c: "/opinions/visits/",
        "L 200+ 200+ 200+ 200- 200+ 200+",
        shows=lambda c: c.station.name,
    ),
    E(
        "opinions/visits/new/",
        lambda c: "/opinions/visits/new/",
        "L 200 403 403 403 403 403",
        post=("L - 403 403 403 403 403", "L 200 403 403 403 403 403"),
        oos="a deputy naming another county's station is refused by the form (200), nothing is saved",
        data=lambda c: {
            "station": c.station.pk,
            "kind": "door",
            "date": c.visit.date.isoformat(),
            "place": "矩阵测试",
            "op-TOTAL_FORMS": "0",
            "op-INITIAL_FORMS": "0",
        },
    ),
    # The offline visit form: the worker script and the manifest hold no data (the browser fetches the worker
    # on its own, signed in or not); the pick lists are the deputy's own stations, villages and categories.
    E("opinions/visits/sw.js", lambda c: "/opinions/visits/sw.js", "200 200 200 200 200 200 200", leak_check=False),
    E(
        "opinions/visits/manifest.webmanifest",
        lambda c: "/opinions/visits/manifest.webmanifest",
        "200 200 200 200 200 200 200",
        leak_check=False,
    ),
    E("opinions/visits/lists.json", lambda c: "/opinions/visits/lists.json", "L 200 403 403 403 403 403"),
    E(
        "opinions/mediations/new/",
        lambda c: "/opinions/mediations/new/",
        "L 200 403 403 403 403 403",
        post=("L - 403 403 403 403 403", "L 200 403 403 403 403 403"),
        oos="a deputy naming another county's station is refused by the form (200), nothing is saved",
        data=lambda c: {
            "station": c.station.pk,
            "date": c.visit.date.isoformat(),
            "parties": "丙、丁",
            "subject": "矩阵测试",
            "steps": "调解",
            "result": "resolved",
        },
    ),
    E(
        "opinions/deputies/<str:code>/record/",
        lambda c: f"/opinions/deputies/{c.deputy.code}/record/",
        "L 200 200 200 404 200 404",
        "L 404 404 404 404 404 200",
    ),
    E(
        "opinions/stations/<str:station_code>/poster/",
        lambda c: f"/opinions/stations/{c.station.code}/poster/",
        "L 200 200 200 404 200 404",
        "L 404 404 404 404 404 200",
    ),
    E(
        "opinions/stations/<str:station_code>/rota/",
        lambda c: f"/opinions/stations/{c.station.code}/rota/",
        "L 200 200 200 404 200 404",
        "L 404 404 404 404 404 200",
        post=("L 403 - - 404 403 404", "L 404 404 404 404 404 -"),
        data=lambda c: {"date": _future(12), "deputy": c.deputy.code},
    ),
    E(
        "opinions/stations/<str:station_code>/rota/<int:pk>/cancel/",
        lambda c: f"/opinions/stations/{c.station.code}/rota/{c.duty.pk}/cancel/",
        "L 405 405 405 405 405 405",
        "L 405 405 405 405 405 405",
        post=("L 403 - - 404 403 404", "L 404 404 404 404 404 -"),
    ),
    E(
        "opinions/<str:code>/",
        lambda c: f"/opinions/{c.opinion.code}/",
        "L 200 200 200 404 200 404",
        "L 404 404 404 404 404 200",
    ),
    E(
        "opinions/<str:code>/photos/<int:pk>/",
        lambda c: f"/opinions/{c.opinion.code}/photos/{c.photo_pk}/",
        "L 200 200 200 404 200 404",
        "L 404 404 404 404 404 200",
    ),
    # 查看完整联系方式: a reasoned request, logged; the collecting deputy, the station and the region's staff may
    # (they would write a log row: not tried), the leader sees the opinion but not the contacts (403).
    E(
        "opinions/<str:code>/contacts/",
        lambda c: f"/opinions/{c.opinion.code}/contacts/",
        "L 405 405 405 405 405 405",
        "L 405 405 405 405 405 405",
        post=("L - - - 404 403 404", "L 404 404 404 404 404 -"),
        data=lambda c: {"reason": "电话回访群众"},
    ),
    E(
        "opinions/<str:code>/<str:action>/",
        lambda c: f"/opinions/{c.opinion.code}/answer/",
        "L 405 405 405 405 405 405",
        "L 405 405 405 405 405 405",
        post=("L - - - 404 403 404", "L 404 404 404 404 404 -"),
        data=lambda c: {"answer": "已当场答复", "told_now": "on"},
    ),
    # --- meetings -------------------------------------------------------------------------------------------
    E("meetings/", lambda c: "/meetings/", "L 200+ 200+ 200+ 404 200+ 200+", shows=lambda c: c.meeting.code),
    E(
        "meetings/open/<str:station_code>/",
        lambda c: f"/meetings/open/{c.station.code}/",
        "L 405 405 405 405 405 405",
        "L 405 405 405 405 405 405",
        post=("L 403 - - 404 403 404", "L 404 404 404 404 404 -"),
        data=lambda c: {"held_at": "2020-01-15T09:00", "place": "村部"},
    ),
    E(
        "meetings/<str:code>/",
        lambda c: f"/meetings/{c.meeting.code}/",
        "L 200 200 200 404 200 404",
        "L 404 404 404 404 404 200",
    ),
    E(
        "meetings/<str:code>/attendance/",
        lambda c: f"/meetings/{c.meeting.code}/attendance/",
        "L 405 405 405 405 405 405",
        "L 405 405 405 405 405 405",
        post=("L 403 - - 404 403 404", "L 404 404 404 404 404 -"),
        data=lambda c: {"present": [c.deputy.pk]},
    ),
    E(
        "meetings/<str:code>/refresh/",
        lambda c: f"/meetings/{c.meeting.code}/refresh/",
        "L 405 405 405 405 405 405",
        "L 405 405 405 405 405 405",
        post=("L 403 - - 404 403 404", "L 404 404 404 404 404 -"),
    ),
    E(
        "meetings/<str:code>/items/<int:item_id>/decide/",
        lambda c: f"/meetings/{c.meeting.code}/items/{c.item.pk}/decide/",
        "L 405 405 405 405 405 405",
        "L 405 405 405 405 405 405",
        post=("L 403 - - 404 403 404", "L 404 404 404 404 404 -"),
        data=lambda c: {f"i{c.item.pk}-decision": "not_feasible", f"i{c.item.pk}-note": "暂不具备条件"},
    ),
    E(
        "meetings/<str:code>/close/",
        lambda c: f"/meetings/{c.meeting.code}/close/",
        "L 405 405 405 405 405 405",
        "L 405 405 405 405 405 405",
        post=("L 403 - - 404 403 404", "L 404 404 404 404 404 -"),
    ),
    E(
        "meetings/<str:code>/minutes.docx",
        lambda c: f"/meetings/{c.meeting.code}/minutes.docx",
        "L 200 200 200 404 200 404",
        "L 404 404 404 404 404 200",
    ),
    # --- suggestions ----------------------------------------------------------------------------------------
    E("suggestions/", lambda c: "/suggestions/", "L 200+ 200+ 200+ 200+ 200+ 200+", shows=lambda c: c.main.code),
    E(
        "suggestions/new/",
        lambda c: "/suggestions/new/",
        "L 200 403 403 403 403 403",
        post=("L - 403 403 403 403 403", "L 200 403 403 403 403 403"),
        oos="drafting from another county's opinion is refused by the form (200), nothing is saved",
        data=lambda c: {
            "title": "矩阵测试建议",
            "cause": "案由",
            "reasons": "理由",
            "proposals": "建议",
            "category": c.main.category_id,
            "level": "county",
            "opinions": [c.opinion_src.code],
        },
    ),
    E(
        "suggestions/similar/",
        lambda c: "/suggestions/similar/?text=村口石桥护栏断裂",
        "L 200+ 200+ 200+ 200+ 200+ 200+",
        shows=lambda c: c.main.code,
    ),
    E(
        "suggestions/review/",
        lambda c: "/suggestions/review/",
        "L 403 403 200+ 403 403 200+",
        shows=lambda c: c.submitted.code,
    ),
    E(
        "suggestions/extensions/",
        lambda c: "/suggestions/extensions/",
        "L 403 403 200+ 403 403 200+",
        shows=lambda c: c.main.code,
    ),
    E(
        "suggestions/<str:code>/",
        lambda c: f"/suggestions/{c.main.code}/",
        "L 200 200 200 200 200 404",
        "L 404 404 404 404 404 200",
    ),
    E(
        "suggestions/<str:code>/edit/",
        lambda c: f"/suggestions/{c.draft.code}/edit/",
        "L 200 404 404 404 404 404",
        "L 404 404 404 404 404 404",
        post=("L - 404 404 404 404 404", "L 404 404 404 404 404 404"),
        data=lambda c: {
            "title": "改过的标题",
            "cause": "案由",
            "reasons": "理由",
            "proposals": "建议",
            "category": c.draft.category_id,
        },
    ),
    E(
        "suggestions/<str:code>/invite/",
        lambda c: f"/suggestions/{c.draft.code}/invite/",
        "L 405 405 405 405 405 405",
        "L 405 405 405 405 405 405",
        post=("L - 404 404 404 404 404", "L 404 404 404 404 404 404"),
        data=lambda c: {"deputies": ["D0000002"], "deadline": _future()},
    ),
    E(
        "suggestions/<str:code>/cosign/",
        lambda c: f"/suggestions/{c.draft.code}/cosign/",
        "L 405 405 405 405 405 405",
        "L 405 405 405 405 405 405",
        post=("L 403 404 404 404 404 404", "L 404 404 404 404 404 404"),
        data=lambda c: {"accept": "1"},
    ),
    E(
        "suggestions/<str:code>/submit/",
        lambda c: f"/suggestions/{c.draft.code}/submit/",
        "L 405 405 405 405 405 405",
        "L 405 405 405 405 405 405",
        post=("L - 404 404 404 404 404", "L 404 404 404 404 404 404"),
    ),
    E(
        "suggestions/<str:code>/withdraw/",
        lambda c: f"/suggestions/{c.submitted.code}/withdraw/",
        "L 405 405 405 405 405 405",
        "L 405 405 405 405 405 405",
        post=("L - 403 403 404 403 404", "L 404 404 404 404 404 403"),
        data=lambda c: {"reason": "矩阵测试"},
    ),
    E(
        "suggestions/<str:code>/review/",
        lambda c: f"/suggestions/{c.submitted.code}/review/",
        "L 405 405 405 405 405 405",
        "L 405 405 405 405 405 405",
        post=("L 403 403 - 404 403 404", "L 404 404 404 404 404 -"),
        data=lambda c: {"decision": "accept"},
    ),
    E(
        "suggestions/<str:code>/assign/",
        lambda c: f"/suggestions/{c.submitted.code}/assign/",
        "L 403 403 200 404 403 404",
        "L 404 404 404 404 404 200",
        post=("L 403 403 - 404 403 404", "L 404 404 404 404 404 -"),
        data=lambda c: {"mode": "lead", "lead": c.unit.pk},
    ),
    E(
        "suggestions/<str:code>/reassign/<str:acode>/",
        lambda c: f"/suggestions/{c.main.code}/reassign/{c.assignment.code}/",
        "L 405 405 405 405 405 405",
        "L 405 405 405 405 405 405",
        post=("L 403 403 - 403 403 404", "L 404 404 404 404 404 -"),
        data=lambda c: {"unit": c.unit.pk},
    ),
    E(
        "suggestions/<str:code>/extension/<int:pk>/",
        lambda c: f"/suggestions/{c.main.code}/extension/{c.extension.pk}/",
        "L 405 405 405 405 405 405",
        "L 405 405 405 405 405 405",
        post=("L 403 403 - 403 403 404", "L 404 404 404 404 404 -"),
        data=lambda c: {"approve": "1"},
    ),
    E(
        "suggestions/<str:code>/evaluate/",
        lambda c: f"/suggestions/{c.main.code}/evaluate/",
        "L 200 403 403 403 403 404",
        "L 404 404 404 404 404 403",
        post=("L - 403 403 403 403 404", "L 404 404 404 404 404 403"),
        data=lambda c: {"process": "satisfied", "result": "satisfied"},
    ),
    E(
        "suggestions/<str:code>/close/",
        lambda c: f"/suggestions/{c.main.code}/close/",
        "L 405 405 405 405 405 405",
        "L 405 405 405 405 405 405",
        post=("L 403 403 - 403 403 404", "L 404 404 404 404 404 -"),
    ),
    E(
        "suggestions/<str:code>/supervise/",
        lambda c: f"/suggestions/{c.main.code}/supervise/",
        "L 405 405 405 405 405 405",
        "L 405 405 405 405 405 405",
        post=("L 403 403 - 403 - 404", "L 404 404 404 404 404 -"),
        data=lambda c: {"action": "note", "note": "请加快办理"},
    ),
    E(
        "suggestions/<str:code>/remind/<str:acode>/",
        lambda c: f"/suggestions/{c.main.code}/remind/{c.assignment.code}/",
        "L 405 405 405 405 405 405",
        "L 405 405 405 405 405 405",
        post=("L 403 403 - 403 - 404", "L 404 404 404 404 404 -"),
        data=lambda c: {"note": "请加快办理"},
    ),
    E(
        "suggestions/<str:code>/form.docx",
        lambda c: f"/suggestions/{c.main.code}/form.docx",
        "L 200 200 200 200 200 404",
        "L 404 404 404 404 404 200",
    ),
    E(
        "suggestions/<str:code>/attachment/",
        lambda c: f"/suggestions/{c.main.code}/attachment/",
        "L 200 200 200 200 200 404",
        "L 404 404 404 404 404 200",
    ),
    E(
        "suggestions/<str:code>/answers/<int:pk>/attachment/",
        lambda c: f"/suggestions/{c.closed.code}/answers/{c.answer_pk}/attachment/",
        "L 200 200 200 200 200 404",
        "L 404 404 404 404 404 200",
    ),
    E(
        "suggestions/<str:code>/answers/<int:pk>/letter.docx",
        lambda c: f"/suggestions/{c.closed.code}/answers/{c.answer_pk}/letter.docx",
        "L 200 200 200 200 200 404",
        "L 404 404 404 404 404 200",
    ),
    E(
        "suggestions/<str:code>/answers/<int:pk>/scan/",
        lambda c: f"/suggestions/{c.closed.code}/answers/{c.answer_pk}/scan/",
        "L 200 200 200 200 200 404",
        "L 404 404 404 404 404 200",
    ),
    # The paper 征求意见表: printed by the receiving body's staff (they send it) and by the deputy themself.
    E(
        "suggestions/<str:code>/feedback/<str:deputy>.docx",
        lambda c: f"/suggestions/{c.closed.code}/feedback/{c.deputy.code}.docx",
        "L 200 403 200 403 403 404",
        "L 404 404 404 404 404 200",
    ),
    # Staff enter a returned paper form; `main` is not answered yet, so their POST is refused (nothing saved).
    E(
        "suggestions/<str:code>/evaluate/paper/",
        lambda c: f"/suggestions/{c.main.code}/evaluate/paper/",
        "L 403 403 200 403 403 404",
        "L 404 404 404 404 404 200",
        post=("L 403 403 200 403 403 404", "L 404 404 404 404 404 200"),
        data=lambda c: {"deputy": c.deputy.pk, "process": "satisfied", "result": "satisfied"},
    ),
    E("units/inbox/", lambda c: "/units/inbox/", "L 200- 200- 200+ 200+ 200+ 200+", shows=lambda c: c.assignment.code),
    E(
        "units/assignments/<str:code>/",
        lambda c: f"/units/assignments/{c.assignment.code}/",
        "L 404 404 200 200 200 404",
        "L 404 404 404 404 404 200",
    ),
    E(
        "units/assignments/<str:code>/<str:action>/",
        lambda c: f"/units/assignments/{c.assignment.code}/progress/",
        "L 405 405 405 405 405 405",
        "L 405 405 405 405 405 405",
        post=("L 404 404 403 - 403 404", "L 404 404 404 404 404 403"),
        data=lambda c: {"text": "已完成设计"},
    ),
    E(
        "public/<str:region>/suggestions/",
        lambda c: f"/public/{c.county.code}/suggestions/",
        "200 200 200 200 200 200 200",
        "200 200 200 200 200 200 200",
        public=True,
    ),
    # --- reports --------------------------------------------------------------------------------------------
    E("reports/", lambda c: "/reports/", "L 302 302 302 404 302 302"),
    E(
        "reports/items/",
        lambda c: f"/reports/items/?metric=opinions&region={c.county.code}",
        "L 404 404 200 404 200 404",
        "L 404 404 404 404 404 200",
    ),
    E(
        "reports/region/<str:code>/",
        lambda c: f"/reports/region/{c.county.code}/",
        "L 404 404 200 404 200 404",
        "L 404 404 404 404 404 200",
    ),
    E(
        "reports/region/<str:code>/compare/",
        lambda c: f"/reports/region/{c.township.code}/compare/",
        "L 404 404 200 404 200 404",
        "L 404 404 404 404 404 200",
    ),
    E(
        "reports/region/<str:code>/export/<str:table>.xlsx",
        lambda c: f"/reports/region/{c.county.code}/export/ranking.xlsx",
        "L 404 404 200 404 200 404",
        "L 404 404 404 404 404 200",
    ),
    E(
        "reports/station/<str:code>/",
        lambda c: f"/reports/station/{c.station.code}/",
        "L 200 200 200 404 200 404",
        "L 404 404 404 404 404 200",
    ),
    E(
        "reports/deputy/<str:code>/",
        lambda c: f"/reports/deputy/{c.deputy.code}/",
        "L 200 200 200 404 200 404",
        "L 404 404 404 404 404 200",
    ),
    E(
        "reports/assessment/<str:code>/",
        lambda c: f"/reports/assessment/{c.county.code}/",
        "L 404 404 200 404 200 404",
        "L 404 404 404 404 404 200",
    ),
    E(
        "reports/assessment/<str:code>/export/<str:table>.xlsx",
        lambda c: f"/reports/assessment/{c.county.code}/export/stations.xlsx",
        "L 404 404 200 404 200 404",
        "L 404 404 404 404 404 200",
    ),
    E(
        "reports/units/<str:code>/",
        lambda c: f"/reports/units/{c.county.code}/",
        "L 404 404 200 404 200 404",
        "L 404 404 404 404 404 200",
    ),
    E(
        "reports/units/<str:code>/export.xlsx",
        lambda c: f"/reports/units/{c.county.code}/export.xlsx",
        "L 404 404 200 404 200 404",
        "L 404 404 404 404 404 200",
    ),
    E(
        "reports/units/<str:code>/items/<str:unit>/",
        lambda c: f"/reports/units/{c.county.code}/items/{c.unit.code}/?figure=handled",
        "L 404 404 200 404 200 404",
        "L 404 404 404 404 404 200",
    ),
    E("reports/bulletins/", lambda c: "/reports/bulletins/", "L 200 200 200 200 200 200"),
    E(
        "reports/bulletin/<str:scope>/<str:code>/<str:month>/",
        lambda c: f"/reports/bulletin/region/{c.county.code}/{c.month}/",
        "L 404 404 200 404 200 404",
        "L 404 404 404 404 404 200",
    ),
    E(
        "reports/bulletin/<str:scope>/<str:code>/<str:month>/file.<str:fmt>",
        lambda c: f"/reports/bulletin/station/{c.station.code}/{c.month}/file.docx",
        "L 200 200 200 404 200 404",
        "L 404 404 404 404 404 200",
    ),
    # --- insight --------------------------------------------------------------------------------------------
    E(
        "insight/similar/",
        lambda c: f"/insight/similar/?text=村口石桥护栏断裂&region={c.county.code}",
        "L 404 404 200 404 200 404",
        "L 404 404 404 404 404 200",
    ),
    E("insight/categorise/", lambda c: "/insight/categorise/?text=村口路灯坏了", "L 200 200 200 200 200 200"),
    E(
        "insight/topics/",
        lambda c: f"/insight/topics/?region={c.county.code}",
        "L 404 404 200 404 200 404",
        "L 404 404 404 404 404 200",
    ),
    E(
        "insight/clusters/",
        lambda c: f"/insight/clusters/?region={c.county.code}",
        "L 404 404 200 404 200 404",
        "L 404 404 404 404 404 200",
    ),
    # --- export jobs: each is its requester's alone (the county's staff here), anyone else 404 ------------------
    E("exports/", lambda c: "/exports/", "L 200 200 200 200 200 200"),
    E("exports/<str:code>/", lambda c: f"/exports/{_export_job(c).code}/", *_OWN_JOB),
    E("exports/<str:code>/progress/", lambda c: f"/exports/{_export_job(c).code}/progress/", *_OWN_JOB),
    E("exports/<str:code>/download/", lambda c: f"/exports/{_export_job(c).code}/download/", *_OWN_JOB),
    # --- API operations (keys from the OpenAPI schema) --------------------------------------------------------
    E("GET /api/v1/me", lambda c: "/api/v1/me", "401 200 200 200 200 200 200"),
    E(
        "GET /api/v1/stations",
        lambda c: "/api/v1/stations",
        "401 200+ 200+ 200+ 200- 200+ 200+",
        shows=lambda c: c.station.code,
    ),
    E(
        "GET /api/v1/stations/{code}",
        lambda c: f"/api/v1/stations/{c.station.code}",
        "401 200 200 200 404 200 404",
        "401 404 404 404 404 404 200",
    ),
    E(
        "GET /api/v1/deputies",
        lambda c: "/api/v1/deputies",
        "401 200+ 200+ 200+ 200- 200+ 200+",
        shows=lambda c: c.deputy.code,
    ),
    E(
        "GET /api/v1/deputies/{code}",
        lambda c: f"/api/v1/deputies/{c.deputy.code}",
        "401 200 200 200 404 200 404",
        "401 404 404 404 404 404 200",
    ),
    E(
        "POST /api/v1/public/stations/{station_code}/opinions",
        lambda c: f"/api/v1/public/stations/{c.station.code}/opinions",
        "405 405 405 405 405 405 405",
        "405 405 405 405 405 405 405",
        no_post="the resident's public submission to any station (tests/api/test_opinions_api.py)",
    ),
    E(
        "GET /api/v1/opinions",
        lambda c: "/api/v1/opinions",
        "401 200+ 200+ 200+ 200- 200+ 200+",
        shows=lambda c: c.opinion.code,
    ),
    E(
        "GET /api/v1/opinions/{code}",
        lambda c: f"/api/v1/opinions/{c.opinion.code}",
        "401 200 200 200 404 200 404",
        "401 404 404 404 404 404 200",
    ),
    # The opinion loop's writes (JSON body + Idempotency-Key, test_scope_matrix._post). Roles that may take the
    # step are not tried ("-"); whether the state allows it is tests/api/test_opinion_writes.py's business.
    E(
        "POST /api/v1/opinions",
        lambda c: "/api/v1/opinions",
        "401 200+ 200+ 200+ 200- 200+ 200+",
        shows=lambda c: c.opinion.code,
        post=("401 - - - 404 403 404", "401 404 404 404 404 404 -"),
        data=lambda c: {"station": c.station.code, "channel": "phone", "content": "矩阵测试登记的社情民意"},
    ),
    E(
        "POST /api/v1/visits",
        lambda c: "/api/v1/visits",
        "405 405 405 405 405 405 405",
        post=("401 - 403 403 404 403 404", "401 404 404 404 404 404 403"),
        data=lambda c: {
            "station": c.station.code,
            "kind": "door",
            "date": _future(0),
            "place": "村民组",
            "opinions": [],
        },
    ),
    *(
        _opinion_step(step, lambda c: c.opinion, mine, data)
        for step, mine, data in [
            ("answer", "401 - - - 404 403 404", lambda c: {"answer": "已当场答复"}),
            ("refuse", "401 - - - 404 403 404", lambda c: {"reason": "属于诉讼事项"}),
            ("agenda", "401 403 - - 404 403 404", None),
            ("outcome", "401 403 - - 404 403 404", lambda c: {"text": "已办理"}),
            (
                "report-back",
                "401 - - - 404 403 404",
                lambda c: {"method": "phone", "at": _future(0), "reaction": "none"},
            ),
            ("close", "401 - - - 404 403 404", None),
        ]
    ),
    # The meeting's decisions, on the opinion on the agenda: the chair's (the station head, the county's staff).
    *(
        _opinion_step(step, lambda c: c.item.opinion, "401 403 - - 404 403 404", data)
        for step, data in [
            ("village", lambda c: {"due_date": _future()}),
            ("refer", lambda c: {"unit": c.unit.code}),
            ("suggestion", lambda c: {"deputy": c.deputy.code}),
            ("duplicate", lambda c: {"original": c.opinion.code}),
            ("not-feasible", lambda c: {"reason": "资金不足"}),
        ]
    ),
    E(
        "GET /api/v1/suggestions",
        lambda c: "/api/v1/suggestions",
        "401 200+ 200+ 200+ 200+ 200+ 200+",
        shows=lambda c: c.main.code,
    ),
    E(
        "GET /api/v1/suggestions/{code}",
        lambda c: f"/api/v1/suggestions/{c.main.code}",
        "401 200 200 200 200 200 404",
        "401 404 404 404 404 404 200",
    ),  # The suggestion loop's writes (tests/api/test_suggestion_writes.py, test_assignment_writes.py). A draft is
    # its deputy's alone (404 to everyone else, 东至 staff included); "-" as above, also where the world's object
    # is in a state the step refuses (the role may take it; the state is those tests' business).
    E(
        "POST /api/v1/suggestions",
        lambda c: "/api/v1/suggestions",
        "401 200+ 200+ 200+ 200+ 200+ 200+",
        shows=lambda c: c.main.code,
        post=("401 - 403 403 404 403 404", "401 404 404 404 404 404 403"),
        data=lambda c: {
            "deputy": c.deputy.code,
            "title": "矩阵测试的建议",
            "cause": "案由",
            "proposals": "具体建议",
            "category": "城乡建设",
        },
    ),
    *(
        _api_step("suggestions", step, lambda c: c.draft, "401 - 404 404 404 404 404", data, dz)
        for step, data, dz in [
            ("edit", lambda c: {"title": "改过的标题"}, "401 404 404 404 404 404 404"),
            (
                "cosigners",
                lambda c: {"deputies": [c.deputy.code], "deadline": _future()},
                "401 404 404 404 404 404 404",
            ),
            ("submit", None, "401 404 404 404 404 404 404"),
        ]
    ),
    _api_step(
        "suggestions",
        "cosign",
        lambda c: c.submitted,
        "401 403 403 403 404 403 404",
        lambda c: {"accept": True},
        "401 404 404 404 404 404 403",
    ),
    _api_step(
        "suggestions",
        "withdraw",
        lambda c: c.submitted,
        "401 - 403 403 404 403 404",
        lambda c: {},
        "401 404 404 404 404 404 403",
    ),
    *(
        _api_step("suggestions", step, lambda c: c.submitted, "401 403 403 - 404 403 404", data)
        for step, data in [
            ("accept", lambda c: {}),
            ("merge", lambda c: {"into": c.closed.code}),
            ("reject", lambda c: {"reason": "不属于本级职权"}),
            ("assign", lambda c: {"lead": c.unit.code}),
        ]
    ),
    _api_step(
        "suggestions",
        "evaluation",
        lambda c: c.main,
        "401 - 403 403 403 403 404",
        lambda c: {"process": "satisfied", "result": "satisfied"},
        "401 404 404 404 404 404 403",
    ),
    _api_step("suggestions", "close", lambda c: c.main, "401 403 403 - 403 403 404", lambda c: {}),
    _api_step(
        "suggestions", "supervision-notes", lambda c: c.main, "401 403 403 - 403 - 404", lambda c: {"text": "请加快"}
    ),
    _api_step(
        "suggestions",
        "key-supervision",
        lambda c: c.main,
        "401 403 403 - 403 - 404",
        lambda c: {"key": False},
    ),
    # On `main`'s lead assignment (signed, an extension waiting): the unit's steps, then the receiving body's.
    *(
        _api_step("assignments", step, lambda c: c.assignment, "401 404 404 403 - 403 404", data, dz)
        for step, data, dz in [
            ("sign", None, "401 404 404 404 404 404 403"),
            ("return", lambda c: {"reason": "不属于本单位职责"}, "401 404 404 404 404 404 403"),
            ("progress", lambda c: {"text": "已完成设计"}, "401 404 404 404 404 404 403"),
            (
                "consultations",
                lambda c: {"kind": "phone", "held_on": _future(0), "notes": "电话沟通"},
                "401 404 404 404 404 404 403",
            ),
            ("cohandler-opinion", lambda c: {"text": "同意"}, "401 404 404 404 404 404 403"),
            ("extension", lambda c: {"months": 1, "reason": "需要协调资金"}, "401 404 404 404 404 404 403"),
            (
                "answer",
                lambda c: {"answer_class": "A", "text": "已维修", "signer": "李局长"},
                "401 404 404 404 404 404 403",
            ),
        ]
    ),
    # No commitment in the world: an unknown one under a visible assignment is a 404 like an invisible one.
    E(
        "POST /api/v1/assignments/{code}/commitments/{commitment}/fulfil",
        lambda c: f"/api/v1/assignments/{c.assignment.code}/commitments/C0000000/fulfil",
        "405 405 405 405 405 405 405",
        "405 405 405 405 405 405 405",
        post=("401 404 404 404 404 404 404", "401 404 404 404 404 404 404"),
        data=lambda c: {"note": "已兑现"},
    ),
    _api_step(
        "assignments", "reassign", lambda c: c.assignment, "401 404 404 - 403 403 404", lambda c: {"unit": c.unit.code}
    ),
    _api_step(
        "assignments",
        "extension/decision",
        lambda c: c.assignment,
        "401 404 404 - 403 403 404",
        lambda c: {"approve": True},
    ),
    _api_step("assignments", "remind", lambda c: c.assignment, "401 404 404 - 403 - 404", lambda c: {}),
]
