"""The independent recount of the handling units' year-end scoring (liaison/reports/independent_units.py).

On the 石台县 year it gives the hand-counted figures and the scoring page's; `recount` checks every unit and year
against it; and since it shares no code with unit_scoring.py, a wrong rule planted there is caught."""

import ast
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from liaison.reports import independent_units as iu
from liaison.reports import unit_scoring as us
from liaison.suggestions.models import Evaluation

from .test_unit_scoring import year_of_work  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def test_it_gives_the_hand_counted_figures(year_of_work):  # noqa: F811
    c = year_of_work
    got = iu.figures(timezone.localdate().year)
    zj = got[c.unit.pk]
    assert zj["handled"] == 4 and zj["returned"] == 1 and zj["rehandled"] == 1 and zj["overdue_days"] == 14
    assert zj["on_time_rate"] == pytest.approx(2 / 3) and zj["consult_rate"] == pytest.approx(2 / 3)
    assert zj["first_satisfaction"] == 0.5 and zj["satisfaction"] == 1.0
    jt = got[c.unit_b.pk]  # co-handles one: counted, not rated on answers
    assert jt["handled"] == 1 and jt["on_time_rate"] is None and jt["overdue_days"] == 0
    assert c.village_unit.pk not in got and c.other_unit.pk not in got
    assert iu.figures(timezone.localdate().year - 1) == {}


def test_it_equals_the_scoring_page(year_of_work):  # noqa: F811
    c = year_of_work
    year = timezone.localdate().year
    scored = {(r["unit"].pk, year): r["values"] for r in us.score_units(c.city, year)}
    assert iu.compare(scored) == []


def test_recount_checks_the_units_against_it(year_of_work, capsys):  # noqa: F811
    call_command("refresh_rollups")
    call_command("recount")
    assert "承办单位办理工作考核的各项数字与独立重算一致" in capsys.readouterr().out


def _basic_as_unsatisfied(monkeypatch):
    rating = type("Rating", (), {"SATISFIED": "satisfied", "UNSATISFIED": "basic"})
    monkeypatch.setattr(us, "Evaluation", type("Evaluation", (), {"objects": Evaluation.objects, "Rating": rating}))


def _returned_items_handled(monkeypatch):
    monkeypatch.setattr(us, "A", type("A", (), {"RETURNED": "no such state"}))


def _overdue_from_today(monkeypatch):
    flags = us.assignment_flags

    def wrong(assignments, today=None):
        out = flags(assignments, today)
        for f in out.values():
            if "overdue" in f["flags"]:
                f["overdue_days"] += 1
        return out

    monkeypatch.setattr(us, "assignment_flags", wrong)


@pytest.mark.parametrize(
    "plant, figures",
    [
        (_basic_as_unsatisfied, {"satisfaction"}),
        (_returned_items_handled, {"handled", "returned"}),
        (_overdue_from_today, {"overdue_days"}),
    ],
)
def test_it_catches_a_wrong_rule_in_the_scoring(year_of_work, monkeypatch, capsys, plant, figures):  # noqa: F811
    call_command("refresh_rollups")
    plant(monkeypatch)
    with pytest.raises(CommandError, match="承办单位考核有 .* 项数字与独立重算不一致"):
        call_command("recount")
    out = capsys.readouterr().out
    reported = {
        line.split()[1].split("（")[0] for line in out.splitlines() if line.startswith("承办单位考核独立重算不一致")
    }
    assert reported == figures
    assert "石台县" in out


def test_it_shares_no_code_with_the_scoring():
    tree = ast.parse(Path(iu.__file__).read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            imported.add("." * node.level + (node.module or ""))
            imported.update(a.name for a in node.names)
        elif isinstance(node, ast.Import):
            imported.update(a.name for a in node.names)
    assert not any(n.endswith(("unit_scoring", "metrics", "rollups", "lifecycles")) for n in imported), imported
    assert not any("suggestions" in n for n in imported), imported
