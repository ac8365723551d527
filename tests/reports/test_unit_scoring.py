"""承办单位办理工作考核: the 石台县 page lists its units with figures equal to a recount from the source rows,
each figure drills down to exactly its items, the xlsx carries the same, out of scope is 404."""

import datetime as dt
import io

import pytest
from django.utils import timezone

from liaison.events.models import Event
from liaison.lib.xlsx import read_rows
from liaison.reports import unit_scoring as us
from liaison.reports.models import UnitScoringWeights
from liaison.suggestions import services
from liaison.suggestions.models import Assignment
from tests.suggestions.helpers import assigned, signed

pytestmark = pytest.mark.django_db


@pytest.fixture
def year_of_work(cast):
    """This year in 石台县: 住建局 answers four items (one consulted, one late, one re-handled), returns one and
    has one open past its limit; 交通运输局 co-handles one; nothing for the 村委会."""
    c = cast
    s1, lead1, _co = signed(c, co=True, title="一：面商后答复满意")
    services.record_consultation(
        assignment=lead1, actor=c.unit_user, kind="visit", held_on=timezone.localdate(), notes="走访"
    )
    services.answer_assignment(assignment=lead1, actor=c.unit_user, answer_class="A", text="已办。", signer="李局长")
    s1.refresh_from_db()
    services.evaluate_answer(suggestion=s1, actor=c.deputy_user, process="satisfied", result="satisfied")

    s2, lead2, _ = signed(c, co=False, title="二：不满意后重新办理")
    services.record_consultation(
        assignment=lead2, actor=c.unit_user, kind="phone", held_on=timezone.localdate(), notes="电话"
    )
    services.answer_assignment(assignment=lead2, actor=c.unit_user, answer_class="A", text="已办。", signer="李局长")
    s2.refresh_from_db()
    services.evaluate_answer(suggestion=s2, actor=c.deputy_user, process="basic", result="unsatisfied")
    lead2.refresh_from_db()
    assert lead2.state == "rehandling"
    services.answer_assignment(assignment=lead2, actor=c.unit_user, answer_class="A", text="已整改。", signer="李局长")
    s2.refresh_from_db()
    services.evaluate_answer(suggestion=s2, actor=c.deputy_user, process="basic", result="basic")

    s3, lead3, _ = signed(c, co=False, title="三：逾期答复")
    Assignment.objects.filter(pk=lead3.pk).update(due_date=timezone.localdate() - dt.timedelta(days=4))
    lead3.refresh_from_db()
    services.answer_assignment(assignment=lead3, actor=c.unit_user, answer_class="A", text="已办。", signer="李局长")

    _s4, lead4, _ = assigned(c, co=False, title="四：退回")
    services.return_assignment(assignment=lead4, actor=c.unit_user, reason="不属于本单位职责")

    _s5, lead5, _ = signed(c, co=False, title="五：仍在办理且已超期")
    Assignment.objects.filter(pk=lead5.pk).update(due_date=timezone.localdate() - dt.timedelta(days=10))
    return c


def recount(unit, year, today):
    """The figures straight from the rows, one assignment at a time (no code shared with unit_scoring)."""
    n = dict.fromkeys(
        ["handled", "returned", "answered", "on_time", "consulted", "evaluated", "first", "final", "rehandled"], 0
    )
    n["overdue_days"] = 0
    for a in Assignment.objects.filter(unit=unit, assigned_on__year=year):
        if a.state == Assignment.State.RETURNED:
            n["returned"] += 1
            continue
        n["handled"] += 1
        n["rehandled"] += Event.objects.filter(
            subject_id=a.suggestion.code, action="rehandle_assigned", data__assignment=a.code
        ).exists()
        if a.role == Assignment.Role.CO:
            continue
        answers = list(a.answers.all())
        if not answers:
            if a.state in ("assigned", "signed", "rehandling"):
                n["overdue_days"] += max(0, (today - a.due_date).days)
            continue
        n["answered"] += 1
        n["on_time"] += all(x.on_time for x in answers)
        n["consulted"] += a.consultations.exists()
        last_answer = max(timezone.localdate(x.created_at) for x in answers)
        n["overdue_days"] += max(0, (last_answer - a.due_date).days)
        evaluations = list(a.suggestion.evaluations.all())
        if evaluations:
            n["evaluated"] += 1
            first = [e.result for e in evaluations if e.round == 1]
            n["first"] += bool(first) and set(first) == {"satisfied"}
            last = max(e.round for e in evaluations)
            n["final"] += "unsatisfied" not in [e.result for e in evaluations if e.round == last]
    return n


def _rate(num, den):
    return None if den == 0 else num / den


def test_it_lists_the_counties_units_with_figures_that_match_a_recount(year_of_work, client_for):
    c = year_of_work
    year, today = timezone.localdate().year, timezone.localdate()
    response = client_for(c.staff).get(f"/reports/units/{c.shitai.code}/?year={year}")
    assert response.status_code == 200
    rows = {r["unit"].code: r for r in response.context["rows"]}
    assert set(rows) == {c.unit.code, c.unit_b.code, c.village_unit.code}  # not 东至县's
    html = response.content.decode()
    assert "石台县住房和城乡建设局" in html and "东至县" not in html

    for unit in (c.unit, c.unit_b, c.village_unit):
        n, v = recount(unit, year, today), rows[unit.code]["values"]
        assert v["handled"] == n["handled"] and v["returned"] == n["returned"]
        assert v["rehandled"] == n["rehandled"] and v["overdue_days"] == n["overdue_days"]
        assert v["on_time_rate"] == _rate(n["on_time"], n["answered"])
        assert v["consult_rate"] == _rate(n["consulted"], n["answered"])
        assert v["first_satisfaction"] == _rate(n["first"], n["evaluated"])
        assert v["satisfaction"] == _rate(n["final"], n["evaluated"])

    # What the cast did, spelled out (so the recount itself is checked too).
    zj = rows[c.unit.code]
    assert zj["values"]["handled"] == 4 and zj["values"]["returned"] == 1 and zj["values"]["rehandled"] == 1
    assert zj["parts"]["on_time_rate"] == (2, 3) and zj["parts"]["consult_rate"] == (2, 3)
    assert zj["parts"]["first_satisfaction"] == (1, 2) and zj["parts"]["satisfaction"] == (2, 2)
    assert zj["values"]["overdue_days"] == 14
    assert rows[c.unit_b.code]["values"]["handled"] == 1 and rows[c.unit_b.code]["values"]["on_time_rate"] is None
    assert rows[c.village_unit.code]["score"] is None and rows[c.village_unit.code]["rank"] is None

    # Points: the weighted rates minus the deductions, with the admin's weights; ranked within the region.
    w = UnitScoringWeights.current()
    base = (
        (float(w.on_time) * 2 / 3 + float(w.consult) * 2 / 3 + float(w.first_satisfaction) / 2 + float(w.satisfaction))
        * 100
        / float(w.on_time + w.consult + w.first_satisfaction + w.satisfaction)
    )
    deduction = float(w.rehandle_penalty) + float(w.return_penalty) + 14 * float(w.overdue_day_penalty)
    assert zj["score"] == round(max(base - deduction, 0), 1)
    assert rows[c.unit_b.code]["score"] == 0.0  # handled, nothing answered yet: no rate, no points
    assert [r["unit"].code for r in response.context["rows"]][:2] == [c.unit.code, c.unit_b.code]
    assert zj["rank"] == 1 and rows[c.unit_b.code]["rank"] == 2


def test_it_weighs_with_the_admins_weights(year_of_work, client_for):
    c = year_of_work
    UnitScoringWeights.objects.create(
        on_time=100,
        consult=0,
        first_satisfaction=0,
        satisfaction=0,
        rehandle_penalty=0,
        return_penalty=0,
        overdue_day_penalty=0,
    )
    rows = {r["unit"].code: r for r in us.score_units(c.shitai, timezone.localdate().year)}
    assert rows[c.unit.code]["score"] == round(200 / 3, 1)


def test_each_figure_drills_down_to_its_items(year_of_work, client_for):
    c = year_of_work
    year = timezone.localdate().year
    client = client_for(c.staff)
    page = client.get(f"/reports/units/{c.shitai.code}/?year={year}").content.decode()
    base = f"/reports/units/{c.shitai.code}/items/{c.unit.code}/?year={year}"
    assert f"{base}&amp;figure=on_time_rate&amp;part=num" in page and f"{base}&amp;figure=handled" in page

    def listed(query):
        response = client.get(f"{base}&{query}")
        assert response.status_code == 200
        return {a.suggestion.title for a in response.context["page"]}

    assert listed("figure=handled") == {
        "一：面商后答复满意",
        "二：不满意后重新办理",
        "三：逾期答复",
        "五：仍在办理且已超期",
    }
    assert listed("figure=returned") == {"四：退回"}
    assert listed("figure=rehandled") == {"二：不满意后重新办理"}
    assert listed("figure=on_time_rate") == {"一：面商后答复满意", "二：不满意后重新办理", "三：逾期答复"}
    assert listed("figure=on_time_rate&part=num") == {"一：面商后答复满意", "二：不满意后重新办理"}
    assert listed("figure=first_satisfaction&part=num") == {"一：面商后答复满意"}
    assert listed("figure=overdue_days") == {"三：逾期答复", "五：仍在办理且已超期"}


def test_it_exports_the_same_figures_as_xlsx(year_of_work, client_for):
    c = year_of_work
    year = timezone.localdate().year
    response = client_for(c.staff).get(f"/reports/units/{c.shitai.code}/export.xlsx?year={year}")
    assert response.status_code == 200
    heads, rows = read_rows(io.BytesIO(b"".join(response.streaming_content)))
    assert heads[:4] == ["排名", "单位编码", "承办单位", "承办件数"]
    row = next(r for r in rows if r[1] == c.unit.code)
    assert row[3] == 4 and row[heads.index("按期答复率")] == "66.7%" and row[heads.index("退回件数")] == 1


def test_it_is_404_out_of_scope(year_of_work, client_for):
    c = year_of_work
    for user in (c.outsider, c.unit_user, c.deputy_user):
        assert client_for(user).get(f"/reports/units/{c.shitai.code}/").status_code == 404
        assert client_for(user).get(f"/reports/units/{c.shitai.code}/export.xlsx").status_code == 404
    staff = client_for(c.staff)
    assert staff.get(f"/reports/units/{c.dongzhi.code}/").status_code == 404
    # Another county's unit under one's own region: 404.
    assert staff.get(f"/reports/units/{c.shitai.code}/items/{c.other_unit.code}/?figure=handled").status_code == 404
    assert staff.get(f"/reports/units/{c.shitai.code}/items/{c.unit.code}/?figure=nope").status_code == 404
    assert (
        client_for(c.outsider).get(f"/reports/units/{c.shitai.code}/items/{c.unit.code}/?figure=handled").status_code
        == 404
    )
