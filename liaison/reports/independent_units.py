"""An independent recount of the year-end scoring of handling units (承办单位办理工作考核).

Why: the scoring page (unit_scoring.py) classifies each assignment once in Python and counts the classes; a wrong
rule there would pass its own drill-down lists, which use the same classes. This module shares none of it: it
imports nothing from unit_scoring.py (nor from metrics.py / rollups.py), reads the assignments through plain SQL
(one text for SQLite and PostgreSQL: CASE, EXISTS, no vendor functions; year bounds are parameters) and the
re-handling events through the ORM (a JSON key, which plain SQL cannot read on both databases), and spells every
rule out again below.

The definitions (PRODUCT.md: "Units are scored each year (承办单位考核): on-time answers, 面商, satisfaction,
re-handling, returns", and "Metrics" for the rates), per unit and year:

- the year's items: the unit's assignments (交办) dated (交办日期) in that year;
- 承办件数: those the unit did not return (退回), whatever its part (主办、协办、分办);
- 退回件数: those it returned;
- the answers: a lead (主办) or split (分办) unit answers the suggestion; a co-handler (协办) sends its opinion to
  the lead unit and is not rated on answers. 已答复 = not returned, answering part, at least one answer given on
  that assignment;
- 按期答复率 = answered items none of whose answers was late (each answer carries its deadline check) ÷ answered;
- 面商率 = answered items with a consultation (面商记录) recorded on that assignment ÷ answered;
- 初次满意率 = answered items whose suggestion's first round (round 1) was rated, and rated 满意 by every deputy
  who rated it ÷ answered items whose suggestion has any evaluation;
- 最终满意率 = of those evaluated, the items whose latest rated round holds no 不满意 (满意 or 基本满意);
- 重新办理件数: not-returned items that the event log shows sent back to the unit for re-handling
  (`rehandle_assigned`, naming the assignment);
- 超期天数: over the answering items not returned, the calendar days past the current time limit (`due_date`) to
  the last answer (local date) — or, still unanswered and still with the unit (待签收、办理中、重新办理), to today;
  never negative.

Only active units are scored (an inactive unit has no row on the page).
"""

import datetime as dt
from collections import defaultdict

from django.db import connection
from django.utils import timezone

from liaison.events.models import Event
from liaison.org.models import HandlingUnit

from .independent import ASSIGNMENT_OPEN, T, _local_date, _rows

ANSWERING = ("lead", "split")
RETURNED = "returned"
UNIT_TABLE = HandlingUnit._meta.db_table

# Figure key (as the scoring page names them) → (numerator, denominator) of the counts below; counts: (name, None).
FIGURES = {
    "handled": ("handled", None),
    "on_time_rate": ("on_time", "answered"),
    "consult_rate": ("consulted", "answered"),
    "first_satisfaction": ("first_satisfied", "evaluated"),
    "satisfaction": ("satisfied", "evaluated"),
    "rehandled": ("rehandled", None),
    "returned": ("returned", None),
    "overdue_days": ("overdue_days", None),
}
LABELS = {
    "handled": "承办件数",
    "on_time_rate": "按期答复率",
    "consult_rate": "面商率",
    "first_satisfaction": "初次满意率",
    "satisfaction": "最终满意率",
    "rehandled": "重新办理件数",
    "returned": "退回件数",
    "overdue_days": "超期天数",
}

ANSWERED = f"EXISTS (SELECT 1 FROM {T['answer']} a WHERE a.assignment_id = g.id)"
LATE = f"EXISTS (SELECT 1 FROM {T['answer']} a WHERE a.assignment_id = g.id AND NOT a.on_time)"
CONSULTED = f"EXISTS (SELECT 1 FROM {T['consultation']} c WHERE c.assignment_id = g.id)"
EVALUATED = f"EXISTS (SELECT 1 FROM {T['evaluation']} e WHERE e.suggestion_id = g.suggestion_id)"
FIRST_ROUND = f"EXISTS (SELECT 1 FROM {T['evaluation']} e WHERE e.suggestion_id = g.suggestion_id AND e.round = 1)"
FIRST_NOT_SATISFIED = f"""EXISTS (SELECT 1 FROM {T["evaluation"]} e WHERE e.suggestion_id = g.suggestion_id
    AND e.round = 1 AND e.result <> 'satisfied')"""
LAST_UNSATISFIED = f"""EXISTS (SELECT 1 FROM {T["evaluation"]} e WHERE e.suggestion_id = g.suggestion_id
    AND e.result = 'unsatisfied'
    AND NOT EXISTS (SELECT 1 FROM {T["evaluation"]} f WHERE f.suggestion_id = g.suggestion_id AND f.round > e.round))"""
LAST_ANSWER = f"(SELECT MAX(a.created_at) FROM {T['answer']} a WHERE a.assignment_id = g.id)"


def _flag(condition: str) -> str:
    return f"CASE WHEN {condition} THEN 1 ELSE 0 END"


def _date(day: dt.date):
    return connection.ops.adapt_datefield_value(day)


def _rehandled_codes() -> set[str]:
    """Assignment codes the event log shows sent back for re-handling."""
    rows = Event.objects.filter(subject_type="suggestion", action="rehandle_assigned").values_list("data", flat=True)
    return {d["assignment"] for d in rows if isinstance(d, dict) and d.get("assignment")}


def years() -> list[int]:
    """Every year holding an assignment of an active unit."""
    sql = f"""SELECT MIN(g.assigned_on), MAX(g.assigned_on) FROM {T["assignment"]} g
        JOIN {UNIT_TABLE} u ON u.id = g.unit_id WHERE u.is_active = %s"""
    low, high = _rows(sql, [True])[0]
    if low is None:
        return []
    return list(range(_local_date(low).year, _local_date(high).year + 1))


def count(year: int, *, today: dt.date | None = None) -> dict[int, dict]:
    """{unit id: {count name: n}} for the active units with an assignment dated in `year`."""
    today = today or timezone.localdate()
    sql = f"""
        SELECT g.unit_id, g.code, g.role, g.state, g.due_date,
               {_flag(ANSWERED)}, {_flag(LATE)}, {_flag(CONSULTED)}, {_flag(EVALUATED)},
               {_flag(FIRST_ROUND)}, {_flag(FIRST_NOT_SATISFIED)}, {_flag(LAST_UNSATISFIED)}, {LAST_ANSWER}
        FROM {T["assignment"]} g JOIN {UNIT_TABLE} u ON u.id = g.unit_id
        WHERE u.is_active = %s AND g.assigned_on >= %s AND g.assigned_on < %s"""
    rows = _rows(sql, [True, _date(dt.date(year, 1, 1)), _date(dt.date(year + 1, 1, 1))])
    rehandled = _rehandled_codes()
    out = defaultdict(lambda: dict.fromkeys([n for pair in FIGURES.values() for n in pair if n], 0))
    for unit, code, role, state, due, answered, late, consulted, evaluated, first, first_bad, last_bad, last in rows:
        c = out[unit]
        if state == RETURNED:
            c["returned"] += 1
            continue
        c["handled"] += 1
        c["rehandled"] += code in rehandled
        if role not in ANSWERING:
            continue
        due = _local_date(due)
        if answered:
            c["answered"] += 1
            c["on_time"] += not late
            c["consulted"] += consulted
            if evaluated:
                c["evaluated"] += 1
                c["first_satisfied"] += bool(first and not first_bad)
                c["satisfied"] += not last_bad
            end = _local_date(last)
        elif state in ASSIGNMENT_OPEN:
            end = today
        else:
            continue
        c["overdue_days"] += max(0, (end - due).days)
    return dict(out)


def figures(year: int, *, today: dt.date | None = None) -> dict[int, dict]:
    """{unit id: {figure key: value}}: counts as integers, rates as fractions (None without a denominator)."""
    out = {}
    for unit, c in count(year, today=today).items():
        out[unit] = {
            key: (c[num] / c[den] if c[den] else None) if den else c[num] for key, (num, den) in FIGURES.items()
        }
    return out


def _empty() -> dict:
    return {key: None if den else 0 for key, (_num, den) in FIGURES.items()}


def differences(page: dict | None, mine: dict | None) -> list[tuple[str, object, object]]:
    """(figure, page value, recount value) for each figure that differs (rates compared to 1e-9); `page` None: the
    page does not list the unit; `mine` None: the recount found no item (every count 0, no rate)."""
    mine = mine or _empty()
    out = []
    for figure in FIGURES:
        a = "未列出" if page is None else page.get(figure, "缺少")
        b = mine[figure]
        if a == b or (isinstance(a, int | float) and isinstance(b, int | float) and abs(a - b) < 1e-9):
            continue
        out.append((figure, a, b))
    return out


def compare(scored: dict[tuple[int, int], dict], *, today: dt.date | None = None, examples: int = 3) -> list[str]:
    """One line per figure where the scoring page's values differ from the independent recount.

    `scored`: {(unit id, year): {figure key: value}} as the page shows them (every active unit, every year of
    `years()`); a unit the recount finds but the page does not list counts as a difference too."""
    today = today or timezone.localdate()
    recount = {}
    for year in sorted({y for _u, y in scored} | set(years())):
        for unit, values in figures(year, today=today).items():
            recount[(unit, year)] = values
    names = dict(HandlingUnit.objects.values_list("pk", "name"))
    bad = defaultdict(list)
    for key in sorted(set(scored) | set(recount), key=lambda k: (k[1], k[0])):
        for figure, a, b in differences(scored.get(key), recount.get(key)):
            bad[figure].append((key, a, b))
    lines = []
    for figure, rows in bad.items():
        shown = "；".join(
            f"{names.get(u, u)} {y}年：考核 {_text(a)}，独立 {_text(b)}" for (u, y), a, b in rows[:examples]
        )
        lines.append(f"承办单位考核独立重算不一致 {figure}（{LABELS[figure]}）：{len(rows)} 个单位年度，如 {shown}")
    return lines


def _text(value) -> str:
    if isinstance(value, float):
        return f"{value:.4f}"
    return "—" if value is None else str(value)
