"""How the region and station dashboards read: one query per block of the page, whatever the data's size.

- `period_data(filters)`: one query for the headline figures of the period and of the previous period, the
  monthly series and the category table — the rollup rows from the previous period's start to this one's end
  (RegionMonthTotal for a region: ~13 rows a month; the station's StationMonthTotal rows for a station). With a
  deputy level or body filter a region page falls back to MonthlyRollup, summed in SQL, and its day histogram
  needs a second query.
- `rankings(filters, region)`: one query (UNION ALL) for the ranked children (counties, townships or stations)
  and the stations of the region.
- `live_page(qs, number)`: a page of a live list (overdue items, key supervised items) and its total, in one
  indexed query.

The figures are the same sums as `metrics.figures()` (the same rollup columns, the same rate arithmetic); the
tests compare the two.
"""

from collections import Counter
from dataclasses import dataclass, field, replace

from django.db.models import Count, F, Func, IntegerField, Subquery, Sum, Value, Window

from liaison.org.models import Region, Station

from . import metrics as m
from .models import COLUMNS, RegionMonthTotal

CHILD_REGION_LEVEL = {"county_id": Region.Level.COUNTY, "township_id": Region.Level.TOWNSHIP}
RANK_COLUMNS = ["op_received", "sg_raised"] + sorted(
    {c for k in m.RATE_KEYS for c in (m.METRICS[k].num, m.METRICS[k].den)} - {"op_received", "sg_raised"}
)


def _zero() -> dict:
    return dict.fromkeys(COLUMNS, 0)


def _add(target: dict, row: dict, columns=COLUMNS) -> None:
    for c in columns:
        target[c] += row[c] or 0


def _merge(hist: Counter, days_hist) -> None:
    for days, n in (days_hist or {}).items():
        hist[int(days)] += n


@dataclass
class PeriodData:
    figs: m.Figures
    prev: m.Figures
    months: dict = field(default_factory=dict)  # month → sums (this period)
    categories: dict = field(default_factory=dict)  # category id → {"name", sums} (this period)


def _coarse(filters: m.Filters) -> bool:
    """Whether a region page can read RegionMonthTotal (no deputy level or body filter)."""
    return filters.region is not None and filters.station is None and not (filters.level or filters.body_id)


def period_data(filters: m.Filters, *, overdue: int | None = None) -> PeriodData:
    period = filters.period
    span = replace(filters, period=m.Period(period.previous().start, period.end, ""))
    cur, prev = _zero(), _zero()
    hist, prev_hist = Counter(), Counter()
    data = PeriodData(m.Figures(cur, hist, overdue), m.Figures(prev, prev_hist, None))
    categories = filters.station is None
    if _coarse(filters):
        qs = RegionMonthTotal.objects.filter(region=filters.region, month__gte=span.period.start)
        qs = qs.filter(month__lt=period.end)
        if filters.category_id:
            qs = qs.filter(category_id=filters.category_id)
        rows = qs.values("month", "category_id", "category__name", *COLUMNS, "days_hist")
        hist_rows = None
    elif categories:
        qs = m.rollup_rows(span, fine=True)
        rows = qs.values("month", "category_id", "category__name").annotate(**m.SUM_COLUMNS).order_by()
        hist_rows = qs.filter(sg_days_n__gt=0).values_list("month", "days_hist")
    else:
        rows = m.rollup_rows(span).values("month", *COLUMNS, "days_hist")
        hist_rows = None
    for r in rows:
        if r["month"] < period.start:
            _add(prev, r)
            if hist_rows is None:
                _merge(prev_hist, r["days_hist"])
            continue
        _add(cur, r)
        if hist_rows is None:
            _merge(hist, r["days_hist"])
        _add(data.months.setdefault(r["month"], _zero()), r)
        if categories:
            entry = data.categories.setdefault(r["category_id"], {"name": r["category__name"], "sums": _zero()})
            _add(entry["sums"], r)
    for month, h in hist_rows or ():
        _merge(hist if month >= period.start else prev_hist, h)
    return data


# --- rankings ------------------------------------------------------------------------------------------------


def _sums(columns=RANK_COLUMNS) -> dict:
    return {c: Sum(c) for c in columns}


def _station_part(filters: m.Filters):
    return (
        m.rollup_rows(filters)
        .values(key=F("station_id"), code=F("station__code"), name=F("station__name"))
        .annotate(kind=Value("station"), **_sums())
        .order_by()
    )


def _region_part(filters: m.Filters, region: Region, by: str):
    if not _coarse(filters):
        prefix = by[: -len("_id")]
        qs = m.rollup_rows(filters).values(key=F(by), code=F(f"{prefix}__code"), name=F(f"{prefix}__name"))
    else:
        qs = RegionMonthTotal.objects.filter(
            region__parent=region,
            region__level=CHILD_REGION_LEVEL[by],
            month__gte=filters.period.start,
            month__lt=filters.period.end,
        )
        if filters.category_id:
            qs = qs.filter(category_id=filters.category_id)
        qs = qs.values(key=F("region_id"), code=F("region__code"), name=F("region__name"))
    return qs.annotate(kind=Value("region"), **_sums()).order_by()


def rankings(filters: m.Filters, region: Region, by: str) -> tuple[dict, dict, dict, dict]:
    """({child id: sums}, {child id: child}, {station id: sums}, {station id: station}) of the region's children
    (grouped `by` county_id / township_id / station_id) and of its stations, in one query. The children are
    unsaved Region/Station objects carrying id, code and name (what the links need)."""
    stations = _station_part(filters)
    qs = stations if by == "station_id" else _region_part(filters, region, by).union(stations, all=True)
    groups, names, st_groups, st_names = {}, {}, {}, {}
    for r in qs:
        if r["key"] is None:
            continue
        sums = {c: r[c] or 0 for c in RANK_COLUMNS}
        if r["kind"] == "station":
            st_groups[r["key"]] = sums
            st_names[r["key"]] = Station(pk=r["key"], code=r["code"], name=r["name"])
        else:
            groups[r["key"]] = sums
            names[r["key"]] = Region(pk=r["key"], code=r["code"], name=r["name"])
    if by == "station_id":
        return st_groups, st_names, st_groups, st_names
    return groups, names, st_groups, st_names


# --- live lists ----------------------------------------------------------------------------------------------


@dataclass
class LivePage:
    items: list
    total: int
    number: int
    size: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_number(self) -> int:
        return self.number + 1

    @property
    def previous_number(self) -> int:
        return self.number - 1


def page_number(value) -> int:
    try:
        return max(1, min(int(value), 10_000))
    except (TypeError, ValueError):
        return 1


def live_page(qs, number: int, size: int, count) -> LivePage:
    """Rows `size` × (number − 1) … of `qs` (annotated with `total`), and the total; `count()` only when the page
    is past the end."""
    start = (number - 1) * size
    rows = list(qs[start : start + size + 1])
    total = rows[0].total if rows else (0 if number == 1 else count())
    return LivePage(rows[:size], total, number, size, len(rows) > size)


def overdue_page(filters: m.Filters, number: int = 1, size: int = 20) -> LivePage:
    """Open assignments past their deadline, earliest first; total = the 当前超期 figure (by suggestion)."""
    suggestions = m.overdue_suggestions(filters).order_by()
    total = suggestions.values(n=Func(F("pk"), function="COUNT", output_field=IntegerField()))
    qs = (
        m.overdue_assignments(filters)
        .select_related("suggestion", "suggestion__station", "unit")
        .annotate(total=Subquery(total))
        .order_by("due_date", "id")
    )
    return live_page(qs, number, size, suggestions.count)


def supervised_page(qs, number: int = 1, size: int = 20) -> LivePage:
    qs = qs.annotate(total=Window(Count("id")))
    return live_page(qs, number, size, qs.count)
