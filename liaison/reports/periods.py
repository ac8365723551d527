"""Reporting periods and filters: which months, which region/station/category/level/body a figure covers."""

import datetime as dt
from dataclasses import dataclass, field, replace

from django.utils import timezone

from liaison.lib.months import month_start, shift_month


@dataclass(frozen=True)
class Period:
    """[start, end) on month boundaries (local time)."""

    start: dt.date
    end: dt.date
    label: str

    @property
    def months(self) -> list[dt.date]:
        out, m = [], self.start
        while m < self.end:
            out.append(m)
            m = shift_month(m, 1)
        return out

    @property
    def last_month(self) -> dt.date:
        return shift_month(self.end, -1)

    def previous(self) -> "Period":
        n = len(self.months)
        start = shift_month(self.start, -n)
        return Period(start, self.start, f"上期（{_span_label(start, self.start)}）")

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        tz = timezone.get_current_timezone()
        return (
            dt.datetime.combine(self.start, dt.time.min, tzinfo=tz),
            dt.datetime.combine(self.end, dt.time.min, tzinfo=tz),
        )

    def query(self) -> str:
        return f"from={self.start:%Y-%m}&to={self.last_month:%Y-%m}"

    @classmethod
    def month(cls, day: dt.date) -> "Period":
        start = month_start(day)
        return cls(start, shift_month(start, 1), f"{start.year}年{start.month}月")

    @classmethod
    def year(cls, year: int) -> "Period":
        return cls(dt.date(year, 1, 1), dt.date(year + 1, 1, 1), f"{year}年")


def _span_label(start: dt.date, end: dt.date) -> str:
    last = shift_month(end, -1)
    if start == last:
        return f"{start.year}年{start.month}月"
    return f"{start.year}年{start.month}月—{last.year}年{last.month}月"


def parse_month(value: str) -> dt.date | None:
    try:
        year, month = (int(x) for x in value.strip().split("-")[:2])
        return dt.date(year, month, 1)
    except (ValueError, AttributeError):
        return None


def parse_period(params, today: dt.date | None = None) -> Period:
    """`period=2026-05` | `2026-Q2` | `2026` | `12m` (default: the last 12 months up to this month), or
    `from=YYYY-MM&to=YYYY-MM` (inclusive months)."""
    today = today or timezone.localdate()
    start, end = parse_month(params.get("from", "")), parse_month(params.get("to", ""))
    if start and end and start <= end and (end.year - start.year) < 20:
        end = shift_month(end, 1)
        return Period(start, end, _span_label(start, end))
    value = (params.get("period") or "").strip().upper()
    if len(value) == 4 and value.isdigit() and 2000 <= int(value) <= 2100:
        return Period.year(int(value))
    if len(value) == 7 and value[4:6] == "-Q" and value[:4].isdigit() and value[6] in "1234":
        q = int(value[6])
        start = dt.date(int(value[:4]), 3 * q - 2, 1)
        return Period(start, shift_month(start, 3), f"{start.year}年第{q}季度")
    if (m := parse_month(value)) and len(value) == 7:
        return Period.month(m)
    end = shift_month(month_start(today), 1)
    start = shift_month(end, -12)
    return Period(start, end, f"近12个月（{_span_label(start, end)}）")


# --- filters -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    period: Period
    region: object = None  # org.Region: a subtree
    station: object = None  # org.Station
    deputy: object = None  # org.Deputy: opinions they collected, suggestions they lead (source tables only)
    category_id: int | None = None
    level: str = ""
    body_id: int | None = None
    extra: dict = field(default_factory=dict)

    def with_period(self, period: Period) -> "Filters":
        return replace(self, period=period)

    def query(self) -> str:
        parts = [self.period.query()]
        if self.deputy is not None:
            parts.append(f"deputy={self.deputy.code}")
        elif self.station is not None:
            parts.append(f"station={self.station.code}")
        elif self.region is not None:
            parts.append(f"region={self.region.code}")
        if self.category_id:
            parts.append(f"category={self.category_id}")
        if self.level:
            parts.append(f"level={self.level}")
        if self.body_id:
            parts.append(f"body={self.body_id}")
        return "&".join(parts)


# --- the items behind each column ----------------------------------------------------------------------------
