"""Metric selectors: the definitions (PRODUCT.md "Metrics", written for users), the items each figure counts, and the
figures themselves — from rollups (dashboards, bulletins) or straight from the source tables (deputy scope,
benchmark comparison).

Cohorts. Every item belongs to one month, which never changes once set:
- an opinion (社情民意) to the month it was registered (`created_at`);
- a suggestion (代表建议) to the month it was submitted (`submitted_at`); drafts are not counted;
- a meeting decision to the month of its meeting.
A period's 办结率 is therefore "of the suggestions raised in the period, closed ÷ accepted" — the cohort
reading of the definition, so a figure never changes because of the day it is looked at, only because items
of the cohort progressed.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from liaison.meetings.models import AgendaItem
from liaison.opinions.models import Opinion
from liaison.suggestions.lifecycles.suggestion import ACCEPTED_STATES
from liaison.suggestions.models import Answer, Consultation, Evaluation, Suggestion

from .items import decisions_in, opinions_in, overdue_assignments, overdue_suggestions, suggestions_in  # noqa: F401
from .models import COLUMNS, MonthlyRollup, StationMonthTotal
from .periods import Filters, Period, month_start, parse_month, parse_period, shift_month  # noqa: F401

OS = Opinion.State
CONCLUDED = (
    OS.ANSWERED_ON_SPOT,
    OS.NOT_ACCEPTED,
    OS.DUPLICATE,
    OS.NOT_FEASIBLE,
    OS.OUTCOME_RECORDED,
    OS.REPORTED_BACK,
    OS.CLOSED,
)
REPORTED_BACK = (OS.REPORTED_BACK, OS.CLOSED)
# 办结 is the closed state only: 跟踪办理 (follow_up) is a closed item reopened because an answer commitment was
# missed (PRODUCT.md: "milestones that reopen the item when missed"), closed again when staff close it.
CLOSED_SUGGESTION = (Suggestion.State.CLOSED,)
CHANNEL_COLUMNS = {f"op_{c}": c for c in Opinion.Channel.values}
DECISION_KINDS = {f"dec_{d}": d for d in AgendaItem.Decision.values}


def annotate_suggestions(qs: QuerySet[Suggestion]) -> QuerySet[Suggestion]:
    """Per-suggestion flags shared by the rollup builder and the drill-down lists (one truth)."""
    answers = Answer.objects.filter(suggestion=OuterRef("pk"))
    evaluations = Evaluation.objects.filter(suggestion=OuterRef("pk"))
    qs = qs.annotate(
        f_answered=Exists(answers),
        f_late=Exists(answers.filter(on_time=False)),
        f_evaluated=Exists(evaluations),
        f_first_eval=Exists(evaluations.filter(round=1)),
        f_first_not_sat=Exists(evaluations.filter(round=1).exclude(result=Evaluation.Rating.SATISFIED)),
        last_round=Subquery(evaluations.order_by("-round").values("round")[:1]),
        last_class=Subquery(answers.order_by("-round", "-created_at", "-id").values("answer_class")[:1]),
        first_answer_at=Subquery(answers.order_by("created_at", "id").values("created_at")[:1]),
        f_consulted=Exists(Consultation.objects.filter(assignment__suggestion=OuterRef("pk"))),
    )
    return qs.annotate(
        f_last_unsat=Exists(
            Evaluation.objects.filter(
                suggestion=OuterRef("pk"), round=OuterRef("last_round"), result=Evaluation.Rating.UNSATISFIED
            )
        )
    )


SUGGESTION_Q = {
    "sg_raised": Q(),
    "sg_accepted": Q(state__in=ACCEPTED_STATES),
    "sg_answered": Q(f_answered=True),
    "sg_closed": Q(state__in=CLOSED_SUGGESTION),
    "sg_on_time": Q(f_answered=True, f_late=False),
    "sg_evaluated": Q(f_evaluated=True),
    "sg_satisfied": Q(f_evaluated=True, f_last_unsat=False),
    "sg_first_satisfied": Q(f_first_eval=True, f_first_not_sat=False),
    "sg_class_a": Q(f_answered=True, last_class="A"),
    "sg_consulted": Q(f_answered=True, f_consulted=True),
    "sg_days_n": Q(f_answered=True) & (Q(assigned_on__isnull=False) | Q(accepted_at__isnull=False)),
}
OPINION_Q = {
    "op_received": Q(),
    **{col: Q(channel=c) for col, c in CHANNEL_COLUMNS.items()},
    "op_concluded": Q(state__in=CONCLUDED),
    "op_reported_back": Q(state__in=REPORTED_BACK),
}


def answer_days(first_answer_at, assigned_on, accepted_at) -> int | None:
    """Calendar days from first assignment (交办; else acceptance) to the first answer."""
    if first_answer_at is None:
        return None
    start = assigned_on or (timezone.localdate(accepted_at) if accepted_at else None)
    if start is None:
        return None
    return max(0, (timezone.localdate(first_answer_at) - start).days)


# --- metric registry -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    definition: str
    subject: str  # opinion | suggestion | decision | assignment
    num: str  # column (count, numerator)
    den: str = ""  # column (denominator) for rates
    kind: str = "count"  # count | rate | avg | p90 | live
    num_label: str = ""
    den_label: str = ""

    @property
    def is_rate(self) -> bool:
        return self.kind == "rate"


# What each rate means, for the people reading the figures (PRODUCT.md "Metrics" in their words; the pages show
# them in the page's language through the locale, the bulletins' files in Chinese).
DEF_CLOSED = "办结率：统计期内提交并已立案的代表建议中，已办结的比例（已办结件数 ÷ 立案件数）"
DEF_ON_TIME = "按期答复率：已答复的代表建议中，在办理期限内答复的比例（按期答复件数 ÷ 已答复件数）"
DEF_SATISFIED = "满意率：已测评的代表建议中，代表测评为满意或基本满意的比例（满意和基本满意件数 ÷ 已测评件数）"
DEF_FIRST = "初次满意率：已测评的代表建议中，对首次答复即测评为满意的比例（首次答复即满意件数 ÷ 已测评件数）"
DEF_SOLVED = "解决率：已答复的代表建议中，答复为 A 类（已解决或基本解决）的比例（A 类件数 ÷ 已答复件数）"
DEF_CONSULT = "面商率：已答复的代表建议中，承办单位与代表有面商记录的比例（有面商记录件数 ÷ 已答复件数）"
DEF_FEEDBACK = "反馈率：已有处理结果的社情民意中，已向群众回访反馈的比例（已回访件数 ÷ 已有处理结果件数）"
COHORT_NOTE = (
    "统计口径：社情民意按登记月份、代表建议按提交月份归入统计期；“已有处理结果”含当场答复、不予受理、重复合并、"
    "暂不可行、已办结待回访、已回访、已关闭；“办结”不含因答复承诺逾期转入跟踪办理的建议；"
    "“按期答复”指各轮答复均在办理期限内；“满意”指最近一轮测评无“不满意”；"
    "“首次答复即满意”指第一轮测评全部为“满意”；解决率按最近一次答复的类别计；答复天数自首次交办（无交办日期的自立案）"
    "至首次答复，按自然日计。"
)

METRICS: dict[str, Metric] = {}


def _add(metric: Metric):
    METRICS[metric.key] = metric


_add(Metric("opinions", "收集社情民意", "统计期内登记的社情民意件数（各渠道合计）", "opinion", "op_received"))
for _col, _channel in CHANNEL_COLUMNS.items():
    _add(
        Metric(
            _col,
            f"社情民意·{Opinion.Channel(_channel).label}",
            f"统计期内经“{Opinion.Channel(_channel).label}”渠道登记的社情民意件数",
            "opinion",
            _col,
        )
    )
for _col, _decision in DECISION_KINDS.items():
    _add(
        Metric(
            _col,
            f"会商决定·{AgendaItem.Decision(_decision).label}",
            f"统计期内月度会商作出“{AgendaItem.Decision(_decision).label}”决定的议题数（按会商月份）",
            "decision",
            _col,
        )
    )
_add(Metric("raised", "提出建议", "统计期内提交的代表建议件数（不含草稿）", "suggestion", "sg_raised"))
_add(Metric("accepted", "立案建议", "统计期内提交、已立案的代表建议件数", "suggestion", "sg_accepted"))
_add(Metric("answered", "已答复建议", "统计期内提交、承办单位已答复的代表建议件数", "suggestion", "sg_answered"))
_add(Metric("closed", "已办结建议", "统计期内提交、已办结的代表建议件数", "suggestion", "sg_closed"))
_add(Metric("closed_rate", "办结率", DEF_CLOSED, "suggestion", "sg_closed", "sg_accepted", "rate", "办结", "立案"))
_add(
    Metric(
        "on_time_rate",
        "按期答复率",
        DEF_ON_TIME,
        "suggestion",
        "sg_on_time",
        "sg_answered",
        "rate",
        "按期答复",
        "已答复",
    )
)
_add(
    Metric(
        "satisfaction",
        "满意率",
        DEF_SATISFIED,
        "suggestion",
        "sg_satisfied",
        "sg_evaluated",
        "rate",
        "满意/基本满意",
        "已测评",
    )
)
_add(
    Metric(
        "first_satisfaction",
        "初次满意率",
        DEF_FIRST,
        "suggestion",
        "sg_first_satisfied",
        "sg_evaluated",
        "rate",
        "首次即满意",
        "已测评",
    )
)
_add(Metric("solved_rate", "解决率", DEF_SOLVED, "suggestion", "sg_class_a", "sg_answered", "rate", "A类", "已答复"))
_add(
    Metric(
        "consult_rate", "面商率", DEF_CONSULT, "suggestion", "sg_consulted", "sg_answered", "rate", "有面商", "已答复"
    )
)
_add(
    Metric(
        "feedback_rate",
        "反馈率",
        DEF_FEEDBACK,
        "opinion",
        "op_reported_back",
        "op_concluded",
        "rate",
        "已回访",
        "已有结果",
    )
)
_add(
    Metric(
        "avg_days",
        "平均答复天数",
        "已答复建议自交办至首次答复的平均天数（自然日）",
        "suggestion",
        "sg_days_n",
        kind="avg",
    )
)
_add(
    Metric(
        "p90_days",
        "90%答复天数",
        "90% 的已答复建议在此天数内作出首次答复（第90百分位，自然日）",
        "suggestion",
        "sg_days_n",
        kind="p90",
    )
)
_add(
    Metric(
        "overdue",
        "当前超期",
        "此刻仍在办理且已超过办理期限的代表建议件数（实时，不按统计期）",
        "assignment",
        "overdue",
        kind="live",
    )
)

HEADLINE = ["closed_rate", "on_time_rate", "satisfaction", "first_satisfaction", "solved_rate", "consult_rate"]
HEADLINE += ["feedback_rate"]
RATE_KEYS = [k for k, m in METRICS.items() if m.is_rate]


# --- source querysets (the drill-down) -----------------------------------------------------------------------


def items(metric: Metric, filters: Filters, part: str = "") -> QuerySet:
    """Exactly the items a figure counts. Rates: the denominator (part="den", default) or numerator ("num")."""
    column = metric.den if metric.is_rate and part != "num" else metric.num
    if metric.subject == "opinion":
        return opinions_in(filters).filter(OPINION_Q[column])
    if metric.subject == "decision":
        return decisions_in(filters).filter(decision=DECISION_KINDS[column])
    if metric.subject == "assignment":
        return overdue_suggestions(filters)
    return annotate_suggestions(suggestions_in(filters)).filter(SUGGESTION_Q[column])


@dataclass
class Figures:
    sums: dict
    hist: Counter
    overdue: int | None = None

    def value(self, key: str):
        m = METRICS[key]
        if m.kind == "rate":
            den = self.sums.get(m.den) or 0
            return None if den == 0 else (self.sums.get(m.num) or 0) / den
        if m.kind == "avg":
            n = self.sums.get("sg_days_n") or 0
            return None if n == 0 else (self.sums.get("sg_days_sum") or 0) / n
        if m.kind == "p90":
            return percentile(self.hist, 0.9)
        if m.kind == "live":
            return self.overdue
        return self.sums.get(m.num) or 0

    def parts(self, key: str) -> tuple[int, int]:
        m = METRICS[key]
        return self.sums.get(m.num) or 0, self.sums.get(m.den) or 0

    def as_dict(self) -> dict:
        return {key: self.value(key) for key in METRICS}


def percentile(hist: Counter, q: float) -> int | None:
    """Nearest-rank percentile of a {days: count} histogram."""
    total = sum(hist.values())
    if total == 0:
        return None
    rank = max(1, -(-int(q * total * 1000) // 1000))  # ceil(q × n) without float surprises
    seen = 0
    for days in sorted(hist):
        seen += hist[days]
        if seen >= rank:
            return days
    return None  # not reached: rank <= total


def rollup_rows(filters: Filters, *, fine: bool = False) -> QuerySet[MonthlyRollup]:
    """Rollup rows of the scope and period: the station-month totals unless a category, level or body filter
    (or `fine`, e.g. grouping by category) needs the detailed rows."""
    if filters.deputy is not None:
        raise ValueError("deputy figures come from the source tables (figures_from_source)")
    fine = fine or bool(filters.category_id or filters.level or filters.body_id)
    model = MonthlyRollup if fine else StationMonthTotal
    qs = model.objects.filter(month__gte=filters.period.start, month__lt=filters.period.end)
    if filters.station is not None:
        qs = qs.filter(station=filters.station)
    elif filters.region is not None:
        qs = qs.filter(region_path__startswith=filters.region.path)
    if filters.category_id:
        qs = qs.filter(category_id=filters.category_id)
    if filters.level or filters.body_id:
        # Level and body are suggestion dimensions; opinion rows (body NULL) stay in.
        sq = Q()
        if filters.level:
            sq &= Q(level=filters.level)
        if filters.body_id:
            sq &= Q(body_id=filters.body_id)
        qs = qs.filter(Q(body__isnull=True) | sq)
    return qs


SUM_COLUMNS = {c: Sum(c) for c in COLUMNS}


def figures(filters: Filters, *, with_overdue: bool = True, with_hist: bool = True) -> Figures:
    """Every figure of a scope and period, from rollups (what dashboards and bulletins show)."""
    rows = rollup_rows(filters)
    sums = {k: v or 0 for k, v in rows.aggregate(**SUM_COLUMNS).items()}
    hist = Counter()
    if with_hist:
        for h in rows.filter(sg_days_n__gt=0).values_list("days_hist", flat=True):
            for days, n in h.items():
                hist[int(days)] += n
    overdue = overdue_suggestions(filters).count() if with_overdue else None
    return Figures(sums, hist, overdue)


def grouped(filters: Filters, by: str, columns=None) -> dict:
    """{group value: {column: sum}} from rollups, e.g. by="month", "township_id", "station_id", "category_id"."""
    columns = columns or COLUMNS
    out = {}
    fine = by in ("category_id", "level", "body_id")
    for row in rollup_rows(filters, fine=fine).values(by).annotate(**{c: Sum(c) for c in columns}).order_by(by):
        out[row.pop(by)] = {k: v or 0 for k, v in row.items()}
    return out


def rate(sums: dict, key: str):
    m = METRICS[key]
    den = sums.get(m.den) or 0
    return None if den == 0 else (sums.get(m.num) or 0) / den


def figures_from_source(filters: Filters, *, with_overdue: bool = True) -> Figures:
    """The same figures computed from the source tables (deputy scope, arbitrary filters, benchmark check)."""
    sums = dict.fromkeys(COLUMNS, 0)
    ops = opinions_in(filters)
    agg = ops.aggregate(**{col: _count(q) for col, q in OPINION_Q.items()})
    sums.update({k: v or 0 for k, v in agg.items()})
    for row in decisions_in(filters).values("decision").annotate(n=_count(Q())):
        sums[f"dec_{row['decision']}"] = row["n"]
    hist = Counter()
    for row in suggestion_rows(suggestions_in(filters)):
        for col in row["cols"]:
            sums[col] += 1
        if row["days"] is not None:
            sums["sg_days_sum"] += row["days"]
            hist[row["days"]] += 1
    overdue = overdue_suggestions(filters).count() if with_overdue else None
    return Figures(sums, hist, overdue)


def _count(q: Q):
    from django.db.models import Count

    return Count("pk", filter=q) if q else Count("pk")


SUGGESTION_ROW_FIELDS = [
    "pk",
    "submitted_at",
    "region_id",
    "station_id",
    "category_id",
    "level",
    "body_id",
    "state",
    "assigned_on",
    "accepted_at",
    "f_answered",
    "f_late",
    "f_evaluated",
    "f_last_unsat",
    "f_first_eval",
    "f_first_not_sat",
    "last_class",
    "f_consulted",
    "first_answer_at",
]


def suggestion_rows(qs: QuerySet[Suggestion]):
    """Each suggestion with the columns it counts in and its days to answer (streamed)."""
    for r in annotate_suggestions(qs).values(*SUGGESTION_ROW_FIELDS).iterator(chunk_size=5000):
        cols = ["sg_raised"]
        if r["state"] in ACCEPTED_STATES:
            cols.append("sg_accepted")
        if r["state"] in CLOSED_SUGGESTION:
            cols.append("sg_closed")
        days = None
        if r["f_answered"]:
            cols.append("sg_answered")
            if not r["f_late"]:
                cols.append("sg_on_time")
            if r["last_class"] == "A":
                cols.append("sg_class_a")
            if r["f_consulted"]:
                cols.append("sg_consulted")
            days = answer_days(r["first_answer_at"], r["assigned_on"], r["accepted_at"])
            if days is not None:
                cols.append("sg_days_n")
        if r["f_evaluated"]:
            cols.append("sg_evaluated")
            if not r["f_last_unsat"]:
                cols.append("sg_satisfied")
        if r["f_first_eval"] and not r["f_first_not_sat"]:
            cols.append("sg_first_satisfied")
        r["cols"], r["days"] = cols, days
        yield r


def month_of(value: dt.datetime) -> dt.date:
    return month_start(timezone.localdate(value))


def fmt(metric_key: str, value) -> str:
    m = METRICS[metric_key]
    if value is None:
        return "—"
    if m.kind == "rate":
        return f"{value * 100:.1f}%"
    if m.kind == "avg":
        return f"{value:.1f} 天"
    if m.kind == "p90":
        return f"{value} 天"
    return f"{value:,}"
