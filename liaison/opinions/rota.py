"""The reception-day rota (坐堂接待排班): the station's fixed reception days and who receives residents on them.

Reception days follow the station's rule (e.g. the 20th of each month). The station head or liaison officer
puts stationed deputies on duty; a deputy then logs the day as a visit of kind 坐堂接待, which is what the
performance record counts as a reception day served.
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from liaison.events.services import record_event
from liaison.lib.errors import DomainError
from liaison.lib.months import next_month
from liaison.org.models import Stationing
from liaison.org.selectors import can_write_station

from .models import ReceptionDuty, Visit


def upcoming_reception_days(station, months: int = 3, today: dt.date | None = None) -> list[dt.date]:
    """The station's next reception days by its monthly rule, this month's included if not yet past."""
    if not station.reception_day:
        return []
    today = today or timezone.localdate()
    days, year, month = [], today.year, today.month
    for _ in range(months + 1):
        day = dt.date(year, month, station.reception_day)
        if day >= today:
            days.append(day)
        year, month = next_month(year, month)
    return days[:months]


def schedule_duty(*, station, date: dt.date, deputy, actor, note: str = "") -> ReceptionDuty:
    if not can_write_station(actor, station):
        raise DomainError("只有站长、联络员或人大工作人员可以排班")
    if date < timezone.localdate():
        raise DomainError("不能为已经过去的日期排班")
    if not Stationing.objects.filter(station=station, deputy=deputy).exists():
        raise DomainError("该代表未进驻此联络站")
    try:
        with transaction.atomic():
            duty = ReceptionDuty.objects.create(
                station=station, date=date, deputy=deputy, note=note[:200], created_by=actor
            )
            record_event(
                subject_type="station",
                subject_id=station.code,
                action="duty_scheduled",
                actor=actor,
                note=f"{date:%Y-%m-%d} 坐堂接待：{deputy.name}",
                data={"deputy": deputy.code},
            )
    except IntegrityError:
        raise DomainError(f"{deputy.name} 已排在 {date:%Y-%m-%d}")
    return duty


def cancel_duty(*, duty: ReceptionDuty, actor) -> None:
    if not can_write_station(actor, duty.station):
        raise DomainError("只有站长、联络员或人大工作人员可以调整排班")
    if duty.date < timezone.localdate():
        raise DomainError("已经过去的排班不能取消")
    with transaction.atomic():
        record_event(
            subject_type="station",
            subject_id=duty.station.code,
            action="duty_cancelled",
            actor=actor,
            note=f"{duty.date:%Y-%m-%d} 坐堂接待：{duty.deputy.name}",
            data={"deputy": duty.deputy.code},
        )
        duty.delete()


def rota(station, *, months: int = 3, past: int = 3) -> list[dict]:
    """Past and upcoming duties with whether each past duty was served (a reception visit logged that day)."""
    today = timezone.localdate()
    since = today - dt.timedelta(days=31 * past)
    duties = list(ReceptionDuty.objects.filter(station=station, date__gte=since).select_related("deputy"))
    served = set(
        Visit.objects.filter(station=station, kind=Visit.Kind.RECEPTION, date__gte=since).values_list(
            "deputy_id", "date"
        )
    )
    by_day: dict[dt.date, list] = {d: [] for d in upcoming_reception_days(station, months)}
    for duty in duties:
        by_day.setdefault(duty.date, []).append(duty)
    return [
        {
            "date": day,
            "past": day < today,
            "duties": [{"duty": d, "served": (d.deputy_id, d.date) in served} for d in by_day[day]],
        }
        for day in sorted(by_day)
    ]
