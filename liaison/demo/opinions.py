"""Step 3 of the demo: about a year of opinions (社情民意), visits, meetings, report-backs and mediations.

Deterministic (seeded) and fast: rows are bulk-created, with the same events (hash-chained per opinion) the
services would have written. 石台县 gets the full picture (15–30 opinions per station and month, visits,
monthly meetings with agendas and decisions); the other counties get a thinner half-year history. Older months are
mostly closed with a report-back; recent months are on the agenda or just registered. Meetings and mediations are
written by `meetings.py` from the same random stream.
"""

import random
from datetime import UTC, datetime, time, timedelta
from types import SimpleNamespace as R

from django.db import transaction
from django.utils import timezone

from liaison.lib.codes import hash_query_password
from liaison.opinions.models import Opinion, ReportBack, Visit
from liaison.org.models import Category, Deputy, HandlingUnit, Region, Station, Stationing

from .bulk import insert, insert_events, seeded_code
from .meetings import write_mediations, write_meetings
from .people import person, phone
from .texts import NOT_ACCEPTED, NOT_FEASIBLE, OUTCOMES, PLACES, SPOT_ANSWERS, TEXTS

SEED = 341722
MONTHS = 12
OTHER_MONTHS = 6  # months of history outside the focus county
FOCUS_COUNTY = "341722"  # 石台县
DEMO_STATION = "ST341722100200"  # 缘溪村
QUERY_PASSWORD = "246810"  # the query password of every demo opinion (the real ones are random per opinion)
MEETING_DAY = 26  # meetings are held on the 26th; later opinions go to next month's meeting
S = Opinion.State
C = Opinion.Channel


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
    password_hash = hash_query_password(QUERY_PASSWORD)
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
                            code=seeded_code(rng, "V", used),
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

    insert(Visit, visits)
    visit_pks = dict(Visit.objects.values_list("code", "pk"))
    for o in h.opinions:
        if o._visit_idx is not None:
            o.visit_id = visit_pks[visits[o._visit_idx].code]
    # Originals first, then the duplicates pointing at them (no UPDATE pass needed).
    dup_of = dict(h.duplicates)
    insert(Opinion, [o for i, o in enumerate(h.opinions) if i not in dup_of])
    pks = dict(Opinion.objects.values_list("code", "pk"))
    for i, j in h.duplicates:
        h.opinions[i].duplicate_of_id = pks[h.opinions[j].code]
    insert(Opinion, [h.opinions[i] for i in dup_of])
    pks = dict(Opinion.objects.values_list("code", "pk"))
    for o in h.opinions:
        o.pk = pks[o.code]
    with_pks = h.opinions
    for i, rb in h.reportbacks:
        rb.opinion_id = with_pks[i].pk
    insert(ReportBack, [rb for _, rb in h.reportbacks])
    _write_events(h, with_pks)
    n_meetings = write_meetings(rng, meetings, h, with_pks, stationed, used)
    n_mediations = write_mediations(rng, stations, stationed, used, today, FOCUS_COUNTY)
    closed = sum(1 for o in h.opinions if o.state == S.CLOSED)
    return (
        f"社情民意演示历史：{len(h.opinions)} 条社情民意（已关闭 {closed} 条）、{len(visits)} 次走访、"
        f"{n_meetings} 次月度会商、{n_mediations} 件矛盾纠纷化解；演示事项查询密码均为 {QUERY_PASSWORD}。"
    )


CHANNELS = dict(Opinion.Channel.choices)


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
        code=seeded_code(rng, "M", used),
        query_password_hash=password_hash,
        station_id=station.pk,
        category_id=categories[cat_name].pk,
        deputy_id=deputy_id,
        channel=channel,
        title=f"{place}{title}" if "{p}" in content else title,
        content=content.format(p=place),
        resident_name="" if anonymous else person(rng),
        resident_phone="" if anonymous or rng.random() < 0.2 else phone(rng),
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
    insert_events(rows)
