"""Step 4 of the demo: about a year of suggestions (代表建议) across the counties (most in 石台县) in every state,
bulk-created with their assignments, answers, evaluations, commitments and a hash-chained event trail; the
opinions the opinion history put "in_suggestion" are linked to suggestions of their station. Deterministic
structure (seeded), dates relative to now. The demo accounts' own items come next, from `story.py`.
"""

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from liaison.events.models import Event
from liaison.lib.workdays import WorkCalendar
from liaison.opinions.models import Opinion
from liaison.org.models import Body, Category, Deputy, HandlingUnit, Level, Mandate, Membership, Region, Stationing
from liaison.suggestions.lifecycles import assignment as assignment_lifecycle
from liaison.suggestions.models import (
    Answer,
    Assignment,
    Commitment,
    Consultation,
    Evaluation,
    Suggestion,
    SuggestionSource,
)

from .bulk import create_events, seeded_code
from .texts import TOPICS, suggestion_words

SEED = 4044
PER_COUNTY = {"石台县": 2200}
DEFAULT_PER_COUNTY = 260


def load_history() -> str:
    rng = random.Random(SEED)
    with transaction.atomic():
        bulk = _bulk_history(rng)
    return f"代表建议演示数据：{bulk} 件建议（含各办理状态）"


def _bulk_history(rng) -> int:
    now = timezone.now()
    today = timezone.localdate()
    calendar = WorkCalendar.load()
    categories = {c.name: c for c in Category.objects.filter(parent=None)}
    bodies = {b.region_id: b for b in Body.objects.all()}
    counties = list(Region.objects.filter(level=Region.Level.COUNTY).order_by("code"))
    station_of = dict(Stationing.objects.order_by("deputy_id", "station_id").values_list("deputy_id", "station_id"))
    station_region = dict(Stationing.objects.values_list("station_id", "station__region_id").distinct())
    staff = {m.region_id: m.user for m in Membership.objects.filter(role="staff").select_related("user", "region")}
    units: dict[tuple[int, int], list[int]] = {}
    for unit_id, region_id, cat_id in HandlingUnit.objects.filter(
        kind="department", categories__isnull=False
    ).values_list("pk", "region_id", "categories"):
        units.setdefault((region_id, cat_id), []).append(unit_id)
    unit_name = dict(HandlingUnit.objects.values_list("pk", "name"))
    demo_deputies = set(Deputy.objects.filter(user__isnull=False).values_list("pk", flat=True))

    suggestions, plans = [], []
    for county in counties:
        deputies = list(
            Mandate.objects.filter(level=Level.COUNTY, region=county)
            .exclude(deputy_id__in=demo_deputies)
            .order_by("deputy_id")
            .values_list("deputy_id", "deputy__home_region_id")
        )
        body = bodies.get(county.pk)
        if not deputies or body is None:
            continue
        cat_names = [n for n in TOPICS if n in categories and (county.pk, categories[n].pk) in units]
        for _ in range(PER_COUNTY.get(county.name, DEFAULT_PER_COUNTY)):
            deputy_id, home_id = rng.choice(deputies)
            cat = categories[rng.choice(cat_names)]
            topic = rng.choice(TOPICS[cat.name])
            station_id = station_of.get(deputy_id)
            age = rng.randint(3, 365)
            created = now - dt.timedelta(days=age, hours=rng.randint(0, 8))
            state = _pick_state(rng, age)
            s = Suggestion(
                code=seeded_code(rng, "S"),
                **suggestion_words(topic),
                category=cat,
                lead_deputy_id=deputy_id,
                level=Level.COUNTY,
                body=body,
                station_id=station_id,
                region_id=station_region.get(station_id, home_id),
                publishable=rng.random() < 0.85,
                confidential=rng.random() < 0.03,
                state=state,
                key_supervised=rng.random() < 0.02,
            )
            suggestions.append(s)
            plans.append((s, county, age, created))
    # created_at is auto_now_add: set explicitly after bulk insert.
    Suggestion.objects.bulk_create(suggestions, batch_size=1000)
    rows = {s.code: s for s in Suggestion.objects.filter(code__in=[s.code for s in suggestions])}
    events, assignments, answers, evaluations, commitments, consultations = [], [], [], [], [], []
    case_seq: dict[tuple[int, int], int] = {}
    updates = []
    for s, county, _age, created in sorted(plans, key=lambda p: -p[2]):
        saved = rows[s.code]
        actor = staff.get(county.pk)
        t = created
        trail = [("created", "", "draft", "起草建议", t)]
        st = s.state

        def step(days, action, frm, to, note, trail=trail):
            nonlocal t
            t = min(t + dt.timedelta(days=days, hours=rng.randint(1, 6)), now - dt.timedelta(minutes=5))
            trail.append((action, frm, to, note, t))
            return t

        fields = {"created_at": created}
        if st not in ("draft", "cosigning"):
            fields["submitted_at"] = step(rng.randint(0, 3), "submitted", "draft", "submitted", "提交建议")
            if st == "withdrawn":
                trail[-1] = ("withdrawn", "draft", "withdrawn", "领衔代表撤回建议", t)
                fields.pop("submitted_at")
        if st in ("rejected", "merged"):
            step(
                rng.randint(1, 5),
                st,
                "submitted",
                st,
                "不属于本级人大职权范围" if st == "rejected" else "与同类建议并案办理",
            )
            fields["review_note"] = trail[-1][3]
        if st not in ("draft", "cosigning", "submitted", "withdrawn", "rejected", "merged"):
            acc = step(rng.randint(1, 5), "accepted", "submitted", "accepted", "立案")
            key = (s.body_id, acc.year)
            case_seq[key] = case_seq.get(key, 0) + 1
            fields.update(
                accepted_at=acc,
                case_year=acc.year,
                case_seq=case_seq[key],
                case_number=f"{county.name}〔{acc.year}〕第{case_seq[key]}号",
            )
        if st not in ("draft", "cosigning", "submitted", "withdrawn", "rejected", "merged", "accepted"):
            assigned_at = step(rng.randint(1, 4), "assigned", "accepted", "assigned", "交办")
            start = timezone.localdate(assigned_at)
            fields["assigned_on"] = start
            pool = units[(county.pk, s.category_id)]
            lead_unit = rng.choice(pool)
            due = calendar.due_date(start, months=s.body.answer_months)
            lead = Assignment(
                code=seeded_code(rng, "A"),
                suggestion=saved,
                unit_id=lead_unit,
                role="lead",
                start_date=start,
                assigned_on=start,
                due_date=due,
                created_by=actor,
            )
            trail[-1] = ("assigned", "accepted", "assigned", f"交办：{unit_name[lead_unit]}", t)
            assignments.append(lead)
            others = [u for u in units.get((county.pk, s.category_id), []) if u != lead_unit]
            if others and rng.random() < 0.25:
                co_unit = rng.choice(others)
                assignments.append(
                    Assignment(
                        code=seeded_code(rng, "A"),
                        suggestion=saved,
                        unit_id=co_unit,
                        role="co",
                        start_date=start,
                        assigned_on=start,
                        due_date=calendar.due_date(start, months=1),
                        state="answered" if st not in ("assigned",) else "assigned",
                        created_by=actor,
                    )
                )
            if st == "returned":
                step(
                    rng.randint(1, 5),
                    "suggestion_returned",
                    "assigned",
                    "returned",
                    f"{unit_name[lead_unit]}退回：不属于本单位职责",
                )
                lead.state, lead.returned_on, lead.return_reason = "returned", timezone.localdate(t), "不属于本单位职责"
            elif st != "assigned":
                signed = step(
                    rng.randint(1, 3), "handling", "assigned", "handling", f"{unit_name[lead_unit]}签收，开始办理"
                )
                lead.state, lead.signed_at = "signed", signed
                if rng.random() < 0.7:
                    consultations.append(
                        Consultation(
                            assignment=lead,
                            kind=rng.choice(["meeting", "visit", "phone"]),
                            held_on=timezone.localdate(signed) + dt.timedelta(days=rng.randint(1, 10)),
                            notes="与领衔代表沟通办理思路",
                        )
                    )
            if st in ("answered", "evaluated", "closed", "follow_up", "rehandling"):
                rounds = 2 if (st == "rehandling" or (st in ("closed", "evaluated") and rng.random() < 0.06)) else 1
                for rnd in range(1, rounds + 1):
                    answered_at = step(
                        rng.randint(15, 80), "answered", "handling" if rnd == 1 else "rehandling", "answered", "答复"
                    )
                    klass = rng.choices(
                        "ABCD" if "D" in s.body.answer_classes else "ABC", [62, 24, 10, 4][: len(s.body.answer_classes)]
                    )[0]
                    if rnd == 2 or st == "follow_up":
                        klass = "A" if rnd == 2 else "B"
                    answer = Answer(
                        assignment=lead,
                        suggestion=saved,
                        round=rnd,
                        answer_class=klass,
                        text=f"经研究，{Answer.CLASS_LABELS[klass][3:-1]}。已会同有关方面制定方案并组织实施。",
                        signer="分管负责人",
                        on_time=timezone.localdate(answered_at) <= lead.due_date,
                        created_at=answered_at,
                    )
                    answers.append(answer)
                    if klass in "BC":
                        c_due = timezone.localdate(answered_at) + dt.timedelta(days=rng.randint(30, 200))
                        c_state = "open" if c_due >= today else ("missed" if st == "follow_up" else "done")
                        commitments.append(
                            Commitment(
                                code=seeded_code(rng, "C"),
                                answer=answer,
                                suggestion=saved,
                                due_date=c_due,
                                text="完成项目建设",
                                state=c_state,
                            )
                        )
                    fields["answered_at"] = answered_at
                    if st == "answered" and rnd == rounds:
                        break
                    result = (
                        "unsatisfied"
                        if (rnd == 1 and rounds == 2)
                        else rng.choices(["satisfied", "basic", "unsatisfied"], [80, 15, 5])[0]
                    )
                    step(rng.randint(3, 15), "evaluation", "answered", "answered", f"测评：{result}")
                    evaluations.append(
                        Evaluation(
                            suggestion=saved,
                            deputy_id=s.lead_deputy_id,
                            round=rnd,
                            process=rng.choice(["satisfied", "basic"]),
                            result=result,
                        )
                    )
                    if rnd < rounds:
                        step(0, "rehandling", "answered", "rehandling", "代表测评不满意，重新办理")
                        fields.update(round=2, rehandle_count=1)
                        if st == "rehandling":
                            lead.state, lead.due_date = "rehandling", calendar.due_date(timezone.localdate(t), months=1)
                            break
                    else:
                        step(0, "evaluated", "answered", "evaluated", "测评完成")
                if st in ("answered", "evaluated"):
                    lead.state = "answered"
                if st in ("closed", "follow_up"):
                    fields["closed_at"] = step(rng.randint(2, 10), "closed", "evaluated", "closed", "办结")
                    lead.state = "closed"
                    if st == "follow_up":
                        step(1, "follow_up", "closed", "follow_up", "答复承诺到期未兑现，转入跟踪办理")
        events.extend(_chain(s.code, trail, actor if st not in ("draft", "cosigning") else None))
        updates.append((saved.pk, fields))
    for pk, fields in updates:
        Suggestion.objects.filter(pk=pk).update(**fields)
    yellow_limit = calendar.add_working_days(today, 5)
    for a in assignments:
        if a.state in assignment_lifecycle.OPEN:
            a.flag = "red" if a.due_date < today else ("yellow" if a.due_date <= yellow_limit else "green")
    Assignment.objects.bulk_create(assignments, batch_size=1000)
    for c in consultations:
        c.assignment_id = c.assignment.pk
    Consultation.objects.bulk_create(consultations, batch_size=1000)
    Answer.objects.bulk_create(answers, batch_size=1000)
    for c in commitments:
        c.answer_id = c.answer.pk
    Commitment.objects.bulk_create(commitments, batch_size=1000)
    Evaluation.objects.bulk_create(evaluations, batch_size=1000, ignore_conflicts=True)
    create_events(events)
    _attach_opinions(rng)
    return len(suggestions)


def _pick_state(rng, age: int) -> str:
    if age > 150:
        table = [
            ("closed", 78),
            ("evaluated", 3),
            ("answered", 3),
            ("follow_up", 2),
            ("rejected", 5),
            ("merged", 2),
            ("withdrawn", 2),
            ("handling", 5),
        ]
    elif age > 60:
        table = [
            ("handling", 38),
            ("answered", 18),
            ("closed", 25),
            ("rehandling", 4),
            ("rejected", 5),
            ("returned", 2),
            ("evaluated", 5),
            ("assigned", 3),
        ]
    else:
        table = [
            ("draft", 4),
            ("cosigning", 2),
            ("submitted", 14),
            ("accepted", 8),
            ("assigned", 20),
            ("handling", 42),
            ("rejected", 5),
            ("returned", 2),
            ("answered", 3),
        ]
    states, weights = zip(*table, strict=True)
    return rng.choices(states, weights)[0]


def _chain(code: str, trail, actor) -> list[Event]:
    """One suggestion's history as unsealed events, in order; `seal_new_chains` chains them."""
    out = []
    for action, frm, to, note, at in trail:
        e = Event(
            subject_type="suggestion",
            subject_id=code,
            action=action,
            from_state=frm,
            to_state=to,
            actor=actor if action not in ("created", "submitted", "withdrawn", "evaluation") else None,
            actor_label=(
                str(actor) if actor and action not in ("created", "submitted", "withdrawn", "evaluation") else "代表"
            ),
            at=at,
            note=note,
        )
        out.append(e)
    return out


def _attach_opinions(rng):
    """Opinions the opinions demo put in "in_suggestion" get a source link to a suggestion of their station."""
    linked = SuggestionSource.objects.values("opinion_id")
    opinions = list(Opinion.objects.filter(state="in_suggestion").exclude(pk__in=linked).order_by("pk")[:2000])
    by_station: dict[int, list[int]] = {}
    for pk, station_id in Suggestion.objects.exclude(state__in=("draft", "cosigning")).values_list("pk", "station_id"):
        by_station.setdefault(station_id, []).append(pk)
    links = [
        SuggestionSource(suggestion_id=rng.choice(by_station[o.station_id]), opinion=o)
        for o in opinions
        if by_station.get(o.station_id)
    ]
    SuggestionSource.objects.bulk_create(links, ignore_conflicts=True)
