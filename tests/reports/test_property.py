"""Property: for random small histories, every dashboard figure from rollups equals a brute-force recount, and
every figure of the handling units' year-end scoring equals the independent recount (independent_units.py)."""

import datetime as dt
from collections import Counter

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from liaison.events.services import record_event
from liaison.meetings.models import Meeting
from liaison.opinions.models import Opinion
from liaison.org.models import HandlingUnit
from liaison.reports import independent_units, rollups, unit_scoring
from liaison.reports import metrics as m
from liaison.reports.models import MonthlyRollup
from liaison.suggestions.models import Answer, Assignment, Consultation, Evaluation, Suggestion

from . import history as h

OP_STATES = [
    "registered",
    "on_agenda",
    "answered_on_spot",
    "not_accepted",
    "outcome_recorded",
    "reported_back",
    "closed",
]
SG_STATES = ["submitted", "rejected", "accepted", "handling", "answered", "evaluated", "closed", "follow_up"]
RATINGS = ["satisfied", "basic", "unsatisfied"]

opinions = st.lists(
    st.tuples(
        st.integers(0, 2),  # station
        st.integers(1, 3),  # month
        st.sampled_from(["visit", "qr", "phone", "reception"]),
        st.sampled_from(OP_STATES),
        st.integers(0, 2),  # category
        st.sampled_from(["", "village", "refer", "suggestion"]),  # decision at that month's meeting
    ),
    max_size=8,
)
suggestions = st.lists(
    st.tuples(
        st.integers(0, 2),
        st.integers(1, 3),
        st.sampled_from(SG_STATES),
        st.integers(0, 2),
        st.lists(st.tuples(st.sampled_from("ABCD"), st.booleans(), st.integers(0, 200)), max_size=2),
        st.lists(st.sampled_from(RATINGS), max_size=3),
        st.booleans(),
        st.sampled_from(["county", "township"]),
    ),
    max_size=8,
)


def brute_force(cast, filters: m.Filters) -> dict:
    """Independent recount in plain Python over the source rows."""
    start, end = filters.period.start, filters.period.end
    path = filters.region.path if filters.region else ""

    def in_period(value):
        return start <= m.timezone.localdate(value) < end

    out = Counter()
    for o in Opinion.objects.select_related("station__region"):
        if not in_period(o.created_at) or not o.station.region.path.startswith(path):
            continue
        if filters.category_id and o.category_id != filters.category_id:
            continue
        out["opinions"] += 1
        out[f"op_{o.channel}"] += 1
        if o.state in m.CONCLUDED:
            out["concluded"] += 1
            out["reported"] += o.state in ("reported_back", "closed")
    for meeting in Meeting.objects.select_related("station__region").prefetch_related("items__opinion"):
        if not (start <= dt.date(meeting.year, meeting.month, 1) < end) or not meeting.station.region.path.startswith(
            path
        ):
            continue
        for item in meeting.items.all():
            if item.decision and (not filters.category_id or item.opinion.category_id == filters.category_id):
                out[f"dec_{item.decision}"] += 1
    days = []
    for s in Suggestion.objects.select_related("region").prefetch_related(
        "answers", "evaluations", "assignments__consultations"
    ):
        if s.submitted_at is None or not in_period(s.submitted_at) or not s.region.path.startswith(path):
            continue
        if filters.category_id and s.category_id != filters.category_id:
            continue
        if filters.level and s.level != filters.level:
            continue
        answers = sorted(s.answers.all(), key=lambda a: (a.created_at, a.id))
        evals = list(s.evaluations.all())
        out["raised"] += 1
        accepted = s.state not in ("submitted", "rejected", "merged", "withdrawn", "draft", "cosigning")
        out["accepted"] += accepted
        out["closed"] += s.state == "closed"  # follow_up: reopened (missed commitment), not 办结
        if answers:
            out["answered"] += 1
            out["on_time"] += all(a.on_time for a in answers)
            last = max(answers, key=lambda a: (a.round, a.created_at, a.id))
            out["class_a"] += last.answer_class == "A"
            out["consulted"] += any(a.consultations.exists() for a in s.assignments.all())
            days.append((m.timezone.localdate(answers[0].created_at) - s.assigned_on).days)
        if evals:
            out["evaluated"] += 1
            last_round = max(e.round for e in evals)
            out["satisfied"] += all(e.result != "unsatisfied" for e in evals if e.round == last_round)
        first = [e for e in evals if e.round == 1]
        out["first_satisfied"] += bool(first) and all(e.result == "satisfied" for e in first)

    def ratio(a, b):
        return None if not out[b] else out[a] / out[b]

    days.sort()
    result = {
        "opinions": out["opinions"],
        "op_visit": out["op_visit"],
        "op_qr": out["op_qr"],
        "dec_village": out["dec_village"],
        "dec_suggestion": out["dec_suggestion"],
        "raised": out["raised"],
        "accepted": out["accepted"],
        "answered": out["answered"],
        "closed": out["closed"],
        "closed_rate": ratio("closed", "accepted"),
        "on_time_rate": ratio("on_time", "answered"),
        "satisfaction": ratio("satisfied", "evaluated"),
        "first_satisfaction": ratio("first_satisfied", "evaluated"),
        "solved_rate": ratio("class_a", "answered"),
        "consult_rate": ratio("consulted", "answered"),
        "feedback_rate": ratio("reported", "concluded"),
        "avg_days": sum(days) / len(days) if days else None,
        "p90_days": days[-(-9 * len(days) // 10) - 1] if days else None,
    }
    return result


def _make(cast, ops, sgs):
    stations = [cast.station, cast.station_b, cast.other_station]
    cats = list(cast.categories.values())[:3]
    by_meeting = {}
    for si, month, channel, state, ci, decision in ops:
        o = h.opinion(stations[si], h.at(2026, month, 5 + si), channel=channel, state=state, category=cats[ci])
        if decision:
            by_meeting.setdefault((si, month), []).append((o, decision))
    for (si, month), decisions in by_meeting.items():
        h.meeting(stations[si], 2026, month, decisions)
    for si, month, state, ci, answers, ratings, consulted, level in sgs:
        answered = state in ("answered", "evaluated", "closed", "follow_up")
        body = cast.county_body if level == "county" else cast.township_body
        h.suggestion(
            cast,
            h.at(2026, month, 3),
            state=state,
            station=stations[si],
            category=cats[ci],
            level=level,
            body=body,
            deputy=cast.other_deputy if si == 2 else cast.deputy,
            answers=[(c, ok, d, i + 1) for i, (c, ok, d) in enumerate(answers)] if answered else [],
            evaluations=[(1 + i // 3, r) for i, r in enumerate(ratings)] if answered and answers else [],
            consulted=consulted and answered and bool(answers),
        )


def _clear():
    MonthlyRollup.objects.all().delete()
    Suggestion.objects.all().delete()
    Meeting.objects.all().delete()
    Opinion.objects.all().delete()


FILTERS = [
    ("city", m.Period(dt.date(2026, 1, 1), dt.date(2026, 4, 1), "Q1"), {}),
    ("shitai", m.Period.month(dt.date(2026, 2, 1)), {}),
    ("renli", m.Period(dt.date(2026, 2, 1), dt.date(2026, 4, 1), "2-3"), {"level": "county"}),
    ("city", m.Period.month(dt.date(2026, 3, 1)), {"category": 0}),
]


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(ops=opinions, sgs=suggestions, split=st.integers(0, 8))
def test_it_matches_a_brute_force_recount(cast, ops, sgs, split):
    with transaction.atomic():
        _clear()
        _example(cast, ops, sgs, split)
        transaction.set_rollback(True)


def _example(cast, ops, sgs, split):
    # Part of the history before the first build, the rest arriving later through events (refresh).
    _make(cast, ops[:split], sgs[:split])
    rollups.rebuild()
    _make(cast, ops[split:], sgs[split:])
    rollups.refresh()
    cats = list(cast.categories.values())[:3]
    for region_name, period, extra in FILTERS:
        region = getattr(cast, region_name)
        filters = m.Filters(
            period,
            region=region,
            level=extra.get("level", ""),
            category_id=cats[extra["category"]].pk if "category" in extra else None,
        )
        got = m.figures(filters, with_overdue=False)
        want = brute_force(cast, filters)
        for key, value in want.items():
            assert got.value(key) == value or (value is not None and abs(got.value(key) - value) < 1e-9), (
                region_name,
                key,
                got.value(key),
                value,
            )
    assert rollups.recount() == []


# --- the handling units' year-end scoring -----------------------------------------------------------------------

TODAY = dt.date(2026, 6, 30)
ASSIGNMENT_STATES = ["assigned", "signed", "returned", "answered", "rehandling", "closed"]
unit_items = st.lists(
    st.tuples(
        st.lists(  # the suggestion's assignments
            st.tuples(
                st.integers(0, 3),  # unit
                st.sampled_from(["lead", "co", "split"]),
                st.sampled_from(ASSIGNMENT_STATES),
                st.sampled_from([(2025, 12, 31), (2026, 1, 1), (2026, 3, 31), (2026, 4, 1)]),  # 交办日期
                st.integers(-40, 40),  # due date, days after TODAY - 60
                st.lists(st.tuples(st.booleans(), st.integers(0, 150)), max_size=2),  # answers: on time, day
                st.booleans(),  # consulted
                st.booleans(),  # sent back for re-handling (event)
            ),
            min_size=1,
            max_size=3,
        ),
        st.lists(st.tuples(st.integers(1, 2), st.sampled_from(RATINGS)), max_size=3),  # evaluations
    ),
    max_size=6,
)


def _make_unit_items(cast, items):
    units = [cast.unit, cast.unit_b, cast.village_unit, cast.other_unit]
    deputies = [cast.deputy, cast.deputy2, cast.other_deputy]
    for assignments, evaluations in items:
        s = h.suggestion(cast, h.at(2025, 12, 1), state="handling", event=False)
        for ui, role, state, (y, mo, d), due, answers, consulted, rehandled in assignments:
            start = dt.date(y, mo, d)
            a = Assignment.objects.create(
                suggestion=s,
                unit=units[ui],
                role=role,
                state=state,
                start_date=start,
                assigned_on=start,
                due_date=TODAY - dt.timedelta(days=60 - due),
            )
            for on_time, day in answers if state != "assigned" else ():
                Answer.objects.create(
                    assignment=a,
                    suggestion=s,
                    answer_class="A",
                    text="已答复",
                    signer="局长",
                    on_time=on_time,
                    created_at=dt.datetime.combine(start + dt.timedelta(days=day), dt.time(23, 30), tzinfo=h.TZ),
                )
            if consulted:
                Consultation.objects.create(assignment=a, kind="visit", held_on=start, notes="走访")
            if rehandled:
                record_event(
                    subject_type="suggestion",
                    subject_id=s.code,
                    action="rehandle_assigned",
                    data={"assignment": a.code},
                )
        for i, (rnd, result) in enumerate(evaluations):
            Evaluation.objects.create(suggestion=s, deputy=deputies[i % 3], round=rnd, process=result, result=result)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(items=unit_items, inactive=st.booleans())
def test_unit_scoring_matches_the_independent_recount(cast, items, inactive):
    with transaction.atomic():
        Suggestion.objects.all().delete()
        _make_unit_items(cast, items)
        if inactive:
            HandlingUnit.objects.filter(pk=cast.unit_b.pk).update(is_active=False)
        for year in (2025, 2026):
            want = independent_units.figures(year, today=TODAY)
            for region in (cast.city, cast.shitai, cast.dongzhi):
                for row in unit_scoring.score_units(region, year, today=TODAY):
                    got, unit = row["values"], row["unit"]
                    assert independent_units.differences(got, want.get(unit.pk)) == [], (unit.code, year)
                    for key, (_flag, den) in independent_units.FIGURES.items():  # each figure drills down to its items
                        listed = unit_scoring.items(unit, year, key, today=TODAY).count()
                        if den is not None:
                            num = unit_scoring.items(unit, year, key, "num", today=TODAY).count()
                            assert (num, listed) == row["parts"][key]
                        elif key != "overdue_days":
                            assert listed == got[key]
            scored = {(r["unit"].pk, year): r["values"] for r in unit_scoring.score_units(cast.city, year, today=TODAY)}
            assert set(want) <= {u for u, _y in scored}
        transaction.set_rollback(True)
