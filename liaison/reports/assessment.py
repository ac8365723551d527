"""履职档案 (deputy performance record), station assessment (star levels) and the annual shortlist."""

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Q
from django.db.models.functions import ExtractQuarter

from liaison.meetings.models import Attendance, Meeting
from liaison.opinions.models import Mediation, Opinion, Visit
from liaison.org.models import Deputy, Region, Station
from liaison.suggestions.models import CoSigner, Suggestion

from . import metrics as m
from .models import ScoringWeights

ACTIVITY_ITEMS = [
    ("visits", "走访次数", "visit"),
    ("opinions", "收集社情民意", "opinion"),
    ("led", "领衔建议", "suggestion_led"),
    ("cosigned", "附议建议", "suggestion_cosigned"),
    ("meetings", "出席会商", "meeting"),
    ("reception_days", "坐堂接待日", "reception_day"),
    ("mediations", "矛盾纠纷化解", "mediation"),
    ("resolved", "所提建议办结", "resolved"),
    ("satisfied", "所提建议测评满意", "satisfied"),
]


QUARTERS = (1, 2, 3, 4)


def _year_bounds(year: int):
    return m.Period.year(year).bounds()


def _zero() -> dict:
    return dict.fromkeys([k for k, _, _ in ACTIVITY_ITEMS], 0)


def deputy_quarter_counts(deputy_ids, year: int) -> dict[int, dict[int, dict]]:
    """Counts of ACTIVITY_ITEMS per deputy and quarter of a year: {deputy pk: {1..4: counts}} (grouped queries,
    one per item). Each item falls in the quarter of its own date: a visit's, mediation's or reception day's date,
    an opinion's registration (local time), a suggestion's submission (led, co-signed, resolved, satisfied), a
    meeting's month."""
    start, end = _year_bounds(year)
    d0, d1 = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    ids = list(deputy_ids)
    out = {pk: {q: _zero() for q in QUARTERS} for pk in ids}

    def put(key, qs, deputy_field, date_field):
        rows = qs.annotate(q=ExtractQuarter(date_field)).values_list(deputy_field, "q").annotate(n=Count("pk"))
        for pk, q, n in rows:
            out[pk][q][key] += n

    visits = Visit.objects.filter(deputy_id__in=ids, date__gte=d0, date__lt=d1)
    put("visits", visits.exclude(kind=Visit.Kind.RECEPTION), "deputy_id", "date")
    receptions = (
        visits.filter(kind=Visit.Kind.RECEPTION)
        .annotate(q=ExtractQuarter("date"))
        .values_list("deputy_id", "q")
        .annotate(n=Count("date", distinct=True))
    )
    for pk, q, n in receptions:  # days, not visits: a date lies in one quarter, so the quarters add up to the year
        out[pk][q]["reception_days"] += n
    put(
        "opinions",
        Opinion.objects.filter(deputy_id__in=ids, created_at__gte=start, created_at__lt=end),
        "deputy_id",
        "created_at",
    )
    led = Suggestion.objects.filter(lead_deputy_id__in=ids, submitted_at__gte=start, submitted_at__lt=end)
    put("led", led, "lead_deputy_id", "submitted_at")
    put("resolved", led.filter(state__in=m.CLOSED_SUGGESTION), "lead_deputy_id", "submitted_at")
    satisfied = m.annotate_suggestions(led).filter(m.SUGGESTION_Q["sg_satisfied"])
    put("satisfied", satisfied, "lead_deputy_id", "submitted_at")
    cosigned = CoSigner.objects.filter(
        deputy_id__in=ids,
        state=CoSigner.State.CONFIRMED,
        suggestion__submitted_at__gte=start,
        suggestion__submitted_at__lt=end,
    )
    put("cosigned", cosigned, "deputy_id", "suggestion__submitted_at")
    attended = (
        Attendance.objects.filter(deputy_id__in=ids, present=True, meeting__year=year)
        .values_list("deputy_id", "meeting__month")
        .annotate(n=Count("pk"))
    )
    for pk, month, n in attended:
        out[pk][(month + 2) // 3]["meetings"] += n
    put("mediations", Mediation.objects.filter(deputy_id__in=ids, date__gte=d0, date__lt=d1), "deputy_id", "date")
    return out


def deputy_counts(deputy_ids, year: int) -> dict[int, dict]:
    """Counts of ACTIVITY_ITEMS per deputy for a year: the sum of its quarters."""
    out = {}
    for pk, quarters in deputy_quarter_counts(deputy_ids, year).items():
        total = _zero()
        for counts in quarters.values():
            for key, n in counts.items():
                total[key] += n
        out[pk] = total
    return out


def points(counts: dict, weights: ScoringWeights) -> Decimal:
    return sum((Decimal(counts[key]) * getattr(weights, w) for key, _, w in ACTIVITY_ITEMS), Decimal(0))


def quarter_period(year: int, q: int) -> m.Period:
    start = dt.date(year, 3 * q - 2, 1)
    return m.Period(start, m.shift_month(start, 3), f"{year}年第{q}季度")


def deputy_record(deputy: Deputy, year: int) -> dict:
    """The year's counts, weights and points (履职积分), the same by quarter, and the suggestions' rates."""
    weights = ScoringWeights.current()
    by_quarter = deputy_quarter_counts([deputy.pk], year)[deputy.pk]
    counts = deputy_counts([deputy.pk], year)[deputy.pk]
    filters = m.Filters(m.Period.year(year), deputy=deputy)
    figs = m.figures_from_source(filters)
    rows = [
        {
            "key": key,
            "label": label,
            "count": counts[key],
            "weight": getattr(weights, w),
            "points": Decimal(counts[key]) * getattr(weights, w),
            "quarters": [by_quarter[q][key] for q in QUARTERS],
        }
        for key, label, w in ACTIVITY_ITEMS
    ]
    quarters = [
        {
            "q": q,
            "counts": by_quarter[q],
            "points": points(by_quarter[q], weights),
            "filters": filters.with_period(quarter_period(year, q)),
        }
        for q in QUARTERS
    ]
    return {
        "counts": counts,
        "rows": rows,
        "points": points(counts, weights),
        "quarters": quarters,
        "figs": figs,
        "filters": filters,
        "rates": [
            (k, m.METRICS[k].label, m.fmt(k, figs.value(k)), m.METRICS[k].definition)
            for k in (
                "closed_rate",
                "satisfaction",
                "first_satisfaction",
                "solved_rate",
                "on_time_rate",
                "feedback_rate",
            )
        ],
    }


def station_assessment(region: Region, year: int, weights: ScoringWeights | None = None) -> list[dict]:
    """Per station of the region: activity, 反馈率, 按期答复率, 满意率 → score (0–100) → stars."""
    weights = weights or ScoringWeights.current()
    filters = m.Filters(m.Period.year(year), region=region)
    groups = m.grouped(filters, "station_id")
    stations = list(
        Station.objects.filter(region__path__startswith=region.path, is_active=True)
        .select_related("region", "region__parent")
        .order_by("code")
    )
    ids = [s.pk for s in stations]
    d0, d1 = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    visits = dict(
        Visit.objects.filter(station_id__in=ids, date__gte=d0, date__lt=d1)
        .values_list("station_id")
        .annotate(n=Count("pk"))
    )
    meetings = dict(
        Meeting.objects.filter(station_id__in=ids, year=year).values_list("station_id").annotate(n=Count("pk"))
    )
    rows = []
    for s in stations:
        sums = groups.get(s.pk, {})
        activity = sums.get("op_received", 0) + sums.get("sg_raised", 0) + visits.get(s.pk, 0) + meetings.get(s.pk, 0)
        rows.append(
            {
                "station": s,
                "township": s.region.parent.name if s.region.parent_id else "",
                "activity": activity,
                "opinions": sums.get("op_received", 0),
                "raised": sums.get("sg_raised", 0),
                "visits": visits.get(s.pk, 0),
                "meetings": meetings.get(s.pk, 0),
                "loop": m.rate(sums, "feedback_rate") if sums else None,
                "timeliness": m.rate(sums, "on_time_rate") if sums else None,
                "satisfaction": m.rate(sums, "satisfaction") if sums else None,
            }
        )
    top = max([r["activity"] for r in rows] or [0])
    total_weight = float(
        weights.station_activity + weights.station_loop + weights.station_timeliness + weights.station_satisfaction
    )
    for r in rows:
        parts = [
            (float(weights.station_activity), 100.0 * r["activity"] / top if top else 0.0),
            (float(weights.station_loop), 100.0 * (r["loop"] or 0)),
            (float(weights.station_timeliness), 100.0 * (r["timeliness"] or 0)),
            (float(weights.station_satisfaction), 100.0 * (r["satisfaction"] or 0)),
        ]
        r["score"] = round(sum(w * v for w, v in parts) / total_weight, 1) if total_weight else 0.0
        r["stars"] = weights.stars(r["score"])
        r["star_text"] = "★" * r["stars"] + "☆" * (5 - r["stars"])
        for key in ("loop", "timeliness", "satisfaction"):
            r[f"{key}_text"] = "—" if r[key] is None else f"{r[key] * 100:.1f}%"
    rows.sort(key=lambda r: (-r["score"], r["station"].code))
    return rows


def deputies_in(region: Region):
    stationed = Station.objects.filter(region__path__startswith=region.path).values("deputies")
    return Deputy.objects.filter(
        Q(home_region__path__startswith=region.path) | Q(pk__in=stationed), is_active=True
    ).distinct()


def shortlist(region: Region, year: int) -> dict:
    """Outstanding deputies (by points) and stations (by score) for commendation.

    Rule: stations whose satisfaction is below the configured threshold, or that have no evaluated
    suggestions (satisfaction unknown), are excluded."""
    weights = ScoringWeights.current()
    deputies = list(deputies_in(region).select_related("home_region").order_by("code"))
    counts = deputy_counts([d.pk for d in deputies], year)
    ranked = sorted(
        ({"deputy": d, "counts": counts[d.pk], "points": points(counts[d.pk], weights)} for d in deputies),
        key=lambda r: (-r["points"], r["deputy"].code),
    )
    threshold = float(weights.shortlist_min_satisfaction) / 100
    stations = station_assessment(region, year, weights)
    eligible, excluded = [], []
    for r in stations:
        if r["satisfaction"] is None or r["satisfaction"] < threshold:
            r["excluded_reason"] = (
                "无测评数据"
                if r["satisfaction"] is None
                else f"满意率 {r['satisfaction_text']} 低于 {weights.shortlist_min_satisfaction}%"
            )
            excluded.append(r)
        else:
            eligible.append(r)
    n = weights.shortlist_size
    return {
        "deputies": [r for r in ranked if r["points"] > 0][:n],
        "stations": eligible[:n],
        "excluded": excluded,
        "weights": weights,
        "threshold": weights.shortlist_min_satisfaction,
    }
