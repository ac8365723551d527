"""The privacy matrix: each personal field, on each surface (HTML page, xlsx export, docx, API JSON, public page),
for each role — shown in full, masked, or not shown at all, as PRODUCT.md and liaison/org/selectors.py
can_see_contacts() say.

HTML pages show residents' names and phones masked to everyone (个人信息保护法: minimum exposure); whoever needs
them (can_see_contacts / sees_contacts) gets them in full from the opinion page's 查看完整联系方式, a POST with a
reason that writes a row of the personal-data access log. Exports and the API are unchanged (docs/SECURITY.md).

The fields carry distinctive values (tests/world.py and below); each response is searched for the full value
and for its masked form (liaison/lib/masking.py):

    RN  the resident's name      测试居民甲 / 测****      on the opinion collected by 王建国 (the `deputy` role)
    RP  the resident's phone     13712345670 / 137****5670
    DP  the deputies' phone      13912345678 / 139****5678   (every 石台 deputy; the 东至 one has another)
    CI  a confidential suggestion's lead deputy: 测试代表丁 (no masked form: shown or not)
    CR  the affected resident of that confidential suggestion: 保密居民丙 / 保****

Expectations per role, in the order of PROLES: F shown in full, M masked (and the full value nowhere), - neither.
`ok` is the status each role gets, so that "-" is never the accident of an error page.
"""

from dataclasses import dataclass

import pytest

from liaison.lib.masking import mask_name, mask_phone
from liaison.meetings import services as meeting_services
from liaison.opinions import services as opinion_services
from liaison.opinions.models import Opinion
from liaison.org.models import Deputy, Level, Mandate, Stationing, User
from liaison.suggestions import services as suggestion_services
from tests.cast import PASSWORD
from tests.world import DEPUTY_PHONE, RESIDENT_NAME, RESIDENT_PHONE, body_text, token, world_fixture

PROLES = ("anon", "deputy", "deputy2", "head", "staff", "unit", "leader", "outsider")

CONF_DEPUTY = "测试代表丁"
CONF_RESIDENT = "保密居民丙"
OTHER_DEPUTY_PHONE = "13900000003"

FIELDS = {
    "RN": (RESIDENT_NAME["shitai"], mask_name(RESIDENT_NAME["shitai"])),
    "RP": (RESIDENT_PHONE["shitai"], mask_phone(RESIDENT_PHONE["shitai"])),
    "DP": (DEPUTY_PHONE, mask_phone(DEPUTY_PHONE)),
    "CI": (CONF_DEPUTY, None),
    "CR": (CONF_RESIDENT, mask_name(CONF_RESIDENT)),
}


def _export_job(user):
    """`user`'s ledger export, written by the export job (liaison/exports) as the worker would."""
    from liaison.exports import services

    job = services.request_export(actor=user, kind="ledger", params={}, filename="民情台账.xlsx", total=0)
    services.run_export(code=job.code)
    return job


def _suggestion(*, deputy, user, title, proposals="请县住建局尽快处理", **kw):
    return suggestion_services.create_draft(
        actor=user,
        deputy=deputy,
        title=title,
        cause="群众多次反映",
        reasons="影响群众生产生活",
        proposals=proposals,
        category=kw.pop("category"),
        **kw,
    )


def add_privacy_items(w):
    """On top of the two counties: a confidential suggestion (its own deputy and resident), a closed public
    one whose texts carry the resident's phone, and the collected opinion on the meeting's agenda."""
    c, st = w.cast, w.shitai
    cat = c.categories["城乡建设"]
    # The 东至 deputy gets a phone of their own, so that 13912345678 is 石台's alone.
    Deputy.objects.filter(pk=c.other_deputy.pk).update(phone=OTHER_DEPUTY_PHONE)

    user = User.objects.create_user(username="conf_deputy", password=PASSWORD, display_name=CONF_DEPUTY)
    deputy = Deputy.objects.create(
        code="D0000009", name=CONF_DEPUTY, phone=DEPUTY_PHONE, home_region=c.yuanxi, user=user
    )
    Mandate.objects.create(deputy=deputy, level=Level.COUNTY, region=c.shitai, term="第十八届")
    Stationing.objects.create(deputy=deputy, station=c.station)
    src, _ = opinion_services.register_opinion(
        station=c.station,
        channel=Opinion.Channel.VISIT,
        title="两户宅基地边界争议",
        content="两户村民因宅基地边界多次发生争执，希望有关部门依法确权。",
        actor=c.officer,
        category=cat,
        deputy=deputy,
        resident_name=CONF_RESIDENT,
        resident_phone="13712345672",
    )
    opinion_services.put_on_agenda(opinion=src, actor=c.head)
    opinion_services.turn_into_suggestion(opinion=src, drafting_deputy=deputy, actor=c.head)
    src.refresh_from_db()
    conf = _suggestion(
        deputy=deputy, user=user, title="关于依法确认宅基地边界的建议", category=cat, opinions=[src], confidential=True
    )
    suggestion_services.submit_suggestion(suggestion=conf, actor=user)
    suggestion_services.accept_suggestion(suggestion=conf, actor=c.staff)
    (conf_assignment,) = suggestion_services.assign_suggestion(suggestion=conf, actor=c.staff, lead=c.unit)
    suggestion_services.sign_assignment(assignment=conf_assignment, actor=c.unit_user)

    phone = RESIDENT_PHONE["shitai"]
    public = _suggestion(
        deputy=c.deputy,
        user=c.deputy_user,
        title="关于修复三组村道的建议",
        proposals=f"请尽快修复，联系群众电话{phone}",
        category=cat,
    )
    suggestion_services.submit_suggestion(suggestion=public, actor=c.deputy_user)
    suggestion_services.accept_suggestion(suggestion=public, actor=c.staff)
    (public_assignment,) = suggestion_services.assign_suggestion(suggestion=public, actor=c.staff, lead=c.unit)
    suggestion_services.sign_assignment(assignment=public_assignment, actor=c.unit_user)
    suggestion_services.answer_assignment(
        assignment=public_assignment,
        actor=c.unit_user,
        answer_class="A",
        text=f"已修复，已致电{phone}回访。",
        signer="李局长",
    )
    suggestion_services.evaluate_answer(suggestion=public, actor=c.deputy_user, process="satisfied", result="satisfied")
    suggestion_services.close_suggestion(suggestion=public, actor=c.staff)

    # The collected opinion goes on this month's agenda: the minutes list it.
    meeting_services.refresh_agenda(meeting=st.meeting, actor=c.head)
    w.extra.update(conf=conf, conf_assignment=conf_assignment, public=public)


world = world_fixture(extend=add_privacy_items, roles=PROLES)


@dataclass(frozen=True)
class Surface:
    name: str
    url: object
    ok: tuple
    fields: dict
    has: object  # what every 200 of a 石台 role must show, so that "not shown" means hidden, not absent
    post: object  # the form data of a POST surface (None: a GET)


def S(name, url, ok, has=None, post=None, **fields):  # noqa: N802
    def tokens(spec, allowed):
        out = tuple(spec.split())
        assert len(out) == len(PROLES) and set(out) <= allowed, (name, spec)
        return out

    status = {"L", "200", "302", "401", "403", "404"}
    fields = {f: tokens(v, {"F", "M", "-"}) for f, v in fields.items()}
    return Surface(name, url, tokens(ok, status), fields, has, post)


X = "- - - - - - - -"  # not shown to anyone

#        roles:                                                  anon dep dep2 head staff unit leader outsider
SURFACES = [
    # --- HTML pages -------------------------------------------------------------------------------------------
    S(
        "opinion page",
        lambda w: f"/opinions/{w.shitai.opinion.code}/",
        "L 200 200 200 200 404 200 404",
        RN="- M M M M - M -",  # masked by default, for those who may reveal them too
        RP="- M M M M - M -",
    ),
    S(
        "opinion page after 查看完整联系方式 (a reason given, a log row written)",
        lambda w: f"/opinions/{w.shitai.opinion.code}/contacts/",
        # The collecting deputy, the station and the region's staff may; a fellow deputy and the leader see the
        # opinion but not its resident's contacts (403); units and other counties do not see the opinion (404).
        "L 200 403 200 200 404 403 404",
        post={"reason": "电话回访群众"},
        RN="- F - F F - - -",
        RP="- F - F F - - -",
    ),
    S(
        "ledger page",
        lambda w: "/opinions/",
        "L 200 200 200 200 404 200 200",
        RN="- M M M M - M -",
        RP="- M M M M - M -",
        CR="- M M M M - M -",
    ),
    S(
        "suggestion page: the opinions it came from",
        lambda w: f"/suggestions/{w.shitai.main.code}/",
        "L 200 200 200 200 200 200 404",
        # Masked for everyone, as on the opinion page; the full name is one reasoned request away there.
        RN="- M M M M - M -",
        RP=X,
    ),
    S(
        "confidential suggestion page",
        lambda w: f"/suggestions/{w.extra['conf'].code}/",
        "L 200 200 200 200 200 200 404",
        # Confidential identities are hidden from handling units (and the public, which never sees the item);
        # congress staff, leaders and the station's deputies still see them.
        CI="- F F F F - F -",
        CR="- M M M M - M -",
    ),
    S(
        "suggestion list, the confidential one",
        lambda w: f"/suggestions/?q={w.extra['conf'].code}",
        "L 200 200 200 200 200 200 200",
        CI="- F F F F - F -",
    ),
    S(
        "assignment page of the confidential suggestion",
        lambda w: f"/units/assignments/{w.extra['conf_assignment'].code}/",
        "L 404 404 404 200 200 200 404",
        CI="- - - - F - F -",
        CR=X,
        DP="- - - - F - M -",
    ),
    S(
        "assignment page: the lead deputy's phone",
        lambda w: f"/units/assignments/{w.shitai.assignment.code}/",
        "L 404 404 404 200 200 200 404",
        DP="- - - - F M M -",
    ),
    S(
        "deputy page",
        lambda w: f"/org/deputies/{w.shitai.deputy.code}/",
        "L 200 200 200 200 404 200 404",
        DP="- M M F F - M -",  # a deputy sees even their own phone masked: only station roles and staff need it
    ),
    S(
        "station page: its deputies",
        lambda w: f"/org/stations/{w.shitai.station.code}/",
        "L 200 200 200 200 404 200 404",
        DP="- M M F F - M -",
    ),
    S(
        "deputy's record page",
        lambda w: f"/opinions/deputies/{w.shitai.deputy.code}/record/",
        "L 200 200 200 200 404 200 404",
        has=lambda w: w.shitai.opinion.title,
        DP="- M M F F - M -",
        RN=X,  # the opinions it lists, without their residents
    ),
    S(
        "station dashboard: the month's suggestions",
        lambda w: f"/reports/station/{w.shitai.station.code}/",
        "L 200 200 200 200 404 200 404",
        has=lambda w: w.extra["conf"].title,
        CI=X,  # （保密） for everyone on dashboards, staff included
    ),
    S("home page", lambda w: "/", "L 200 200 200 200 200 200 200", CI=X, RN=X, RP=X, DP=X),
    S(
        "similar-suggestions hint",
        lambda w: "/suggestions/similar/?text=宅基地边界争议",
        "L 200 200 200 200 200 200 200",
        has=lambda w: w.extra["conf"].title,
        CI=X,
    ),
    # --- xlsx -------------------------------------------------------------------------------------------------
    S(
        "ledger export",
        lambda w: "/opinions/export.xlsx",
        "L 200 200 200 200 404 200 200",
        # Judgement call, recorded as the product behaves: the export masks the collecting deputy's own
        # residents (sees_contacts without the opinion); the station and staff get them in full, and each
        # such export writes one row of the personal-data access log (its filters, no reason asked).
        RN="- M M F F - M -",
        RP="- M M F F - M -",
        CR="- M M F F - M -",
    ),
    S(
        "ledger export written by a background job (its file, for its requester only)",
        lambda w: f"/exports/{_export_job(w.cast.staff).code}/download/",
        "L 404 404 404 200 404 404 404",
        # The same sheet function as the ledger export (opinions.exports.ledger_sheet), run as the requester;
        # tests/exports/test_jobs.py compares the two for each role.
        RN="- - - - F - - -",
        RP="- - - - F - - -",
        CR="- - - - F - - -",
    ),
    S(
        "deputies export",
        lambda w: "/org/export/deputies.xlsx",
        "L 200 200 200 200 200 200 200",
        DP="- M M F F - M -",
    ),
    S(
        "drill-down export of suggestions",
        lambda w: f"/reports/items/?metric=raised&region={w.shitai.county.code}&format=xlsx",
        "L 404 404 404 200 404 200 404",
        has=lambda w: w.extra["conf"].title,
        CI=X,  # （保密）
    ),
    # --- docx -------------------------------------------------------------------------------------------------
    S(
        "confidential suggestion form (docx)",
        lambda w: f"/suggestions/{w.extra['conf'].code}/form.docx",
        "L 200 200 200 200 200 200 404",
        has=lambda w: w.extra["conf"].title,
        CI="- F F F F - F -",
        CR=X,
    ),
    S(
        "meeting minutes (docx)",
        lambda w: f"/meetings/{w.shitai.meeting.code}/minutes.docx",
        "L 200 200 200 200 404 200 404",
        has=lambda w: w.shitai.opinion.title,  # on the agenda
        RN=X,
        RP=X,
    ),
    # --- API JSON ---------------------------------------------------------------------------------------------
    S(
        "API opinion",
        lambda w: f"/api/v1/opinions/{w.shitai.opinion.code}",
        "401 200 200 200 200 404 200 404",
        RN="- F M F F - M -",
        RP="- F M F F - M -",
    ),
    S(
        "API opinion list",
        lambda w: "/api/v1/opinions",
        "401 200 200 200 200 200 200 200",
        RN="- F M F F - M -",
        RP="- F M F F - M -",
        CR="- M M F F - M -",
    ),
    S(
        "API deputy",
        lambda w: f"/api/v1/deputies/{w.shitai.deputy.code}",
        "401 200 200 200 200 404 200 404",
        DP="- M M F F - M -",
    ),
    S("API deputy list", lambda w: "/api/v1/deputies", "401 200 200 200 200 200 200 200", DP="- M M F F - M -"),
    S(
        "API confidential suggestion",
        lambda w: f"/api/v1/suggestions/{w.extra['conf'].code}",
        "401 200 200 200 200 200 200 404",
        CI="- F F F F - F -",
    ),
    S("API suggestion list", lambda w: "/api/v1/suggestions", "401 200 200 200 200 200 200 200", CI="- F F F F - F -"),
    # --- public pages -----------------------------------------------------------------------------------------
    S(
        "status page (the resident's own lookup)",
        lambda w: f"/track/{w.shitai.opinion.code}/",
        "200 302 302 302 302 302 302 302",
        has=lambda w: w.shitai.opinion.title,
        RN=X,
        RP=X,
    ),
    S(
        "station QR page",
        lambda w: f"/s/{w.shitai.station.code}/",
        "200 200 200 200 200 200 200 200",
        has=lambda w: w.shitai.deputy.name,
        DP=X,
    ),
    S(
        "station poster",
        lambda w: f"/opinions/stations/{w.shitai.station.code}/poster/",
        "L 200 200 200 200 404 200 404",
        has=lambda w: w.shitai.deputy.name,
        DP=X,
    ),
    S(
        "public suggestions: phone numbers in the texts are redacted, confidential items left out",
        lambda w: f"/public/{w.shitai.county.code}/suggestions/",
        "200 200 200 200 200 200 200 200",
        has=lambda w: w.extra["public"].title,
        RP="M M M M M M M M",
        CI=X,
        CR=X,
        RN=X,
    ),
]


def shown(text: str, field: str) -> str:
    full, masked = FIELDS[field]
    if full in text:
        return "F"
    return "M" if masked and masked in text else "-"


@pytest.mark.django_db
@pytest.mark.parametrize("surface", SURFACES, ids=lambda s: s.name)
def test_personal_data(world, surface):
    w, clients = world
    url = surface.url(w)
    problems = []
    for i, role in enumerate(PROLES):
        response = clients[role].post(url, surface.post) if surface.post else clients[role].get(url)
        got = token(response)
        if got != surface.ok[i]:
            problems.append(f"{role} {'POST' if surface.post else 'GET'} {url}: expected {surface.ok[i]}, got {got}")
        text = body_text(response) if response.status_code == 200 else ""
        if text and surface.has and role != "outsider" and surface.has(w) not in text:
            problems.append(f"{role} GET {url}: does not show {surface.has(w)!r}")
        for field, expected in surface.fields.items():
            if (seen := shown(text, field)) != expected[i]:
                problems.append(f"{role} {field} on {url}: expected {expected[i]}, got {seen}")
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_a_deputy_who_heads_another_station_gets_the_phones_the_pages_show(world, client_for):
    """Scope is the union of memberships: a deputy stationed at 缘溪村 who heads 桃坑村's station may see the
    phones of 桃坑村's deputies, not of 缘溪村's — in the export as on the station page."""
    from liaison.org.models import Membership, Role

    w, _clients = world
    c = w.cast
    user = User.objects.create_user(username="deputy_head", password=PASSWORD, display_name="deputy_head")
    deputy = Deputy.objects.create(
        code="D0000010", name="测试代表戊", phone=DEPUTY_PHONE, home_region=c.yuanxi, user=user
    )
    Mandate.objects.create(deputy=deputy, level=Level.TOWNSHIP, region=c.renli, term="第十八届")
    Stationing.objects.create(deputy=deputy, station=c.station)
    Membership.objects.create(user=user, role=Role.STATION_HEAD, station=c.station_b)
    client = client_for(user)

    page = body_text(client.get(f"/org/stations/{c.station.code}/"))
    assert shown(page, "DP") == "M"
    sheet = body_text(client.get("/org/export/deputies.xlsx"))
    assert c.deputy.name in sheet and shown(sheet, "DP") == "M"
