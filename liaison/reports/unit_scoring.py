"""承办单位办理工作考核: the year-end scoring of handling units, per unit and year, ranked within a region.

Cohort: the unit's assignments (交办) whose 交办日期 (`assigned_on`) falls in the year — an assignment belongs to
one year, which never changes. Every figure is a count of those assignments, and each assignment's flags are
computed once (`assignment_flags`), so the figures and their drill-down lists (`items`) are the same rows:

- 承办件数 (handled): the cohort's assignments not returned, in any role (主办、协办、分办);
- 退回件数 (returned): the cohort's assignments the unit returned;
- 已答复 (answered): handled assignments in an answering role (主办/分办) with at least one answer;
- 按期答复率: answered whose every answer was within the time limit ÷ answered;
- 面商率: answered with a consultation (面商记录) on that assignment ÷ answered;
- 已测评 (evaluated): answered whose suggestion has been evaluated;
- 初次满意率: evaluated whose first-round evaluations are all 满意 ÷ evaluated;
- 最终满意率: evaluated whose latest evaluated round has no 不满意 ÷ evaluated (满意 or 基本满意);
- 重新办理件数 (rehandled): handled assignments sent back for re-handling (the event log's `rehandle_assigned`);
- 超期天数 (overdue days): over the answering assignments, calendar days past the current time limit
  (`due_date`) — to the latest answer if answered, else to today while still open.

Points (weights in admin, `UnitScoringWeights`): the weighted average of the four rates (× 100; a rate with no
items is left out of the average), minus the deductions per re-handled item, per return and per overdue day,
never below 0. Units without handled items are listed, unscored and unranked. Ranking: by score within the
region (ties share a rank).
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from liaison.events.models import Event
from liaison.org.models import HandlingUnit, Region
from liaison.suggestions.lifecycles import assignment as assignment_lifecycle
from liaison.suggestions.models import Answer, Assignment, Consultation, Evaluation
from liaison.suggestions.services.common import SUBJECT

from .models import UnitScoringWeights

A = Assignment.State


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    num: str  # flag counted (the numerator of a rate)
    den: str = ""  # flag of the denominator, for rates
    definition: str = ""

    @property
    def is_rate(self) -> bool:
        return bool(self.den)


FIGURES = [
    Figure("handled", "承办件数", "handled", definition="本年度交办、未退回的交办事项（主办、协办、分办）"),
    Figure("on_time_rate", "按期答复率", "on_time", "answered", "各次答复均在办理期限内的件数 ÷ 已答复件数"),
    Figure("consult_rate", "面商率", "consulted", "answered", "有面商记录的件数 ÷ 已答复件数"),
    Figure("first_satisfaction", "初次满意率", "first_satisfied", "evaluated", "首轮测评全部满意 ÷ 已测评件数"),
    Figure("satisfaction", "最终满意率", "satisfied", "evaluated", "最近一轮测评无不满意 ÷ 已测评件数"),
    Figure("rehandled", "重新办理件数", "rehandled", definition="因代表测评不满意而重新办理的件数"),
    Figure("returned", "退回件数", "returned", definition="本年度交办后被本单位退回的件数"),
    Figure("overdue_days", "超期天数", "overdue", definition="超过办理期限的自然日合计（答复日或今天 − 期限）"),
]
BY_KEY = {f.key: f for f in FIGURES}
# The rates' parts, as the drill-down lists name them.
FLAG_LABELS = {
    "answered": "已答复",
    "on_time": "按期答复",
    "consulted": "有面商记录",
    "evaluated": "已测评",
    "first_satisfied": "首轮测评即满意",
    "satisfied": "满意或基本满意",
}
RATE_WEIGHTS = {
    "on_time_rate": "on_time",
    "consult_rate": "consult",
    "first_satisfaction": "first_satisfaction",
    "satisfaction": "satisfaction",
}


def cohort(year: int, units) -> QuerySet[Assignment]:
    return Assignment.objects.filter(
        unit__in=units, assigned_on__gte=dt.date(year, 1, 1), assigned_on__lt=dt.date(year + 1, 1, 1)
    )


def assignment_flags(assignments, today: dt.date | None = None) -> dict[int, dict]:
    """{assignment pk: {"flags": set of flag names, "overdue_days": int}} for the given assignments (5 queries)."""
    today = today or timezone.localdate()
    rows = list(assignments.values("pk", "code", "suggestion_id", "suggestion__code", "role", "state", "due_date"))
    ids = [r["pk"] for r in rows]
    answers = defaultdict(list)
    for a in Answer.objects.filter(assignment_id__in=ids).values("assignment_id", "on_time", "created_at"):
        answers[a["assignment_id"]].append(a)
    consulted = set(Consultation.objects.filter(assignment_id__in=ids).values_list("assignment_id", flat=True))
    rounds = defaultdict(lambda: defaultdict(list))
    suggestion_ids = {r["suggestion_id"] for r in rows}
    for e in Evaluation.objects.filter(suggestion_id__in=suggestion_ids).values("suggestion_id", "round", "result"):
        rounds[e["suggestion_id"]][e["round"]].append(e["result"])
    codes = {r["code"] for r in rows}
    rehandled = {
        data.get("assignment")
        for data in Event.objects.filter(
            subject_type=SUBJECT, subject_id__in={r["suggestion__code"] for r in rows}, action="rehandle_assigned"
        ).values_list("data", flat=True)
        if isinstance(data, dict) and data.get("assignment") in codes
    }
    out = {}
    for r in rows:
        flags, overdue = set(), 0
        if r["state"] == A.RETURNED:
            flags.add("returned")
        else:
            flags.add("handled")
            if r["code"] in rehandled:
                flags.add("rehandled")
            if r["role"] in assignment_lifecycle.ANSWERING_ROLES:
                mine = answers.get(r["pk"], [])
                if mine:
                    flags.add("answered")
                    if all(a["on_time"] for a in mine):
                        flags.add("on_time")
                    if r["pk"] in consulted:
                        flags.add("consulted")
                    end = max(timezone.localdate(a["created_at"]) for a in mine)
                    by_round = rounds.get(r["suggestion_id"])
                    if by_round:
                        flags.add("evaluated")
                        if by_round.get(1) and all(x == Evaluation.Rating.SATISFIED for x in by_round[1]):
                            flags.add("first_satisfied")
                        if Evaluation.Rating.UNSATISFIED not in by_round[max(by_round)]:
                            flags.add("satisfied")
                else:
                    end = today if r["state"] in assignment_lifecycle.OPEN else None
                if end is not None and end > r["due_date"]:
                    overdue = (end - r["due_date"]).days
                    flags.add("overdue")
        out[r["pk"]] = {"flags": flags, "overdue_days": overdue}
    return out


def units_in(region: Region) -> QuerySet[HandlingUnit]:
    return HandlingUnit.objects.filter(region__path__startswith=region.path, is_active=True).order_by("code")


def _text(figure: Figure, value) -> str:
    if value is None:
        return "—"
    return f"{value * 100:.1f}%" if figure.is_rate else str(value)


def score_units(region: Region, year: int, weights: UnitScoringWeights | None = None, today=None) -> list[dict]:
    """One row per active unit of the region: counts, rates, deductions, score and rank (best first)."""
    weights = weights or UnitScoringWeights.current()
    units = list(units_in(region).select_related("region"))
    qs = cohort(year, units)
    flags = assignment_flags(qs, today)
    unit_of = dict(qs.values_list("pk", "unit_id"))
    counts = defaultdict(lambda: defaultdict(int))
    for pk, f in flags.items():
        c = counts[unit_of[pk]]
        for name in f["flags"]:
            c[name] += 1
        c["overdue_days"] += f["overdue_days"]
    rows = []
    for unit in units:
        c = counts[unit.pk]
        values = {}
        for fig in FIGURES:
            if fig.is_rate:
                values[fig.key] = c[fig.num] / c[fig.den] if c[fig.den] else None
            elif fig.key == "overdue_days":
                values[fig.key] = c["overdue_days"]
            else:
                values[fig.key] = c[fig.num]
        row = {
            "unit": unit,
            "values": values,
            "parts": {f.key: (c[f.num], c[f.den]) for f in FIGURES if f.is_rate},
            "answered": c["answered"],
            "evaluated": c["evaluated"],
            "cells": [(f, values[f.key], _text(f, values[f.key])) for f in FIGURES],
        }
        row.update(points(values, weights) if values["handled"] or values["returned"] else _unscored())
        rows.append(row)
    rank(rows)
    return rows


def _unscored() -> dict:
    return {"base": None, "deduction": None, "score": None}


def points(values: dict, weights: UnitScoringWeights) -> dict:
    parts = [(float(getattr(weights, w)), values[key]) for key, w in RATE_WEIGHTS.items() if values[key] is not None]
    total = sum(w for w, _ in parts)
    base = sum(w * v * 100 for w, v in parts) / total if total else 0.0
    deduction = (
        values["rehandled"] * float(weights.rehandle_penalty)
        + values["returned"] * float(weights.return_penalty)
        + values["overdue_days"] * float(weights.overdue_day_penalty)
    )
    return {"base": round(base, 1), "deduction": round(deduction, 1), "score": round(max(base - deduction, 0.0), 1)}


def rank(rows: list[dict]) -> None:
    """Sort best first (unscored last) and number the ranks; equal scores share a rank (1, 1, 3)."""
    rows.sort(key=lambda r: (r["score"] is None, -(r["score"] or 0), r["unit"].code))
    previous, place = None, 0
    for i, r in enumerate(rows, 1):
        if r["score"] is None:
            r["rank"] = None
            continue
        if r["score"] != previous:
            place, previous = i, r["score"]
        r["rank"] = place


def items(unit: HandlingUnit, year: int, key: str, part: str = "", today=None) -> QuerySet[Assignment]:
    """Exactly the assignments a figure counts; for a rate the denominator, or the numerator with part="num"."""
    figure = BY_KEY[key]
    flag = figure.den if figure.is_rate and part != "num" else figure.num
    qs = cohort(year, [unit])
    flags = assignment_flags(qs, today)
    return qs.filter(pk__in=[pk for pk, f in flags.items() if flag in f["flags"]])


def overdue_days_of(assignments, today=None) -> dict[int, int]:
    return {pk: f["overdue_days"] for pk, f in assignment_flags(assignments, today).items()}
