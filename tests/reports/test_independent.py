"""The independent recount (liaison/reports/independent.py): plain SQL written from PRODUCT.md's definitions.

On a known history it gives the hand-counted figures and the dashboards' figures; and because it shares no
classification code with the rollups, it catches a wrong rule planted in the rollup code path — which the rollups'
own recount, built from the same code, cannot."""

import ast
import datetime as dt
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Q

from liaison.reports import independent, rollups
from liaison.reports import metrics as m
from liaison.reports.models import MonthlyRollup

from . import history as h
from .test_metrics import EXPECTED

MARCH = m.Period.month(dt.date(2026, 3, 1))


@pytest.fixture
def richer(cast, march):
    """The March history plus the states and shapes a rule is easily wrong about."""
    c = cast
    h.suggestion(c, h.at(2026, 3, 10), state="returned", assigned_on=dt.date(2026, 3, 12))
    h.suggestion(c, h.at(2026, 3, 11), state="follow_up", answers=[("B", True, 40, 1)], evaluations=[(1, "basic")])
    h.suggestion(
        c,
        h.at(2026, 3, 13),
        state="answered",
        station=c.station_b,
        answers=[("C", True, 10, 1), ("A", False, 50, 2)],
        evaluations=[(1, "satisfied"), (1, "unsatisfied")],
        consulted=True,
    )
    h.suggestion(c, h.at(2026, 3, 14), state="evaluated", answers=[("A", True, 5, 1)], evaluations=[(1, "basic")])
    h.suggestion(c, h.at(2026, 3, 15), state="merged")
    h.suggestion(c, h.at(2026, 3, 16), state="withdrawn")
    h.suggestion(c, h.at(2026, 3, 17), state="rehandling", level="township", body=c.township_body)
    # Local midnight of 1 April is still March in UTC: April's cohort.
    h.suggestion(c, h.at(2026, 4, 1, 0), state="closed", answers=[("A", True, 3, 1)], evaluations=[(1, "satisfied")])
    h.opinion(c.station, h.at(2026, 4, 1, 0), channel="phone", state="not_accepted")
    feb = [
        h.opinion(c.station, h.at(2026, 2, 3), channel="letter", state="duplicate"),
        h.opinion(c.station, h.at(2026, 2, 4), channel="in_person", state="not_feasible"),
        h.opinion(c.station, h.at(2026, 2, 5), channel="visit", state="village_handling"),
        h.opinion(c.station, h.at(2026, 2, 6), channel="visit", state="in_suggestion"),
        h.opinion(c.station_b, h.at(2026, 2, 7), channel="reception", state="answered_on_spot"),
    ]
    h.meeting(c.station, 2026, 2, [(feb[0], "duplicate"), (feb[1], "not_feasible"), (feb[2], "village")])
    h.meeting(c.station, 2026, 3, [(feb[3], "suggestion")])
    h.meeting(c.station_b, 2026, 4, [(march["o"]["phone"], "refer")])


def _scopes(cast):
    q1 = m.Period(dt.date(2026, 1, 1), dt.date(2026, 4, 1), "Q1")
    april = m.Period.month(dt.date(2026, 4, 1))
    return [
        m.Filters(q1, region=cast.city),
        m.Filters(MARCH, region=cast.shitai),
        m.Filters(m.Period(dt.date(2026, 2, 1), dt.date(2026, 5, 1), "2-4"), region=cast.renli),
        m.Filters(MARCH, station=cast.station_b),
        m.Filters(april, region=cast.city),
    ]


def _independent(f: m.Filters) -> dict:
    return independent.figures(
        f.period.start,
        f.period.end,
        region_path=f.region.path if f.region is not None else None,
        station_id=f.station.pk if f.station is not None else None,
    )


def test_it_gives_the_hand_counted_figures(cast, march):
    got = _independent(m.Filters(MARCH, region=cast.shitai))
    for key, value in EXPECTED.items():
        assert got[key] == pytest.approx(value), key


def test_it_equals_the_dashboard_figures(cast, richer):
    rollups.rebuild()
    for f in _scopes(cast):
        assert independent.differences(m.figures(f).as_dict(), _independent(f)) == [], f.query()
    assert independent.compare(MonthlyRollup.objects.all()) == []
    april = _independent(m.Filters(m.Period.month(dt.date(2026, 4, 1)), region=cast.city))
    assert april["raised"] == 2 and april["opinions"] == 1 and april["dec_refer"] == 1


def test_recount_checks_against_it(cast, richer, capsys):
    call_command("refresh_rollups")
    call_command("recount")
    out = capsys.readouterr().out
    assert "没有差异" in out and "独立核对：汇总与按指标定义直接编写的 SQL 重算一致" in out


def _returned_as_closed(monkeypatch):
    monkeypatch.setattr(m, "CLOSED_SUGGESTION", (*m.CLOSED_SUGGESTION, "returned"))


def _refusals_not_concluded(monkeypatch):
    concluded = [s for s in m.CONCLUDED if s != "not_accepted"]
    monkeypatch.setitem(m.OPINION_Q, "op_concluded", Q(state__in=concluded))


def _answer_days_off_by_one(monkeypatch):
    days = m.answer_days
    monkeypatch.setattr(m, "answer_days", lambda *a: None if days(*a) is None else days(*a) + 1)


def _follow_up_as_closed(monkeypatch):  # the rule the rollups had until the independent recount caught it
    monkeypatch.setattr(m, "CLOSED_SUGGESTION", ("closed", "follow_up"))


@pytest.mark.parametrize(
    "plant, columns, figures",
    [
        (_returned_as_closed, {"sg_closed"}, ["closed", "closed_rate"]),
        (_follow_up_as_closed, {"sg_closed"}, ["closed", "closed_rate"]),
        (_refusals_not_concluded, {"op_concluded"}, ["feedback_rate"]),
        (_answer_days_off_by_one, {"sg_days_sum", "days_hist"}, ["avg_days", "p90_days"]),
    ],
)
def test_it_catches_a_wrong_rule_in_the_rollups(cast, richer, monkeypatch, capsys, plant, columns, figures):
    plant(monkeypatch)
    rollups.recount()  # stores the per-item build (rollups.build), which has the planted rule
    assert rollups.recount() == []  # the rollups' own recount shares the wrong rule: it sees nothing
    with pytest.raises(CommandError, match="与独立重算不一致"):
        call_command("recount")
    reported = set(re.findall(r"^独立重算不一致 (\w+)", capsys.readouterr().out, re.MULTILINE))
    assert reported == columns
    f = m.Filters(m.Period(dt.date(2026, 1, 1), dt.date(2026, 5, 1), "1-4"), region=cast.city)
    assert [d.split(":")[0] for d in independent.differences(m.figures(f).as_dict(), _independent(f))] == figures


def test_a_dry_run_reports_it_too_and_keeps_the_stored_rollups(cast, richer, monkeypatch):
    rollups.rebuild()
    stored = sorted(MonthlyRollup.objects.values_list("id", flat=True))
    _returned_as_closed(monkeypatch)
    with pytest.raises(CommandError, match="汇总与源数据有 .* 处差异；1 项指标的汇总与独立重算不一致"):
        call_command("recount", "--dry-run")
    assert sorted(MonthlyRollup.objects.values_list("id", flat=True)) == stored


def test_it_shares_no_code_with_the_rollups():
    tree = ast.parse(Path(independent.__file__).read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            imported.add("." * node.level + (node.module or ""))
            imported.update(a.name for a in node.names)
        elif isinstance(node, ast.Import):
            imported.update(a.name for a in node.names)
    assert not any(
        name.endswith(("metrics", "rollups", "dashboards")) or name in ("metrics", "rollups") for name in imported
    ), imported
    assert "ACCEPTED_STATES" not in imported and "OPEN_STATES" not in imported
