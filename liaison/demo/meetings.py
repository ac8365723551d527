"""Part of step 3: the monthly meetings (会商) of 石台县's stations with their agendas, attendance and events, and
the deputies' mediations — written from the opinion history's random stream, right after the opinions."""

from datetime import UTC, datetime, time, timedelta
from types import SimpleNamespace as R

from django.utils import timezone

from liaison.meetings.agenda import order_agenda
from liaison.meetings.models import AgendaItem, Attendance, Meeting
from liaison.opinions.models import Mediation
from liaison.org.models import Category

from .bulk import insert, insert_events, seeded_code
from .people import person
from .texts import MEDIATIONS


def _agenda_order(items, opinions, categories):
    """The meeting's items in the order the product gives an agenda (liaison/meetings/agenda.py: by category,
    near-duplicates side by side across categories)."""
    by_pk = {}
    for item in items:
        opinion = opinions[item[0]]
        if opinion.category_id in categories:
            opinion.category = categories[opinion.category_id]  # the ordering reads it: no query per item
        by_pk[opinion.pk] = item
    return [by_pk[o.pk] for o in order_agenda([opinions[i] for i, _ in items])]


def write_meetings(rng, meetings, h, opinions, stationed, used):
    """The closed meetings the opinion history collected ((station, month) → items), in key order."""
    rows = []
    keys = sorted(meetings)
    for key in keys:
        spec = meetings[key]
        station, start, held = spec["station"], spec["start"], spec["held"]
        rows.append(
            R(
                code=seeded_code(rng, "H", used),
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
    insert(Meeting, rows)
    meeting_pks = dict(Meeting.objects.values_list("code", "pk"))
    items, attendance, events = [], [], []
    categories = {c.pk: c for c in Category.objects.all()}
    for meeting, key in zip(rows, keys, strict=True):
        ordered = _agenda_order(meetings[key]["items"], opinions, categories)
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
    insert(AgendaItem, items)
    insert(Attendance, attendance)
    insert_events(events)
    return len(rows)


def write_mediations(rng, stations, stationed, used, today, county_code):
    """1–5 mediations per staffed station of the county `county_code`, over the last year."""
    rows = []
    for station in stations:
        if station.region.parent.parent.code != county_code or not stationed.get(station.pk):
            continue
        for _ in range(rng.randint(1, 5)):
            subject, steps = rng.choice(MEDIATIONS)
            day = today - timedelta(days=rng.randint(3, 360))
            rows.append(
                R(
                    code=seeded_code(rng, "T", used),
                    deputy_id=rng.choice(stationed[station.pk]),
                    station_id=station.pk,
                    date=day,
                    parties=f"{person(rng)}，{person(rng)}",
                    subject=subject,
                    steps=steps,
                    result=rng.choices(["resolved", "partial", "unresolved"], [75, 15, 10])[0],
                    created_at=timezone.make_aware(datetime.combine(day, time(17, 0))),
                )
            )
    insert(Mediation, rows)
    return len(rows)
