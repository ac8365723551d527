"""Hand-made histories for the reports tests: rows written directly (fast), the way the services leave them."""

import datetime as dt
import itertools

from django.utils import timezone

from liaison.events.services import record_event
from liaison.meetings.models import AgendaItem, Meeting
from liaison.opinions.models import Opinion
from liaison.suggestions.models import Answer, Assignment, Consultation, Evaluation, Suggestion

_seq = itertools.count(1)
TZ = timezone.get_current_timezone()


def at(year, month, day=10, hour=10) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=TZ)


def opinion(station, when, *, channel="visit", state="registered", category=None, deputy=None, event=True):
    o = Opinion.objects.create(
        code=f"M{next(_seq):07d}",
        query_password_hash="x",
        station=station,
        category=category,
        deputy=deputy,
        channel=channel,
        title="路灯不亮",
        content="村口路灯不亮",
        state=state,
        created_at=when,
    )
    if event:
        record_event(subject_type="opinion", subject_id=o.code, action="registered", to_state=state)
    return o


def suggestion(
    cast,
    when,
    *,
    state="accepted",
    station=None,
    deputy=None,
    category=None,
    level="county",
    body=None,
    answers=(),
    evaluations=(),
    consulted=False,
    assigned_on=None,
    overdue=False,
    event=True,
    title="修建河口桥",
):
    """answers: [(class, on_time, days_after_assignment, round)]; evaluations: [(round, result)]."""
    station = station or cast.station
    s = Suggestion.objects.create(
        title=title,
        cause="群众出行不便",
        proposals="建议修桥",
        category=category or cast.categories["交通运输"],
        lead_deputy=deputy or cast.deputy,
        level=level,
        body=body or cast.county_body,
        station=station,
        region=station.region,
        state=state,
        submitted_at=when,
        accepted_at=when if state not in ("submitted", "rejected", "merged", "withdrawn") else None,
    )
    assignment = None
    if assigned_on or answers or consulted or overdue:
        assigned_on = assigned_on or timezone.localdate(when)
        assignment = Assignment.objects.create(
            suggestion=s,
            unit=cast.unit,
            start_date=assigned_on,
            assigned_on=assigned_on,
            due_date=assigned_on + dt.timedelta(days=90)
            if not overdue
            else timezone.localdate() - dt.timedelta(days=3),
            state="signed" if overdue else "answered",
        )
        Suggestion.objects.filter(pk=s.pk).update(assigned_on=assigned_on)
    for answer_class, on_time, days, rnd in answers:
        Answer.objects.create(
            assignment=assignment,
            suggestion=s,
            round=rnd,
            answer_class=answer_class,
            text="已答复",
            signer="局长",
            on_time=on_time,
            created_at=dt.datetime.combine(assigned_on + dt.timedelta(days=days), dt.time(15), tzinfo=TZ),
        )
    deputies = [cast.deputy, cast.deputy2, cast.other_deputy]
    for i, (rnd, result) in enumerate(evaluations):
        Evaluation.objects.create(suggestion=s, deputy=deputies[i % 3], round=rnd, process=result, result=result)
    if consulted:
        Consultation.objects.create(assignment=assignment, kind="phone", held_on=assigned_on, notes="电话面商")
    if event:
        record_event(subject_type="suggestion", subject_id=s.code, action="submitted", to_state=state)
    return s


def meeting(station, year, month, decisions, *, event=True):
    m = Meeting.objects.filter(station=station, year=year, month=month).first() or Meeting.objects.create(
        code=f"H{next(_seq):07d}",
        station=station,
        year=year,
        month=month,
        held_at=at(year, month, 20),
        place="站",
        chair="站长",
    )
    for i, (op, decision) in enumerate(decisions, start=m.items.count()):
        AgendaItem.objects.create(meeting=m, opinion=op, position=i, decision=decision)
    if event:
        record_event(subject_type="meeting", subject_id=m.code, action="decided")
    return m
