"""Monthly rollups: built from the source tables, kept current from the event log, checked by `recount`.

The unit of work is a cell (month, village region): every opinion, suggestion and meeting decision belongs to
exactly one (see metrics.py, "Cohorts"). `refresh()` reads the events since the watermark, maps their subjects
to the cells they belong to and recomputes only those cells; `rebuild()` recomputes everything, set-based in SQL
(rollup_sql.py). RegionMonthTotal (what region dashboards read) follows MonthlyRollup month by month.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Max, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from liaison.events.models import Event
from liaison.meetings.models import AgendaItem, Meeting
from liaison.opinions.models import Opinion
from liaison.org.models import Region
from liaison.suggestions.models import Suggestion

from . import rollup_sql
from .metrics import DECISION_KINDS, OPINION_Q, month_of, shift_month, suggestion_rows
from .models import COLUMNS, MonthlyRollup, RollupState, StationMonthTotal

# Events committed out of id order (concurrent transactions) are caught by re-reading this recent window.
LATE_COMMIT_WINDOW = dt.timedelta(minutes=10)

Cells = dict  # {month (date): set(region ids)}


def _region_info() -> dict[int, tuple[str, int | None, int | None]]:
    """region id → (path, county id, township id)."""
    regions = list(Region.objects.values_list("id", "code", "path", "level"))
    by_code = {code: (pk, level) for pk, code, _path, level in regions}
    info = {}
    for pk, _code, path, _level in regions:
        county = township = None
        for code in path.strip("/").split("/"):
            rid, level = by_code.get(code, (None, None))
            if level == Region.Level.COUNTY:
                county = rid
            elif level == Region.Level.TOWNSHIP:
                township = rid
        info[pk] = (path, county, township)
    return info


def _month_q(cells: Cells | None, date_field: str, region_field: str) -> Q | None:
    if cells is None:
        return None
    tz = timezone.get_current_timezone()
    q = Q(pk__in=[])
    for month, regions in cells.items():
        start = dt.datetime.combine(month, dt.time.min, tzinfo=tz)
        end = dt.datetime.combine(shift_month(month, 1), dt.time.min, tzinfo=tz)
        q |= Q(**{f"{date_field}__gte": start, f"{date_field}__lt": end, f"{region_field}__in": list(regions)})
    return q


def build(cells: Cells | None = None) -> dict[tuple, MonthlyRollup]:
    """Rollup rows (unsaved) of the given cells, or of everything, computed from the source tables."""
    info = _region_info()
    rows: dict[tuple, MonthlyRollup] = {}

    def row(month, region_id, station_id, category_id, level="", body_id=None) -> MonthlyRollup:
        key = (month, region_id, station_id, category_id, level, body_id)
        r = rows.get(key)
        if r is None:
            path, county, township = info[region_id]
            r = rows[key] = MonthlyRollup(
                month=month,
                region_id=region_id,
                region_path=path,
                county_id=county,
                township_id=township,
                station_id=station_id,
                category_id=category_id,
                level=level,
                body_id=body_id,
                days_hist={},
            )
        return r

    # Opinions: grouped in SQL.
    qs = Opinion.objects.all()
    if (q := _month_q(cells, "created_at", "station__region_id")) is not None:
        qs = qs.filter(q)
    counts = {col: Count("pk", filter=q) if q else Count("pk") for col, q in OPINION_Q.items()}
    grouped = (
        qs.annotate(m=TruncMonth("created_at"))
        .values("m", "station_id", "station__region_id", "category_id")
        .annotate(**counts)
        .order_by()
    )
    for g in grouped:
        r = row(_local_month(g["m"]), g["station__region_id"], g["station_id"], g["category_id"])
        for col in OPINION_Q:
            setattr(r, col, g[col])

    # Meeting decisions: grouped in SQL, by the meeting's month.
    qs = AgendaItem.objects.exclude(decision="")
    if cells is not None:
        q = Q(pk__in=[])
        for month, regions in cells.items():
            q |= Q(meeting__year=month.year, meeting__month=month.month, meeting__station__region_id__in=list(regions))
        qs = qs.filter(q)
    counts = {col: Count("pk", filter=Q(decision=d)) for col, d in DECISION_KINDS.items()}
    fields = ("meeting__year", "meeting__month", "meeting__station_id", "meeting__station__region_id")
    for g in qs.values(*fields, "opinion__category_id").annotate(**counts).order_by():
        month = dt.date(g["meeting__year"], g["meeting__month"], 1)
        r = row(month, g["meeting__station__region_id"], g["meeting__station_id"], g["opinion__category_id"])
        for col in DECISION_KINDS:
            setattr(r, col, getattr(r, col) + g[col])

    # Suggestions: per item (the flags need subqueries; days to answer need dates), summed in Python.
    qs = Suggestion.objects.filter(submitted_at__isnull=False)
    if (q := _month_q(cells, "submitted_at", "region_id")) is not None:
        qs = qs.filter(q)
    for s in suggestion_rows(qs):
        r = row(
            month_of(s["submitted_at"]), s["region_id"], s["station_id"], s["category_id"], s["level"], s["body_id"]
        )
        for col in s["cols"]:
            setattr(r, col, getattr(r, col) + 1)
        if s["days"] is not None:
            r.sg_days_sum += s["days"]
            key = str(s["days"])
            r.days_hist[key] = r.days_hist.get(key, 0) + 1
    return rows


def _local_month(value) -> dt.date:
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.date().replace(day=1)
    return value.replace(day=1)


def totals(rows: dict[tuple, MonthlyRollup]) -> dict[tuple, StationMonthTotal]:
    """The rows summed over category, level and body (month × village × station)."""
    out: dict[tuple, StationMonthTotal] = {}
    for r in rows.values():
        key = (r.month, r.region_id, r.station_id)
        t = out.get(key)
        if t is None:
            t = out[key] = StationMonthTotal(
                month=r.month,
                region_id=r.region_id,
                region_path=r.region_path,
                county_id=r.county_id,
                township_id=r.township_id,
                station_id=r.station_id,
                days_hist={},
            )
        for c in COLUMNS:
            setattr(t, c, getattr(t, c) + getattr(r, c))
        for k, v in r.days_hist.items():
            t.days_hist[k] = t.days_hist.get(k, 0) + v
    return out


def _store(cells: Cells | None, rows: dict[tuple, MonthlyRollup]) -> None:
    for model in (MonthlyRollup, StationMonthTotal):
        if cells is None:
            model.objects.all().delete()
        else:
            for month, regions in cells.items():
                regions = list(regions)
                for i in range(0, len(regions), 500):
                    model.objects.filter(month=month, region_id__in=regions[i : i + 500]).delete()
    MonthlyRollup.objects.bulk_create(rows.values(), batch_size=2000)
    StationMonthTotal.objects.bulk_create(totals(rows).values(), batch_size=2000)
    rollup_sql.store_regions(None if cells is None else set(cells))


def _state() -> RollupState:
    state = RollupState.objects.select_for_update().order_by("pk").first()
    return state or RollupState.objects.create()


@dataclass
class RefreshResult:
    events: int = 0
    cells: int = 0
    rows: int = 0
    full: bool = False


def rebuild() -> RefreshResult:
    """Everything from the source tables, set-based in SQL (rollup_sql.py; `recount` checks it against `build`)."""
    with transaction.atomic():
        state = _state()
        top = Event.objects.aggregate(m=Max("id"))["m"] or 0
        n = rollup_sql.rebuild_all()
        state.last_event_id, state.last_run_at, state.built_at = top, timezone.now(), timezone.now()
        state.save()
    return RefreshResult(rows=n, full=True)


def dirty_cells(events) -> Cells:
    """The cells the subjects of these events belong to (now, and for opinions also their meetings' months)."""
    codes = defaultdict(set)
    for subject_type, subject_id in events:
        codes[subject_type].add(subject_id)
    cells: Cells = defaultdict(set)

    def chunks(values):
        values = list(values)
        for i in range(0, len(values), 500):
            yield values[i : i + 500]

    for chunk in chunks(codes.get("opinion", ())):
        for created_at, region_id in Opinion.objects.filter(code__in=chunk).values_list(
            "created_at", "station__region_id"
        ):
            cells[month_of(created_at)].add(region_id)
        for year, month, region_id in AgendaItem.objects.filter(opinion__code__in=chunk).values_list(
            "meeting__year", "meeting__month", "meeting__station__region_id"
        ):
            cells[dt.date(year, month, 1)].add(region_id)
    for chunk in chunks(codes.get("suggestion", ())):
        for submitted_at, region_id in Suggestion.objects.filter(
            code__in=chunk, submitted_at__isnull=False
        ).values_list("submitted_at", "region_id"):
            cells[month_of(submitted_at)].add(region_id)
    for chunk in chunks(codes.get("meeting", ())):
        for year, month, region_id in Meeting.objects.filter(code__in=chunk).values_list(
            "year", "month", "station__region_id"
        ):
            cells[dt.date(year, month, 1)].add(region_id)
    return dict(cells)


def refresh() -> RefreshResult:
    """Recompute the cells touched by events since the watermark (a full build the first time)."""
    with transaction.atomic():
        state = _state()
        if state.built_at is None:
            return rebuild()
        q = Q(id__gt=state.last_event_id)
        if state.last_run_at:
            q |= Q(at__gte=state.last_run_at - LATE_COMMIT_WINDOW)
        events = list(Event.objects.filter(q).values_list("id", "subject_type", "subject_id"))
        result = RefreshResult(events=len(events))
        if events:
            cells = dirty_cells((t, s) for _, t, s in events)
            rows = build(cells) if cells else {}
            _store(cells, rows)
            result.cells = sum(len(r) for r in cells.values())
            result.rows = len(rows)
            state.last_event_id = max(state.last_event_id, max(e[0] for e in events))
        state.last_run_at = timezone.now()
        state.save()
    return result


def _snapshot(row) -> dict:
    values = {c: getattr(row, c) for c in COLUMNS}
    values["days_hist"] = {str(k): v for k, v in (row.days_hist or {}).items() if v}
    return values


def recount(*, fix: bool = True, fresh: dict[tuple, MonthlyRollup] | None = None) -> list[str]:
    """Rebuild every rollup from the source tables (or take `fresh`, a `build(None)` made in the caller's
    transaction); return the differences from what was stored."""
    with transaction.atomic():
        fresh = build(None) if fresh is None else fresh
        stored = {r.key(): r for r in MonthlyRollup.objects.all()}
        diffs = []
        for key in sorted(set(fresh) | set(stored), key=lambda k: tuple(str(x) for x in k)):
            a = _snapshot(stored[key]) if key in stored else None
            b = _snapshot(fresh[key]) if key in fresh else None
            if a == b:
                continue
            label = f"{key[0]:%Y-%m} 地区#{key[1]} 站#{key[2]} 分类#{key[3]} 层级{key[4] or '-'} 机关#{key[5]}"
            if a is None:
                diffs.append(f"{label}：缺少汇总行")
            elif b is None:
                diffs.append(f"{label}：多余汇总行")
            else:
                changed = ", ".join(f"{k} {a[k]}→{b[k]}" for k in b if a[k] != b[k])
                diffs.append(f"{label}：{changed}")
        fresh_totals = {k: _snapshot(t) for k, t in totals(fresh).items()}
        stored_totals = {(t.month, t.region_id, t.station_id): _snapshot(t) for t in StationMonthTotal.objects.all()}
        if fresh_totals != stored_totals:
            bad = {k for k in set(fresh_totals) | set(stored_totals) if fresh_totals.get(k) != stored_totals.get(k)}
            diffs.append(f"月度联络站合计：{len(bad)} 行与源数据不一致")
        if fix:
            state = _state()
            _store(None, fresh)
            if state.built_at is None:
                state.built_at = timezone.now()
                state.last_event_id = Event.objects.aggregate(m=Max("id"))["m"] or 0
                state.last_run_at = timezone.now()
                state.save()
    return diffs


# Dashboards refresh inline when the periodic job has not run for this long (demo, or no worker running).
MAX_STALENESS = dt.timedelta(minutes=2)


def ensure_fresh() -> None:
    state = RollupState.objects.order_by("pk").values("last_run_at", "built_at").first()
    if state is None or state["built_at"] is None or state["last_run_at"] < timezone.now() - MAX_STALENESS:
        refresh()
