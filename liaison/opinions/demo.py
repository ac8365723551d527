"""Demo history: about a year of opinions (社情民意), visits, meetings, report-backs and mediations.

Deterministic (seeded) and fast: rows are bulk-created, with the same events (hash-chained per opinion) the
services would have written. 石台县 gets the full picture (15–30 opinions per station and month, visits,
monthly meetings with agendas and decisions); the other counties get a thinner half-year history. Older months are
mostly closed with a report-back; recent months are on the agenda or just registered.
"""

import json
import random
from datetime import UTC, datetime, time, timedelta
from types import SimpleNamespace as R

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from liaison.events.chain import save_heads, seal_new_chains
from liaison.events.models import Event
from liaison.lib.codes import ALPHABET
from liaison.org.demo import _person, _phone
from liaison.org.models import Category, Deputy, HandlingUnit, Region, Station, Stationing

from .models import Mediation, Opinion, ReportBack, Visit

SEED = 341722
MONTHS = 12
OTHER_MONTHS = 6  # months of history outside the focus county
FOCUS_COUNTY = "341722"  # 石台县
DEMO_STATION = "ST341722100200"  # 缘溪村
DEMO_PASSWORD = "246810"  # the query password of every demo opinion (the real ones are random per opinion)
MEETING_DAY = 26  # meetings are held on the 26th; later opinions go to next month's meeting
S = Opinion.State
C = Opinion.Channel

PLACES = ["村口", "一组", "二组", "三组", "四组", "五组", "老街", "小学门口", "村部旁", "河边", "安置点", "茶园路口"]
# category → [(title, content)] ; {p} is a place in the village
TEXTS = {
    "城乡建设": [
        ("路灯不亮", "{p}的路灯坏了快一个月，晚上老人孩子出门看不清路，希望尽快修复。"),
        ("井盖破损", "{p}路面的井盖破损下陷，电动车经过很危险，夜里已经有人摔倒。"),
        ("晾衣棚", "{p}的住户没有晾衣的地方，衣服只能晾在路边，希望统一搭建晾衣棚。"),
        ("自来水浑浊", "{p}近来自来水浑浊发黄，烧开后有沉淀，担心水质不达标。"),
        ("护栏缺失", "{p}临河道路没有护栏，晚上骑车容易掉进沟里，建议加装护栏。"),
        ("危房改造", "{p}有一户独居老人的土坯房漏雨，墙体开裂，希望纳入危房改造。"),
        ("排水沟堵塞", "{p}排水沟长期堵塞，下雨就积水，污水漫到路上。"),
    ],
    "环境保护": [
        ("垃圾清运不及时", "{p}的垃圾桶经常满了没人清运，夏天气味很大，招苍蝇。"),
        ("养殖污水", "{p}附近养殖场污水直排小河，河水发黑发臭。"),
        ("秸秆焚烧", "{p}每到收割季节有人焚烧秸秆，烟雾很大，影响出行和健康。"),
        ("河道淤积", "{p}段河道淤积严重，杂草丛生，汛期容易漫堤。"),
    ],
    "交通运输": [
        ("河口需建桥", "{p}河口没有桥，雨季河水上涨时村民只能绕行五公里去镇上，希望修建便民桥。"),
        ("公交线路", "村里到县城没有直达公交，{p}的老人看病要转两次车，希望开通或延伸公交线路。"),
        ("停车难", "{p}道路狭窄，车辆乱停乱放，节假日游客多时经常堵死。"),
        ("道路坑洼", "{p}通组道路坑洼不平，下雨全是泥，农产品运不出去。"),
        ("校车接送", "{p}离学校远，孩子上学要走四十分钟山路，希望解决接送问题。"),
    ],
    "教育文体": [
        ("文化广场缺少设施", "{p}文化广场没有健身器材和照明，晚上跳广场舞很不方便。"),
        ("农家书屋开放时间", "农家书屋平时总是锁着门，希望固定开放时间，方便孩子看书。"),
        ("幼儿园学位", "{p}的适龄儿童多，附近幼儿园学位不够，希望增加学位。"),
    ],
    "劳动和社会保障": [
        ("老年助餐", "{p}独居和留守老人多，做饭困难，希望开办老年食堂或助餐点。"),
        ("养老金认证", "老人行动不便，养老金资格认证要到镇上办理，希望上门或在村里办理。"),
        ("务工工资拖欠", "{p}有几位村民在外务工被拖欠工资，不知道该找哪里维权。"),
        ("低保评定", "有村民反映低保评定不够公开，希望把评定结果张榜公示。"),
    ],
    "商贸旅游": [
        ("农产品销售难", "今年{p}的茶叶和笋干卖不出去，希望帮忙对接电商平台和销售渠道。"),
        ("民宿规范", "{p}新开了几家民宿，消防和卫生没人管，存在安全隐患。"),
        ("旅游厕所", "{p}游客多，但没有公共厕所，游客随处方便影响环境。"),
    ],
    "卫生计生": [
        ("村卫生室", "村卫生室医生只有一人，经常不在，{p}老人看病拿药不方便，希望增加坐诊时间。"),
        ("慢病送药", "{p}高血压、糖尿病老人多，希望定期送药上门、上门随访。"),
        ("医保报销", "村民反映在县医院住院报销比例不清楚，希望有人讲解医保政策。"),
    ],
    "农业农村": [
        ("富硒米加工", "村里种了不少富硒米，但没有加工厂，只能低价卖稻谷，希望引进加工设备。"),
        ("灌溉水渠", "{p}的灌溉水渠年久失修，漏水严重，下游田地浇不上水。"),
        ("野猪毁田", "{p}山边的庄稼经常被野猪糟蹋，村民损失很大，希望组织防控。"),
        ("茶园机耕路", "{p}茶园没有机耕路，采茶季节全靠人挑，希望修建机耕路。"),
    ],
    "其他": [
        ("手机信号弱", "{p}手机信号很弱，打电话要爬到山坡上，希望增设基站。"),
        ("宽带网络", "{p}还没通光纤宽带，孩子上网课经常断线。"),
        ("邻里噪音", "{p}有人晚上在广场放音乐到很晚，影响周边休息。"),
    ],
}
OUTCOMES = {
    "village": [
        "村两委已组织人员维修完毕，并安排专人定期巡查。",
        "村里已筹措资金完成整改，群众反映问题已解决。",
        "村两委协调相关农户达成一致，问题已妥善处理。",
    ],
    "referred": [
        "经民情直通车转办，{unit}已派人现场查看并完成处理。",
        "{unit}答复：已纳入今年计划，预计下季度实施，先行采取临时措施。",
        "{unit}已现场办理，并向群众解释了相关政策。",
    ],
    "suggestion": [
        "代表建议已获答复：相关部门已列入年度项目计划并安排资金。",
        "代表建议答复：已开展调研，将分步实施，近期先解决最急迫的问题。",
    ],
}
NOT_FEASIBLE = [
    "涉及基本农田保护，暂不具备建设条件，已向群众解释。",
    "属于省道养护范围，已向群众说明并提供反映渠道。",
    "资金需求较大，村级暂无力承担，列入下一步争取项目。",
]
SPOT_ANSWERS = [
    "代表当场解释了相关政策，群众表示理解。",
    "当场联系村干部处理，问题已解决。",
    "当场告知办理流程和所需材料。",
]
NOT_ACCEPTED = [
    ("涉及已进入诉讼程序的民事纠纷", "县人民法院"),
    ("属于家庭内部事务", "村人民调解委员会"),
    ("属于个人合同纠纷", "县司法局法律援助中心"),
]
MEDIATIONS = [
    ("宅基地边界纠纷", "实地查看界址，召集双方和村组干部协商，重新确定界桩。"),
    ("山林权属纠纷", "查阅林权证和历史档案，邀请老党员作证，双方达成协议。"),
    ("邻里排水纠纷", "现场查看排水走向，协调双方共同出资修建排水沟。"),
    ("赡养纠纷", "上门做子女工作，讲解法律规定，约定轮流赡养。"),
    ("土地流转租金纠纷", "召集流转双方核对合同，协商分期支付租金。"),
]


def _code(rng, prefix: str, used: set) -> str:
    while True:
        code = prefix + "".join(rng.choice(ALPHABET) for _ in range(8))
        if code not in used:
            used.add(code)
            return code


def _aware(d, hour=9, minute=0):
    return timezone.make_aware(datetime.combine(d, time(hour, minute)))


def _month_starts(today, n):
    starts = []
    y, m = today.year, today.month
    for _ in range(n):
        starts.append(today.replace(year=y, month=m, day=1))
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return list(reversed(starts))


class _History:
    """Collects rows and events in memory, then bulk-creates them."""

    def __init__(self, rng, now):
        self.rng, self.now = rng, now
        self.opinions: list[Opinion] = []
        self.events: dict[int, list[tuple]] = {}  # opinion index → [(at, action, from, to, note, public, data)]
        self.reportbacks: list[tuple[int, ReportBack]] = []
        self.duplicates: list[tuple[int, int]] = []
        self.duplicate_set: set[int] = set()
        self.agenda: list[tuple[int, int, str, str, datetime]] = []  # (meeting key, opinion index, decision, note, at)

    def event(self, i, at, action, frm, to, note, public=True, data=None):
        # UTC, as read back from the database: the hash covers at.isoformat().
        at = at.astimezone(UTC)
        self.events.setdefault(i, []).append((at, action, frm, to, note, public, data or {}))


@transaction.atomic
def load_history() -> str:
    if Opinion.objects.exists():
        return "社情民意已有数据，跳过演示历史"
    rng = random.Random(SEED)
    today = timezone.localdate()
    # Everything happens before today's midnight, so the same date always gives the same history.
    now = _aware(today, 0)
    months = _month_starts(today, MONTHS)
    categories = {c.name: c for c in Category.objects.filter(parent=None)}
    cat_names = [n for n in TEXTS if n in categories]
    if not cat_names:
        return ""
    stations = list(Station.objects.filter(is_active=True).select_related("region__parent__parent").order_by("code"))
    stationed: dict[int, list[int]] = {}
    for station_id, deputy_id in Stationing.objects.order_by("deputy__code").values_list("station_id", "deputy_id"):
        stationed.setdefault(station_id, []).append(deputy_id)
    units_by_county = _units(categories)
    demo_deputy = Deputy.objects.filter(user__username="deputy").first()
    password_hash = make_password(DEMO_PASSWORD)
    used: set[str] = set(Opinion.objects.values_list("code", flat=True))
    h = _History(rng, now)
    visits: list[Visit] = []
    visit_index: dict[tuple, int] = {}
    meetings: dict[tuple, dict] = {}

    for station in stations:
        county = station.region.parent.parent
        focus = county.code == FOCUS_COUNTY
        deputies = stationed.get(station.pk, [])
        for m_index, start in enumerate(months):
            age = MONTHS - 1 - m_index
            # Elsewhere a thinner, half-year history keeps the demo load fast.
            n = rng.randint(15, 30) if focus else (rng.randint(1, 3) if age < OTHER_MONTHS else 0)
            last_day = today.day if age == 0 else (_next_month(start) - timedelta(days=1)).day
            if focus and deputies:
                for d_id in deputies:
                    day = rng.randint(1, last_day)
                    visit_index[(station.pk, m_index, d_id)] = len(visits)
                    visits.append(
                        R(
                            code=_code(rng, "V", used),
                            deputy_id=d_id,
                            station_id=station.pk,
                            kind=rng.choice(["door", "door", "knock", "courtyard", "firm"]),
                            date=start.replace(day=day),
                            place=f"{station.region.name}{rng.choice(PLACES)}",
                            residents_met=f"村民 {rng.randint(4, 20)} 人",
                            note="听取群众对村内公共事务的意见。",
                            created_at=_aware(start.replace(day=day), 18),
                        )
                    )
            for k in range(n):
                day = rng.randint(1, last_day)
                created = _aware(start.replace(day=day), rng.randint(8, 20), rng.randint(0, 59))
                if created > now:  # today: before midnight, but still in this month
                    created = max(now - timedelta(minutes=rng.randint(5, 600)), _aware(start, 0))
                forced = None
                if station.code == DEMO_STATION and demo_deputy is not None:
                    if age == 0 and k < 3:
                        forced = "registered"
                    elif age == 1 and k < 4:
                        forced = "demo_suggestion"
                _opinion(
                    h,
                    rng,
                    station,
                    focus,
                    deputies,
                    m_index,
                    age,
                    created,
                    categories,
                    cat_names,
                    units_by_county,
                    county,
                    visit_index,
                    forced,
                    demo_deputy,
                    months,
                    password_hash,
                    used,
                    meetings,
                )

    _insert(Visit, visits)
    visit_pks = dict(Visit.objects.values_list("code", "pk"))
    for o in h.opinions:
        if o._visit_idx is not None:
            o.visit_id = visit_pks[visits[o._visit_idx].code]
    # Originals first, then the duplicates pointing at them (no UPDATE pass needed).
    dup_of = dict(h.duplicates)
    _insert(Opinion, [o for i, o in enumerate(h.opinions) if i not in dup_of])
    pks = dict(Opinion.objects.values_list("code", "pk"))
    for i, j in h.duplicates:
        h.opinions[i].duplicate_of_id = pks[h.opinions[j].code]
    _insert(Opinion, [h.opinions[i] for i in dup_of])
    pks = dict(Opinion.objects.values_list("code", "pk"))
    for o in h.opinions:
        o.pk = pks[o.code]
    with_pks = h.opinions
    for i, rb in h.reportbacks:
        rb.opinion_id = with_pks[i].pk
    _insert(ReportBack, [rb for _, rb in h.reportbacks])
    _write_events(h, with_pks)
    n_meetings = _write_meetings(rng, meetings, h, with_pks, stationed, used)
    n_mediations = _write_mediations(rng, stations, stationed, used, today)
    closed = sum(1 for o in h.opinions if o.state == S.CLOSED)
    return (
        f"社情民意演示历史：{len(h.opinions)} 条社情民意（已关闭 {closed} 条）、{len(visits)} 次走访、"
        f"{n_meetings} 次月度会商、{n_mediations} 件矛盾纠纷化解；演示事项查询密码均为 {DEMO_PASSWORD}。"
    )


CHANNELS = dict(Opinion.Channel.choices)


def _insert(model, rows) -> None:
    """Plain multi-row INSERT … VALUES. The ORM's bulk_create spends most of its time compiling SQL per row,
    which made a year of history take minutes. Rows are namespaces with the fields' attnames; missing
    fields take the field default. Values are adapted the way the backend expects (datetimes, dates, JSON)."""
    if not rows:
        return
    ops = connection.ops
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    defaults = {f.attname: f.get_default() for f in fields}
    columns = ", ".join(ops.quote_name(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    placeholders = f"({placeholders})"
    sql = f"INSERT INTO {ops.quote_name(model._meta.db_table)} ({columns}) VALUES "

    def to_json(value):
        return json.dumps(value, ensure_ascii=False)

    converters = {
        "DateTimeField": ops.adapt_datetimefield_value,
        "DateField": ops.adapt_datefield_value,
        "JSONField": to_json,
    }
    spec = [(f.attname, defaults[f.attname], converters.get(f.get_internal_type())) for f in fields]
    if connection.vendor == "postgresql":
        # COPY: the client-side cursor would re-parse a huge multi-row statement for every batch.
        with connection.cursor() as cursor:
            copy_sql = f"COPY {ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"
            with cursor.cursor.copy(copy_sql) as copy:
                for r in rows:
                    copy.write_row(
                        [
                            convert(value) if convert is not None and value is not None else value
                            for name, default, convert in spec
                            for value in (getattr(r, name, default),)
                        ]
                    )
        return
    # Multi-row VALUES: one statement per few hundred rows instead of one per row.
    per = max(1, min(500, 30_000 // len(fields)))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per):
            batch = rows[start : start + per]
            params = []
            for r in batch:
                for name, default, convert in spec:
                    value = getattr(r, name, default)
                    params.append(convert(value) if convert is not None and value is not None else value)
            cursor.execute(sql + ", ".join([placeholders] * len(batch)), params)


def _insert_events(rows) -> None:
    """Events go through the same sealing as record_event (seq, previous hash, keyed hash, chain head)."""
    heads = seal_new_chains(rows)
    _insert(Event, rows)
    save_heads(heads)


def _next_month(d):
    return d.replace(year=d.year + (d.month == 12), month=d.month % 12 + 1, day=1)


def _units(categories):
    """county region id → {"by_category": {category id: [unit]}, "townships": {township id: unit}}."""
    out: dict[int, dict] = {}
    county_of = dict(Region.objects.filter(level=Region.Level.TOWNSHIP).values_list("pk", "parent_id"))
    for unit in HandlingUnit.objects.prefetch_related("categories").select_related("region"):
        if unit.kind == HandlingUnit.Kind.DEPARTMENT and unit.region.level == Region.Level.COUNTY:
            entry = out.setdefault(unit.region_id, {"by_category": {}, "townships": {}})
            for c in unit.categories.all():
                entry["by_category"].setdefault(c.pk, []).append(unit)
        elif unit.kind == HandlingUnit.Kind.TOWNSHIP:
            county_id = county_of.get(unit.region_id)
            if county_id:
                out.setdefault(county_id, {"by_category": {}, "townships": {}})["townships"][unit.region_id] = unit
    return out


def _opinion(
    h,
    rng,
    station,
    focus,
    deputies,
    m_index,
    age,
    created,
    categories,
    cat_names,
    units_by_county,
    county,
    visit_index,
    forced,
    demo_deputy,
    months,
    password_hash,
    used,
    meetings,
):
    cat_name = rng.choice(cat_names)
    title, content = rng.choice(TEXTS[cat_name])
    place = rng.choice(PLACES)
    channel = rng.choices([C.VISIT, C.RECEPTION, C.QR, C.PHONE, C.LETTER, C.IN_PERSON], [40, 20, 15, 12, 5, 8])[0]
    deputy_id = rng.choice(deputies) if deputies and channel in (C.VISIT, C.RECEPTION) else None
    if forced == "demo_suggestion":
        channel, deputy_id = C.VISIT, demo_deputy.pk
    anonymous = channel == C.QR and rng.random() < 0.4
    o = R(
        code=_code(rng, "M", used),
        query_password_hash=password_hash,
        station_id=station.pk,
        category_id=categories[cat_name].pk,
        deputy_id=deputy_id,
        channel=channel,
        title=f"{place}{title}" if "{p}" in content else title,
        content=content.format(p=place),
        resident_name="" if anonymous else _person(rng),
        resident_phone="" if anonymous or rng.random() < 0.2 else _phone(rng),
        state=S.REGISTERED,
        created_at=created,
    )
    o._visit_idx = visit_index.get((station.pk, m_index, deputy_id)) if channel == C.VISIT else None
    i = len(h.opinions)
    h.opinions.append(o)
    h.event(i, created, "registered", "", S.REGISTERED, f"{CHANNELS[channel]}登记，{station.name}受理")

    roll = rng.random()
    if forced is None and roll < 0.12:  # answered on the spot, told face to face
        _set(
            h,
            i,
            o,
            S.ANSWERED_ON_SPOT,
            created + timedelta(minutes=30),
            "answered_on_spot",
            rng.choice(SPOT_ANSWERS),
            outcome=True,
        )
        _report_back(h, rng, i, o, created + timedelta(minutes=31), method="on_spot", deputy_id=deputy_id)
        if created + timedelta(days=2) < h.now:
            _set(h, i, o, S.CLOSED, created + timedelta(days=2), "closed", "办结关闭")
        return
    if forced is None and roll < 0.15:
        reason, where = rng.choice(NOT_ACCEPTED)
        at = created + timedelta(days=1)
        if at > h.now:
            return
        _set(h, i, o, S.NOT_ACCEPTED, at, "not_accepted", f"{reason}（建议向{where}反映）")
        o.reason, o.redirect_to = reason, where
        _report_back(h, rng, i, o, at + timedelta(hours=2), deputy_id=deputy_id)
        if at + timedelta(days=1) < h.now:
            _set(h, i, o, S.CLOSED, at + timedelta(days=1), "closed", "办结关闭")
        return
    # The month's meeting (held on the 26th) takes what was registered before it; later ones wait a month.
    meeting_m = m_index if created.astimezone().day < MEETING_DAY else m_index + 1
    if meeting_m >= len(months) - 1 or forced == "registered":
        return  # this month's meeting has not been held yet: still registered
    held = _aware(months[meeting_m].replace(day=MEETING_DAY), 19)
    key = (station.pk, meeting_m)
    if focus:
        meetings.setdefault(key, {"station": station, "start": months[meeting_m], "held": held, "items": []})
    _set(h, i, o, S.ON_AGENDA, held, "put_on_agenda", "列入本月会商议题")
    decision = rng.choices(["village", "refer", "suggestion", "duplicate", "not_feasible"], [40, 25, 15, 8, 12])[0]
    if forced == "demo_suggestion":
        decision = "suggestion"
    county_units = units_by_county.get(county.pk, {"by_category": {}, "townships": {}})
    unit = None
    if decision == "refer":
        options = county_units["by_category"].get(o.category_id, [])
        township_unit = county_units["townships"].get(station.region.parent_id)
        unit = rng.choice(options) if options and (rng.random() < 0.6 or not township_unit) else township_unit
        if unit is None:
            decision = "village"
    if decision == "duplicate":
        same = [j for j, _ in meetings.get(key, {}).get("items", []) if h.opinions[j].category_id == o.category_id]
        same = [j for j in same if j not in h.duplicate_set]
        if not same:
            decision = "not_feasible"
    decided = held + timedelta(minutes=rng.randint(5, 90))
    note = ""
    if decision == "village":
        o.due_date = (decided + timedelta(days=30)).date()
        note = f"由村两委办理，期限 {o.due_date:%Y-%m-%d}"
        _set(
            h,
            i,
            o,
            S.VILLAGE_HANDLING,
            decided,
            "village_handling",
            f"会商决定由村两委办理，期限 {o.due_date:%Y-%m-%d}",
        )
        _outcome(h, rng, i, o, decided + timedelta(days=rng.randint(7, 40)), rng.choice(OUTCOMES["village"]), deputy_id)
    elif decision == "refer":
        o.referred_unit_id = unit.pk
        note = f"转{unit.name}办理"
        _set(h, i, o, S.REFERRED, decided, "referred", f"会商决定通过民情直通车转{unit.name}办理")
        text = rng.choice(OUTCOMES["referred"]).format(unit=unit.name)
        _outcome(h, rng, i, o, decided + timedelta(days=rng.randint(15, 60)), text, deputy_id)
    elif decision == "suggestion":
        drafter = demo_deputy.pk if forced == "demo_suggestion" else (rng.choice(deputies) if deputies else None)
        if drafter is None:
            decision, note = "not_feasible", rng.choice(NOT_FEASIBLE)
            _set(h, i, o, S.NOT_FEASIBLE, decided, "not_feasible", f"经会商暂不可行：{note}", outcome=True)
        else:
            o.drafting_deputy_id = drafter
            note = "由代表起草代表建议"
            _set(h, i, o, S.TO_SUGGESTION, decided, "to_suggestion", "会商决定由代表形成代表建议")
            linked = decided + timedelta(days=rng.randint(5, 20))
            if forced is None and linked < h.now:
                _set(h, i, o, S.IN_SUGGESTION, linked, "in_suggestion", "已形成代表建议")
                answered = linked + timedelta(days=rng.randint(60, 120))
                _outcome(
                    h, rng, i, o, answered, rng.choice(OUTCOMES["suggestion"]), deputy_id, action="suggestion_answered"
                )
    elif decision == "duplicate":
        j = rng.choice(same)
        h.duplicates.append((i, j))
        h.duplicate_set.add(i)
        note = f"与 {h.opinions[j].code}（{h.opinions[j].title}）重复，合并办理"
        _set(h, i, o, S.DUPLICATE, decided, "duplicate", f"与 {h.opinions[j].code} 反映的问题相同，合并办理")
        _tell(h, rng, i, o, decided + timedelta(days=rng.randint(2, 10)), deputy_id)
    if decision == "not_feasible" and o.state == S.ON_AGENDA:
        note = rng.choice(NOT_FEASIBLE)
        o.reason = note
        _set(h, i, o, S.NOT_FEASIBLE, decided, "not_feasible", f"经会商暂不可行：{note}", outcome=True)
        _tell(h, rng, i, o, decided + timedelta(days=rng.randint(2, 10)), deputy_id)
    if focus:
        meetings[key]["items"].append(
            (i, (decision, note if decision != "not_feasible" else f"暂不可行：{note}", decided))
        )


def _set(h, i, o, to, at, action, note, outcome=False):
    frm = o.state
    o.state = to
    if outcome:
        o.outcome, o.outcome_at = note, at
    if to in (
        S.VILLAGE_HANDLING,
        S.REFERRED,
        S.TO_SUGGESTION,
        S.DUPLICATE,
        S.NOT_FEASIBLE,
        S.ANSWERED_ON_SPOT,
        S.NOT_ACCEPTED,
    ):
        o.decided_at = at
    if to == S.CLOSED:
        o.closed_at = at
    h.event(i, at, action, frm, to, note)


def _outcome(h, rng, i, o, at, text, deputy_id, action="outcome_recorded"):
    if at > h.now:
        return
    _set(h, i, o, S.OUTCOME_RECORDED, at, action, text, outcome=True)
    _tell(h, rng, i, o, at + timedelta(days=rng.randint(2, 12)), deputy_id)


def _tell(h, rng, i, o, at, deputy_id):
    if at > h.now:
        return
    _report_back(h, rng, i, o, at, deputy_id=deputy_id)
    closed = at + timedelta(days=rng.randint(1, 7))
    if closed < h.now and rng.random() < 0.93:
        _set(h, i, o, S.CLOSED, closed, "closed", "办结关闭")


def _report_back(h, rng, i, o, at, method=None, deputy_id=None):
    method = method or rng.choice(["in_person", "in_person", "phone", "phone", "sms", "notice"])
    reaction = (
        "none"
        if method == "on_spot"
        else rng.choices(["satisfied", "basically", "dissatisfied", "none"], [62, 24, 6, 8])[0]
    )
    labels = dict(ReportBack.Method.choices)
    frm = o.state
    o.state = S.REPORTED_BACK
    h.event(
        i,
        at,
        "reported_back",
        frm,
        S.REPORTED_BACK,
        f"已{labels[method]}群众办理结果",
        data={"method": method, "reaction": reaction},
    )
    h.reportbacks.append(
        (
            i,
            R(
                method=method,
                at=at.astimezone().date(),
                reaction=reaction,
                note="" if method == "on_spot" else "已告知办理结果",
                deputy_id=deputy_id,
                created_at=at,
            ),
        )
    )
    if method != "on_spot" and rng.random() < 0.4:
        rating = rng.choices(["satisfied", "basically", "dissatisfied"], [70, 22, 8])[0]
        o.rating, o.rated_at = rating, at + timedelta(hours=5)
        h.event(i, at + timedelta(hours=5), "rated", "", "", f"群众评价：{Opinion.Rating(rating).label}")


def _write_events(h, opinions):
    rows = []
    for i, events in h.events.items():
        code = opinions[i].code
        for at, action, frm, to, note, public, data in sorted(events, key=lambda e: e[0]):
            e = R(
                actor_id=None,
                subject_type="opinion",
                subject_id=code,
                action=action,
                from_state=frm,
                to_state=to,
                actor_label="群众"
                if action in ("rated",) or (action == "registered" and opinions[i].channel == C.QR)
                else "",
                at=at,
                note=note,
                data=data,
                public=public,
            )
            rows.append(e)
    _insert_events(rows)


def _write_meetings(rng, meetings, h, opinions, stationed, used):
    from liaison.meetings.models import AgendaItem, Attendance, Meeting

    rows = []
    keys = sorted(meetings)
    for key in keys:
        spec = meetings[key]
        station, start, held = spec["station"], spec["start"], spec["held"]
        rows.append(
            R(
                code=_code(rng, "H", used),
                station_id=station.pk,
                year=start.year,
                month=start.month,
                state=Meeting.State.CLOSED,
                held_at=held,
                place=station.address or station.name,
                chair=station.head_name or "站长",
                created_at=held,
                closed_at=held + timedelta(hours=2),
            )
        )
    _insert(Meeting, rows)
    meeting_pks = dict(Meeting.objects.values_list("code", "pk"))
    items, attendance, events = [], [], []
    for meeting, key in zip(rows, keys, strict=True):
        ordered = sorted(meetings[key]["items"], key=lambda x: (opinions[x[0]].category_id, x[0]))
        for pos, (i, (decision, note, decided)) in enumerate(ordered, 1):
            items.append(
                R(
                    meeting_id=meeting_pks[meeting.code],
                    opinion_id=opinions[i].pk,
                    position=pos,
                    decision=decision,
                    decision_note=note,
                    decided_at=decided,
                )
            )
        for d_id in stationed.get(meeting.station_id, []):
            attendance.append(R(meeting_id=meeting_pks[meeting.code], deputy_id=d_id, present=rng.random() < 0.85))
        opened = R(
            actor_id=None,
            actor_label="",
            public=False,
            data={},
            from_state="",
            subject_type="meeting",
            subject_id=meeting.code,
            action="opened",
            to_state="open",
            at=meeting.held_at.astimezone(UTC),
            note=f"召开{meeting.year}年{meeting.month}月会商",
        )
        closed = R(
            actor_id=None,
            actor_label="",
            public=False,
            data={},
            subject_type="meeting",
            subject_id=meeting.code,
            action="closed",
            from_state="open",
            to_state="closed",
            at=meeting.closed_at.astimezone(UTC),
            note="会商结束，生成会议纪要",
        )
        events += [opened, closed]
    _insert(AgendaItem, items)
    _insert(Attendance, attendance)
    _insert_events(events)
    return len(rows)


def _write_mediations(rng, stations, stationed, used, today):
    rows = []
    for station in stations:
        if station.region.parent.parent.code != FOCUS_COUNTY or not stationed.get(station.pk):
            continue
        for _ in range(rng.randint(1, 5)):
            subject, steps = rng.choice(MEDIATIONS)
            day = today - timedelta(days=rng.randint(3, 360))
            rows.append(
                R(
                    code=_code(rng, "T", used),
                    deputy_id=rng.choice(stationed[station.pk]),
                    station_id=station.pk,
                    date=day,
                    parties=f"{_person(rng)}，{_person(rng)}",
                    subject=subject,
                    steps=steps,
                    result=rng.choices(["resolved", "partial", "unresolved"], [75, 15, 10])[0],
                    created_at=_aware(day, 17),
                )
            )
    _insert(Mediation, rows)
    return len(rows)
