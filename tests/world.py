"""Two counties' worth of objects on top of the shared cast, built through the real services.

石台县 holds one object of each kind that the 石台 cast may see; 东至县 holds its twin, which only the outsider
(东至 staff) may see. The scope and privacy matrices (tests/core/test_scope_matrix.py, test_privacy_matrix.py)
run every page against both.

`world_fixture()` builds the cast and the world once per test module, inside a transaction rolled back at the
end of the module; each test still runs in its own savepoint (the `db` fixture), so a test's writes never leak
into the next one.
"""

import datetime as dt
import io
import json
from dataclasses import dataclass, field
from urllib.parse import urlparse

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook
from PIL import Image

from liaison.meetings import services as meeting_services
from liaison.meetings.models import AgendaItem, Meeting
from liaison.opinions import rota
from liaison.opinions import services as opinion_services
from liaison.opinions.models import Mediation, Opinion, ReceptionDuty, Visit
from liaison.opinions.validation import CleanPhoto
from liaison.org.models import Deputy, HandlingUnit, Membership, Region, Role, Station, User
from liaison.suggestions import services as suggestion_services
from liaison.suggestions.models import Assignment, ExtensionRequest, Suggestion
from tests.cast import PASSWORD, Cast, make_cast

# Distinctive personal data, searched for in every response (full value and masked form).
# Distinct first characters: masked names keep only the first one (测**** / 东****), and the privacy matrix tells
# the two apart.
RESIDENT_NAME = {"shitai": "测试居民甲", "dongzhi": "东至居民乙"}
RESIDENT_PHONE = {"shitai": "13712345670", "dongzhi": "13712345671"}
DEPUTY_PHONE = "13912345678"  # every deputy of the cast has this phone


@dataclass
class County:
    """One county's objects (石台县 or 东至县)."""

    name: str
    county: Region
    township: Region
    village: Region
    station: Station
    deputy: Deputy
    deputy_user: User
    unit: HandlingUnit
    unit_user: User
    staff: User
    opinion: Opinion  # registered by the officer, collected by the deputy, with one photo
    password: str  # the opinion's query password
    photo_pk: int
    opinion_src: Opinion  # the source of `main`: decided into a suggestion
    meeting: Meeting  # this month's consultation, open
    item: AgendaItem
    visit: Visit
    mediation: Mediation
    duty: ReceptionDuty
    draft: Suggestion  # a draft of the deputy's (private)
    submitted: Suggestion  # submitted, waiting for review
    main: Suggestion  # submitted → accepted → assigned → signed, an extension pending
    assignment: Assignment  # the lead assignment of `main`
    extension: ExtensionRequest
    closed: Suggestion  # answered, evaluated, closed and publishable: on the public page
    month: str = field(default="")  # last month, "YYYY-MM" (bulletins)
    answer_pk: int = field(default=0)  # the answer of `closed`: an attachment (`main` has one too), a sealed scan


@dataclass
class World:
    cast: Cast
    shitai: County
    dongzhi: County
    extra: dict = field(default_factory=dict)  # what a matrix's `extend` adds

    def county(self, side: str) -> County:
        return getattr(self, side)


def jpeg() -> CleanPhoto:
    img = Image.new("RGB", (40, 30), (200, 30, 30))
    out = io.BytesIO()
    img.save(out, "JPEG")
    return CleanPhoto(content=out.getvalue(), ext="jpg", content_type="image/jpeg", width=40, height=30)


def pdf(name="附件.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n", content_type="application/pdf")


def _suggestion(*, deputy, user, title, category, opinions=(), confidential=False, attachment=None):
    return suggestion_services.create_draft(
        actor=user,
        deputy=deputy,
        title=title,
        cause="村口石桥护栏断裂，存在安全隐患",
        reasons="雨季通行量大，多名群众反映",
        proposals="请县住建局尽快维修加固石桥并增设护栏",
        category=category,
        opinions=opinions,
        confidential=confidential,
        attachment=attachment,
    )


def build_county(cast: Cast, side: str) -> County:
    c = cast
    cat = c.categories["城乡建设"]
    if side == "shitai":
        county, township, village, station = c.shitai, c.renli, c.yuanxi, c.station
        deputy, deputy_user, unit, unit_user, staff = c.deputy, c.deputy_user, c.unit, c.unit_user, c.staff
        officer, head = c.officer, c.head
    else:
        county, township, village, station = c.dongzhi, c.yanghu, c.shashan, c.other_station
        deputy, unit, staff = c.other_deputy, c.other_unit, c.outsider
        # The cast's 东至 deputy has no account and 东至住建局 no user: give them one here.
        deputy_user = User.objects.create_user(username="dz_deputy", password=PASSWORD, display_name="dz_deputy")
        Deputy.objects.filter(pk=deputy.pk).update(user=deputy_user)
        deputy.user = deputy_user
        unit_user = User.objects.create_user(username="dz_unit", password=PASSWORD, display_name="dz_unit")
        Membership.objects.create(user=unit_user, role=Role.UNIT, unit=unit)
        officer = head = staff  # county staff manage the station

    label = "石台" if side == "shitai" else "东至"
    today = timezone.localdate()
    src, _ = opinion_services.register_opinion(
        station=station,
        channel=Opinion.Channel.VISIT,
        title=f"{label}村口石桥破损",
        content=f"{label}村口通往集镇的石桥护栏断裂，雨季行人车辆通行存在安全隐患。",
        actor=officer,
        category=cat,
        deputy=deputy,
        resident_name=RESIDENT_NAME[side],
        resident_phone=RESIDENT_PHONE[side],
    )
    opinion_services.put_on_agenda(opinion=src, actor=head)
    opinion_services.turn_into_suggestion(opinion=src, drafting_deputy=deputy, actor=head)
    src.refresh_from_db()
    agenda_opinion, _ = opinion_services.register_opinion(
        station=station,
        channel=Opinion.Channel.LETTER,
        title=f"{label}垃圾清运不及时",
        content=f"{label}三组的垃圾池一周才清运一次，夏天气味很大。",
        actor=officer,
        category=cat,
    )
    meeting = meeting_services.open_meeting(station=station, year=today.year, month=today.month, actor=head)
    item = meeting.items.get(opinion=agenda_opinion)
    # Registered after the meeting opened: stays "registered" (answerable on the spot).
    opinion, password = opinion_services.register_opinion(
        station=station,
        channel=Opinion.Channel.PHONE,
        title=f"{label}村口路灯不亮",
        content=f"{label}村口到小学的三盏路灯坏了一个月，晚上孩子放学看不清路。",
        actor=officer,
        category=cat,
        deputy=deputy,
        resident_name=RESIDENT_NAME[side],
        resident_phone=RESIDENT_PHONE[side],
        photos=[jpeg()],
    )
    photo_pk = opinion.photos.get().pk
    draft = _suggestion(deputy=deputy, user=deputy_user, title=f"关于{label}修缮村部的建议（草稿）", category=cat)
    main = _suggestion(
        deputy=deputy,
        user=deputy_user,
        title=f"关于维修{label}村口石桥的建议",
        category=cat,
        opinions=[src],
        attachment=pdf(),
    )
    suggestion_services.submit_suggestion(suggestion=main, actor=deputy_user)
    suggestion_services.accept_suggestion(suggestion=main, actor=staff)
    (assignment,) = suggestion_services.assign_suggestion(suggestion=main, actor=staff, lead=unit)
    suggestion_services.sign_assignment(assignment=assignment, actor=unit_user)
    extension = suggestion_services.request_extension(
        assignment=assignment, actor=unit_user, months=1, reason="需要协调资金"
    )
    main.refresh_from_db()
    assignment.refresh_from_db()

    submitted = _suggestion(deputy=deputy, user=deputy_user, title=f"关于{label}硬化田间道路的建议", category=cat)
    suggestion_services.submit_suggestion(suggestion=submitted, actor=deputy_user)

    closed = _suggestion(deputy=deputy, user=deputy_user, title=f"关于{label}增设公交站台的建议", category=cat)
    suggestion_services.submit_suggestion(suggestion=closed, actor=deputy_user)
    suggestion_services.accept_suggestion(suggestion=closed, actor=staff)
    (closed_assignment,) = suggestion_services.assign_suggestion(suggestion=closed, actor=staff, lead=unit)
    suggestion_services.sign_assignment(assignment=closed_assignment, actor=unit_user)
    answer = suggestion_services.answer_assignment(
        assignment=closed_assignment,
        actor=unit_user,
        answer_class="A",
        text="站台已建成。",
        signer="李局长",
        attachment=pdf("验收单.pdf"),
    )
    suggestion_services.upload_reply_scan(answer=answer, actor=unit_user, scan=pdf("答复函盖章件.pdf"))
    suggestion_services.evaluate_answer(suggestion=closed, actor=deputy_user, process="satisfied", result="satisfied")
    suggestion_services.close_suggestion(suggestion=closed, actor=staff)
    closed.refresh_from_db()

    visit, _created = opinion_services.log_visit(
        deputy=deputy,
        station=station,
        kind="door",
        date=today,
        place=f"{label}村民组",
        opinions=[],
        actor=deputy_user,
    )
    mediation = opinion_services.record_mediation(
        deputy=deputy,
        station=station,
        date=today,
        parties="甲、乙",
        subject=f"{label}宅基地边界纠纷",
        steps="现场查看，两户协商",
        result="resolved",
        actor=deputy_user,
    )
    duty = rota.schedule_duty(station=station, date=today + dt.timedelta(days=7), deputy=deputy, actor=head)
    last = (today.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    return County(
        name=county.name,
        county=county,
        township=township,
        village=village,
        station=station,
        deputy=deputy,
        deputy_user=deputy_user,
        unit=unit,
        unit_user=unit_user,
        staff=staff,
        opinion=Opinion.objects.get(pk=opinion.pk),
        password=password,
        photo_pk=photo_pk,
        opinion_src=src,
        meeting=meeting,
        item=item,
        visit=visit,
        mediation=mediation,
        duty=duty,
        draft=draft,
        submitted=submitted,
        main=main,
        assignment=assignment,
        extension=extension,
        closed=closed,
        month=last,
        answer_pk=answer.pk,
    )


def build_world() -> World:
    cast = make_cast()
    return World(cast=cast, shitai=build_county(cast, "shitai"), dongzhi=build_county(cast, "dongzhi"))


# The roles of the matrices, in the order of the expectation strings.
ROLES = ("anon", "deputy", "head", "staff", "unit", "leader", "outsider")


def role_user(world: World, role: str) -> User | None:
    c = world.cast
    return {
        "anon": None,
        "deputy": c.deputy_user,
        "deputy2": c.deputy2_user,
        "head": c.head,
        "staff": c.staff,
        "unit": c.unit_user,
        "leader": c.leader,
        "outsider": c.outsider,
    }[role]


def home_side(role: str) -> str:
    """The county a role belongs to: the outsider is 东至 staff; everyone else (the resident too) is in 石台."""
    return "dongzhi" if role == "outsider" else "shitai"


def clients(world: World, roles=ROLES) -> dict[str, Client]:
    """One client per role. The resident (anon) has looked up the 石台 opinion with its code and password, so
    that opinion's status page is theirs."""
    out = {}
    for role in roles:
        client = Client()
        user = role_user(world, role)
        if user is None:
            response = client.post("/track/", {"code": world.shitai.opinion.code, "password": world.shitai.password})
            assert response.status_code == 302, "the resident's lookup failed"
        else:
            client.force_login(user)
        out[role] = client
    return out


def world_fixture(*, extend=None, roles=ROLES):
    """A module-scoped fixture yielding (world, clients): the cast, the two counties (plus what `extend(world)`
    adds) and a client per role, all rolled back at the end of the module."""

    @pytest.fixture(scope="module")
    def fixture(django_db_setup, django_db_blocker, tmp_path_factory):
        media = tmp_path_factory.mktemp("media")
        fast = override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            NOTIFY_PROVIDERS=["console"],
            MEDIA_ROOT=media,
        )
        with django_db_blocker.unblock(), fast:
            atomic = transaction.atomic()
            atomic.__enter__()
            try:
                world = build_world()
                if extend:
                    extend(world)
                yield world, clients(world, roles)
            finally:
                transaction.set_rollback(True)
                atomic.__exit__(None, None, None)

    return fixture


# --- reading responses ----------------------------------------------------------------------------------------


def token(response) -> str:
    """The status as the matrices write it: L for a redirect to the login page, 302 for any other redirect."""
    if response.status_code in (301, 302, 303):
        return "L" if urlparse(response["Location"]).path == reverse("login") else "302"
    return str(response.status_code)


def body_text(response) -> str:
    """The text a user reads: HTML as is, JSON with its characters unescaped, every cell of an xlsx, every
    paragraph and table cell of a docx; nothing of an image."""
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if "spreadsheetml" in kind:
        book = load_workbook(io.BytesIO(raw), read_only=True)
        return "\n".join(
            str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row if v
        )
    if "wordprocessingml" in kind:
        doc = Document(io.BytesIO(raw))
        parts = [p.text for p in doc.paragraphs]
        parts += [cell.text for t in doc.tables for row in t.rows for cell in row.cells]
        return "\n".join(parts)
    if kind.startswith("image/"):
        return ""
    if kind.startswith("application/json"):
        return json.dumps(json.loads(raw), ensure_ascii=False)
    return raw.decode("utf-8", "replace")
