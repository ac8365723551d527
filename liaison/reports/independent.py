"""An independent recount of the dashboard figures: plain SQL written from PRODUCT.md, "Metrics".

Why: `rollups.recount()` and `metrics.figures_from_source()` rebuild the figures with the same per-item
classification code (`metrics.suggestion_rows`, `CONCLUDED`, `CLOSED_SUGGESTION` …) the rollups use, so a wrong
rule passes them. This module shares none of it: it imports no helper of metrics.py or rollups.py, reads the source
tables through `connection.cursor()` only, and spells every rule out again below, next to the PRODUCT.md sentence
it implements. The SQL is one text for SQLite and PostgreSQL (CASE, EXISTS, substr, no vendor functions); month
bounds are computed in Python and passed as parameters.

Cohorts (metrics.py, "Cohorts"; PRODUCT.md: "every figure drills down to its items"): an opinion counts in the
local month it was registered (`created_at`), a suggestion in the local month it was submitted (`submitted_at`;
drafts have none and are not counted), a meeting decision in its meeting's month. Places: the opinion's station's
village, the suggestion's region, the meeting's station's village — the rollup cell.

Covered (rollup column → PRODUCT.md definition):
- op_received, op_<channel>        opinions registered (社情民意, by channel: visit / reception / QR / phone / letter …)
- op_concluded, op_reported_back   反馈率 = opinions whose outcome was reported back ÷ opinions closed
- dec_<decision>                   decisions of the monthly meeting (会商共议)
- sg_raised, sg_accepted, sg_closed                 办结率 = closed ÷ accepted suggestions of the cohort
- sg_answered, sg_on_time                           按期答复率 = answered within limit ÷ answered
- sg_evaluated, sg_satisfied, sg_first_satisfied    满意率 = (满意 + 基本满意) ÷ evaluated; 初次满意率 = 满意 on the first answer ÷ evaluated
- sg_class_a                                        解决率 = class A ÷ answered
- sg_consulted                                      面商率 = items with a recorded consultation ÷ answered
- sg_days_sum, sg_days_n, days_hist                 days from assignment (交办) to the first answer (dashboard
                                                    card; not a PRODUCT.md metric, definition from its label)
- overdue (live, no rollup column)                  open assignments past their deadline, counted by suggestion

The handling units' year-end scoring (承办单位考核) has its own independent recount: independent_units.py.
"""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.utils import timezone

from liaison.meetings.models import AgendaItem, Meeting
from liaison.opinions.models import Opinion
from liaison.org.models import Region, Station
from liaison.suggestions.models import Answer, Assignment, Consultation, Evaluation, Suggestion

# --- the rules, from PRODUCT.md ------------------------------------------------------------------------------

# "Suggestion lifecycle": 立案 (accepted) is the review decision that lets a suggestion go on to assignment
# (交办), return (退回) and reassignment, handling, answer, evaluation, re-handling, follow-up and closing. Every
# state after it therefore counts as accepted; draft, co-signing, submitted/under review, merged (并案),
# rejected (不予立案) and withdrawn do not.
SG_ACCEPTED = (
    "accepted",
    "assigned",
    "returned",
    "handling",
    "answered",
    "evaluated",
    "rehandling",
    "follow_up",
    "closed",
)
# 办结 (closed): closed by staff. Not 跟踪办理 (follow_up): that is a closed item *reopened* because an answer
# commitment was missed ("answer commitments tracked as milestones that reopen the item when missed"); it counts
# as closed again once staff close it.
SG_CLOSED = ("closed",)
# "Opinion lifecycle": an opinion is closed in the sense of 反馈率 (已有处理结果) once its outcome is known —
# answered on the spot | not accepted | merged as duplicate | not feasible | solved in the village, referred or
# merged into a suggestion (all three end in "outcome recorded") — and in every later state: reported back
# (回访), closed. Registered, on the agenda, in village handling, referred, waiting for or in a suggestion: not yet.
OP_OUTCOME = (
    "answered_on_spot",
    "not_accepted",
    "duplicate",
    "not_feasible",
    "outcome_recorded",
    "reported_back",
    "closed",
)
# "... → outcome reported back to the resident (回访, logged) → closed."
OP_REPORTED = ("reported_back", "closed")
# Assignments still with the unit (待签收, 办理中, 重新办理); a returned one is off the clock.
ASSIGNMENT_OPEN = ("assigned", "signed", "rehandling")

for _values, _model in ((SG_ACCEPTED, Suggestion), (OP_OUTCOME, Opinion), (ASSIGNMENT_OPEN, Assignment)):
    _known = set(_model.State.values)
    assert set(_values) <= _known, f"unknown {_model.__name__} state in {_values}"  # a renamed state fails loudly

CHANNELS = list(Opinion.Channel.values)
DECISIONS = list(AgendaItem.Decision.values)

LABELS = {
    "op_received": "收集社情民意",
    **{f"op_{c}": f"社情民意·{Opinion.Channel(c).label}" for c in CHANNELS},
    "op_concluded": "已有处理结果的社情民意（反馈率分母）",
    "op_reported_back": "已回访群众的社情民意（反馈率分子）",
    **{f"dec_{d}": f"会商决定·{AgendaItem.Decision(d).label}" for d in DECISIONS},
    "sg_raised": "提出建议",
    "sg_accepted": "立案建议（办结率分母）",
    "sg_closed": "已办结建议（办结率分子）",
    "sg_answered": "已答复建议（按期答复率、解决率、面商率分母）",
    "sg_on_time": "按期答复建议（按期答复率分子）",
    "sg_evaluated": "已测评建议（满意率、初次满意率分母）",
    "sg_satisfied": "满意和基本满意建议（满意率分子）",
    "sg_first_satisfied": "首次答复即满意建议（初次满意率分子）",
    "sg_class_a": "A类答复建议（解决率分子）",
    "sg_consulted": "有面商记录建议（面商率分子）",
    "sg_days_sum": "答复天数合计（平均答复天数）",
    "sg_days_n": "计入答复天数的建议（平均答复天数）",
}
COLUMNS = list(LABELS)
# Dashboard figure → (numerator, denominator) of PRODUCT.md's rates.
RATES = {
    "closed_rate": ("sg_closed", "sg_accepted"),
    "on_time_rate": ("sg_on_time", "sg_answered"),
    "satisfaction": ("sg_satisfied", "sg_evaluated"),
    "first_satisfaction": ("sg_first_satisfied", "sg_evaluated"),
    "solved_rate": ("sg_class_a", "sg_answered"),
    "consult_rate": ("sg_consulted", "sg_answered"),
    "feedback_rate": ("op_reported_back", "op_concluded"),
}
COUNTS = {
    "opinions": "op_received",
    **{f"op_{c}": f"op_{c}" for c in CHANNELS},
    **{f"dec_{d}": f"dec_{d}" for d in DECISIONS},
    "raised": "sg_raised",
    "accepted": "sg_accepted",
    "answered": "sg_answered",
    "closed": "sg_closed",
}

T = {
    "opinion": Opinion._meta.db_table,
    "station": Station._meta.db_table,
    "region": Region._meta.db_table,
    "meeting": Meeting._meta.db_table,
    "item": AgendaItem._meta.db_table,
    "suggestion": Suggestion._meta.db_table,
    "answer": Answer._meta.db_table,
    "evaluation": Evaluation._meta.db_table,
    "assignment": Assignment._meta.db_table,
    "consultation": Consultation._meta.db_table,
}


def _in(values) -> str:
    assert all(v.replace("_", "").isalnum() for v in values)  # constants above, never user input
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


# --- months and values ---------------------------------------------------------------------------------------


def _index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def _month(index: int) -> dt.date:
    return dt.date(index // 12, index % 12 + 1, 1)


def _bound(index: int):
    """Local midnight starting month `index`, as the database compares it (SQLite: UTC text)."""
    start = dt.datetime.combine(_month(index), dt.time.min, tzinfo=timezone.get_current_timezone())
    return connection.ops.adapt_datetimefield_value(start)


def _local_date(value) -> dt.date | None:
    """A DATE or a timestamp as the cursor returns it (PostgreSQL: aware; SQLite: naive UTC or text) → local date."""
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.date.fromisoformat(value) if len(value) == 10 else dt.datetime.fromisoformat(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(timezone.get_current_timezone()).date()
    return value


def _month_case(column: str, first: int, last: int) -> tuple[str, str, list]:
    """SQL `CASE` giving the month index of `column`, and the WHERE keeping [first, last] (both with params)."""
    whens = " ".join(f"WHEN {column} < %s THEN {i}" for i in range(first, last + 1))
    params = [_bound(i + 1) for i in range(first, last + 1)]
    return f"CASE {whens} END", f"{column} >= %s AND {column} < %s", params + [_bound(first), _bound(last + 1)]


def _scope(region_column: str, station_column: str, region_path: str | None, station_id: int | None):
    sql, params = "", []
    if region_path:
        sql += f" AND {region_column} IN (SELECT r.id FROM {T['region']} r WHERE substr(r.path, 1, %s) = %s)"
        params += [len(region_path), region_path]
    if station_id is not None:
        sql += f" AND {station_column} = %s"
        params.append(station_id)
    return sql, params


def _rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# --- the counts ----------------------------------------------------------------------------------------------


@dataclass
class Recount:
    """Counts per rollup cell key (month, village, station, category, level, body) and days-to-answer histograms."""

    cells: dict = field(default_factory=lambda: defaultdict(Counter))
    days: dict = field(default_factory=lambda: defaultdict(Counter))


def _opinions(out: Recount, first: int, last: int, scope) -> None:
    month, where, params = _month_case("o.created_at", first, last)
    scope_sql, scope_params = _scope("st.region_id", "o.station_id", *scope)
    sql = f"""
        SELECT {month} AS idx, st.region_id, o.station_id, o.category_id, o.channel, COUNT(*),
               SUM(CASE WHEN o.state IN {_in(OP_OUTCOME)} THEN 1 ELSE 0 END),
               SUM(CASE WHEN o.state IN {_in(OP_REPORTED)} THEN 1 ELSE 0 END)
        FROM {T["opinion"]} o JOIN {T["station"]} st ON st.id = o.station_id
        WHERE {where}{scope_sql}
        GROUP BY 1, st.region_id, o.station_id, o.category_id, o.channel"""
    for idx, region, station, category, channel, n, outcome, reported in _rows(sql, params + scope_params):
        c = out.cells[(_month(idx), region, station, category, "", None)]
        c["op_received"] += n
        c[f"op_{channel}"] += n
        c["op_concluded"] += outcome
        c["op_reported_back"] += reported


def _decisions(out: Recount, first: int, last: int, scope) -> None:
    scope_sql, scope_params = _scope("st.region_id", "me.station_id", *scope)
    sql = f"""
        SELECT me.year * 12 + me.month - 1, st.region_id, me.station_id, o.category_id, ai.decision, COUNT(*)
        FROM {T["item"]} ai
          JOIN {T["meeting"]} me ON me.id = ai.meeting_id
          JOIN {T["station"]} st ON st.id = me.station_id
          JOIN {T["opinion"]} o ON o.id = ai.opinion_id
        WHERE ai.decision <> '' AND me.year * 12 + me.month - 1 BETWEEN %s AND %s{scope_sql}
        GROUP BY me.year, me.month, st.region_id, me.station_id, o.category_id, ai.decision"""
    for idx, region, station, category, decision, n in _rows(sql, [first, last] + scope_params):
        out.cells[(_month(idx), region, station, category, "", None)][f"dec_{decision}"] += n


# Per-suggestion facts, each one EXISTS over the child rows of `s`.
ANSWERED = f"EXISTS (SELECT 1 FROM {T['answer']} a WHERE a.suggestion_id = s.id)"
# "answered within limit": every answer (each round has its own limit) carries the deadline check made when it
# was given (Answer.on_time); one late answer makes the item late.
LATE = f"EXISTS (SELECT 1 FROM {T['answer']} a WHERE a.suggestion_id = s.id AND NOT a.on_time)"
# 解决率: the class of the answer that stands — the latest (highest round, then latest given) — is A.
LAST_CLASS_A = f"""EXISTS (SELECT 1 FROM {T["answer"]} a WHERE a.suggestion_id = s.id AND a.answer_class = 'A'
    AND NOT EXISTS (SELECT 1 FROM {T["answer"]} b WHERE b.suggestion_id = s.id AND (b.round > a.round
        OR (b.round = a.round AND b.created_at > a.created_at)
        OR (b.round = a.round AND b.created_at = a.created_at AND b.id > a.id))))"""
EVALUATED = f"EXISTS (SELECT 1 FROM {T['evaluation']} e WHERE e.suggestion_id = s.id)"
# 满意率: the item's rating is that of its latest evaluated round, by every signing deputy; it is 满意 or 基本满意
# unless someone rated that round's result 不满意 (which is what forces re-handling).
LAST_UNSATISFIED = f"""EXISTS (SELECT 1 FROM {T["evaluation"]} e WHERE e.suggestion_id = s.id
    AND e.result = 'unsatisfied'
    AND NOT EXISTS (SELECT 1 FROM {T["evaluation"]} f WHERE f.suggestion_id = s.id AND f.round > e.round))"""
# 初次满意率: 满意 (not 基本满意) from every deputy who rated the first answer (round 1).
FIRST_ROUND = f"EXISTS (SELECT 1 FROM {T['evaluation']} e WHERE e.suggestion_id = s.id AND e.round = 1)"
FIRST_NOT_SATISFIED = f"""EXISTS (SELECT 1 FROM {T["evaluation"]} e WHERE e.suggestion_id = s.id AND e.round = 1
    AND e.result <> 'satisfied')"""
# 面商率: a consultation (面商: meeting, visit, phone) recorded on any of its assignments.
CONSULTED = f"""EXISTS (SELECT 1 FROM {T["consultation"]} c JOIN {T["assignment"]} g ON g.id = c.assignment_id
    WHERE g.suggestion_id = s.id)"""


def _flag(condition: str) -> str:
    return f"CASE WHEN {condition} THEN 1 ELSE 0 END"


def _suggestions(out: Recount, first: int, last: int, scope) -> None:
    month, where, params = _month_case("s.submitted_at", first, last)
    scope_sql, scope_params = _scope("s.region_id", "s.station_id", *scope)
    keys = "idx, region_id, station_id, category_id, level, body_id"
    sql = f"""
        SELECT {keys}, COUNT(*),
               SUM(CASE WHEN state IN {_in(SG_ACCEPTED)} THEN 1 ELSE 0 END),
               SUM(CASE WHEN state IN {_in(SG_CLOSED)} THEN 1 ELSE 0 END),
               SUM(answered),
               SUM(CASE WHEN answered = 1 AND late = 0 THEN 1 ELSE 0 END),
               SUM(evaluated),
               SUM(CASE WHEN evaluated = 1 AND last_unsatisfied = 0 THEN 1 ELSE 0 END),
               SUM(CASE WHEN first_round = 1 AND first_not_satisfied = 0 THEN 1 ELSE 0 END),
               SUM(CASE WHEN answered = 1 AND last_class_a = 1 THEN 1 ELSE 0 END),
               SUM(CASE WHEN answered = 1 AND consulted = 1 THEN 1 ELSE 0 END)
        FROM (
          SELECT {month} AS idx, s.region_id, s.station_id, s.category_id, s.level, s.body_id, s.state,
                 {_flag(ANSWERED)} AS answered, {_flag(LATE)} AS late, {_flag(LAST_CLASS_A)} AS last_class_a,
                 {_flag(EVALUATED)} AS evaluated, {_flag(LAST_UNSATISFIED)} AS last_unsatisfied,
                 {_flag(FIRST_ROUND)} AS first_round, {_flag(FIRST_NOT_SATISFIED)} AS first_not_satisfied,
                 {_flag(CONSULTED)} AS consulted
          FROM {T["suggestion"]} s
          WHERE {where}{scope_sql}
        ) item
        GROUP BY {keys}"""
    names = ["sg_raised", "sg_accepted", "sg_closed", "sg_answered", "sg_on_time", "sg_evaluated"]
    names += ["sg_satisfied", "sg_first_satisfied", "sg_class_a", "sg_consulted"]
    for row in _rows(sql, params + scope_params):
        idx, region, station, category, level, body, *values = row
        c = out.cells[(_month(idx), region, station, category, level, body)]
        for name, value in zip(names, values, strict=True):
            c[name] += value

    # Days to answer: calendar days from the first assignment (交办; without one, from acceptance 立案) to the
    # first answer, in local dates; an answer dated before its assignment counts 0.
    sql = f"""
        SELECT {month}, s.region_id, s.station_id, s.category_id, s.level, s.body_id, s.assigned_on, s.accepted_at,
               (SELECT MIN(a.created_at) FROM {T["answer"]} a WHERE a.suggestion_id = s.id)
        FROM {T["suggestion"]} s
        WHERE {where}{scope_sql} AND {ANSWERED} AND (s.assigned_on IS NOT NULL OR s.accepted_at IS NOT NULL)"""
    for idx, region, station, category, level, body, assigned_on, accepted_at, first_answer in _rows(
        sql, params + scope_params
    ):
        start = _local_date(assigned_on) or _local_date(accepted_at)
        days = max(0, (_local_date(first_answer) - start).days)
        key = (_month(idx), region, station, category, level, body)
        out.cells[key]["sg_days_sum"] += days
        out.cells[key]["sg_days_n"] += 1
        out.days[key][days] += 1


def _span() -> tuple[int, int] | None:
    """The first and last month holding any opinion, submitted suggestion or meeting."""
    sql = f"""
        SELECT (SELECT MIN(created_at) FROM {T["opinion"]}), (SELECT MAX(created_at) FROM {T["opinion"]}),
               (SELECT MIN(submitted_at) FROM {T["suggestion"]}), (SELECT MAX(submitted_at) FROM {T["suggestion"]}),
               (SELECT MIN(year * 12 + month - 1) FROM {T["meeting"]}),
               (SELECT MAX(year * 12 + month - 1) FROM {T["meeting"]})"""
    o_min, o_max, s_min, s_max, m_min, m_max = _rows(sql, [])[0]
    months = [_index(_local_date(v)) for v in (o_min, o_max, s_min, s_max) if v is not None]
    months += [int(v) for v in (m_min, m_max) if v is not None]
    return (min(months), max(months)) if months else None


def count(
    start: dt.date | None = None,
    end: dt.date | None = None,
    *,
    region_path: str | None = None,
    station_id: int | None = None,
) -> Recount:
    """Everything (default) or the months [start, end) of one region subtree (path prefix) or station."""
    out = Recount()
    if start is None or end is None:
        span = _span()
        if span is None:
            return out
        first, last = span
    else:
        first, last = _index(start), _index(end) - 1
    if last < first:
        return out
    scope = (region_path, station_id)
    _opinions(out, first, last, scope)
    _decisions(out, first, last, scope)
    _suggestions(out, first, last, scope)
    return out


def overdue(*, region_path: str | None = None, station_id: int | None = None, today: dt.date | None = None) -> int:
    """Suggestions with an assignment still with its unit past its deadline (live, not by cohort)."""
    today = today or timezone.localdate()
    scope_sql, scope_params = _scope("s.region_id", "s.station_id", region_path, station_id)
    sql = f"""
        SELECT COUNT(DISTINCT g.suggestion_id)
        FROM {T["assignment"]} g JOIN {T["suggestion"]} s ON s.id = g.suggestion_id
        WHERE g.state IN {_in(ASSIGNMENT_OPEN)} AND g.due_date < %s{scope_sql}"""
    return _rows(sql, [connection.ops.adapt_datefield_value(today), *scope_params])[0][0]


# --- figures and comparisons ---------------------------------------------------------------------------------


def figures(
    start: dt.date,
    end: dt.date,
    *,
    region_path: str | None = None,
    station_id: int | None = None,
    today: dt.date | None = None,
) -> dict:
    """The dashboard's figures (same keys as `metrics.Figures.as_dict()`) for months [start, end) of a scope."""
    recount = count(start, end, region_path=region_path, station_id=station_id)
    sums, hist = Counter(), Counter()
    for c in recount.cells.values():
        sums.update(c)
    for h in recount.days.values():
        hist.update(h)
    out = {key: sums[column] for key, column in COUNTS.items()}
    for key, (num, den) in RATES.items():
        out[key] = sums[num] / sums[den] if sums[den] else None
    days = sorted(hist.elements())
    out["avg_days"] = sum(days) / len(days) if days else None
    out["p90_days"] = days[-(-9 * len(days) // 10) - 1] if days else None  # nearest rank: the ⌈0.9 n⌉-th
    out["overdue"] = overdue(region_path=region_path, station_id=station_id, today=today)
    return out


def differences(dashboard: dict, independent: dict) -> list[str]:
    """Keys whose values differ (rates compared to 1e-9); a key missing on either side is a difference."""
    out = []
    for key in sorted(set(dashboard) | set(independent)):
        a, b = dashboard.get(key, "missing"), independent.get(key, "missing")
        if a == b or (isinstance(a, int | float) and isinstance(b, int | float) and abs(a - b) < 1e-9):
            continue
        out.append(f"{key}: 汇总 {a} ≠ 独立重算 {b}")
    return out


def _label(key: tuple) -> str:
    month, region, station, category, level, body = key
    return f"{month:%Y-%m} 地区#{region} 站#{station} 分类#{category} 层级{level or '-'} 机关#{body}"


def compare(rollup_rows, recount: Recount | None = None, *, examples: int = 3) -> list[str]:
    """One line per column (metric part) where the rollup rows (MonthlyRollup objects, stored or freshly built)
    differ from the independent recount of everything; empty when they agree."""
    recount = recount or count()
    stored, stored_days = defaultdict(Counter), defaultdict(Counter)
    for r in rollup_rows:
        key = r.key()
        for column in COLUMNS:
            stored[key][column] += getattr(r, column)
        for days, n in (r.days_hist or {}).items():
            stored_days[key][int(days)] += n
    keys = sorted(set(stored) | set(recount.cells), key=lambda k: tuple(str(x) for x in k))
    lines = []
    for column in COLUMNS:
        bad = [(k, stored[k][column], recount.cells[k][column]) for k in keys]
        bad = [b for b in bad if b[1] != b[2]]
        if not bad:
            continue
        total_a, total_b = sum(b[1] for b in bad), sum(b[2] for b in bad)
        shown = "；".join(f"{_label(k)}：汇总 {a}，独立 {b}" for k, a, b in bad[:examples])
        lines.append(
            f"独立重算不一致 {column}（{LABELS[column]}）：{len(bad)} 个单元，差异单元合计 汇总 {total_a:,} ≠ "
            f"独立 {total_b:,}；如 {shown}"
        )
    bad = [k for k in set(stored_days) | set(recount.days) if +stored_days[k] != +recount.days[k]]
    if bad:
        lines.append(f"独立重算不一致 days_hist（答复天数分布，90%答复天数）：{len(bad)} 个单元，如 {_label(min(bad))}")
    return lines
