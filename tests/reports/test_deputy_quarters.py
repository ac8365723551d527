"""履职积分 by quarter in the deputy record: each item in the quarter of its own date (the last day of a quarter and
the first of the next fall apart), the year's weights, quarters adding up to the year, drill-downs, English."""

import datetime as dt
import html
import re
from decimal import Decimal

import pytest
from django.conf import settings as django_settings

from liaison.meetings.models import Attendance
from liaison.opinions.models import Mediation, Visit
from liaison.reports import assessment
from liaison.reports.models import ScoringWeights

from . import history as h
from .test_views import xlsx_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def year_at_the_edges(cast):
    """王建国's 2026, every item on a quarter's edge."""
    c, d = cast, cast.deputy
    made = {
        "q1_opinion": h.opinion(c.station, h.at(2026, 3, 31, 23), deputy=d),  # 23:00 local: still Q1
        "q2_opinion": h.opinion(c.station, h.at(2026, 4, 1, 0), deputy=d),  # local midnight: Q2 (UTC: 31 March)
    }
    for i, day in enumerate([dt.date(2026, 3, 31), dt.date(2026, 4, 1), dt.date(2026, 4, 1)]):
        Visit.objects.create(code=f"V9{i}", deputy=d, station=c.station, kind="door", date=day, place="村口")
    for i, day in enumerate([dt.date(2026, 6, 30), dt.date(2026, 7, 1), dt.date(2026, 7, 1)]):  # days, not visits
        Visit.objects.create(code=f"R9{i}", deputy=d, station=c.station, kind="reception", date=day, place="站")
    h.suggestion(c, h.at(2026, 6, 30, 23), title="六月末领衔", state="closed", answers=[("A", True, 5, 1)])
    h.suggestion(c, h.at(2026, 7, 1, 0), title="七月初领衔")
    for month in (9, 10):
        Attendance.objects.create(meeting=h.meeting(c.station, 2026, month, []), deputy=d)
    for i, day in enumerate([dt.date(2026, 12, 31), dt.date(2027, 1, 1), dt.date(2025, 12, 31)]):
        Mediation.objects.create(
            code=f"T9{i}",
            deputy=d,
            station=c.station,
            date=day,
            parties="甲,乙",
            subject="宅基地",
            steps="调解",
            result="resolved",
        )
    return made


def test_each_item_counts_in_the_quarter_of_its_own_date(cast, year_at_the_edges):
    quarters = assessment.deputy_quarter_counts([cast.deputy.pk], 2026)[cast.deputy.pk]
    by_item = {key: [quarters[q][key] for q in (1, 2, 3, 4)] for key, _label, _w in assessment.ACTIVITY_ITEMS}
    assert by_item["opinions"] == [1, 1, 0, 0]
    assert by_item["visits"] == [1, 2, 0, 0]
    assert by_item["reception_days"] == [0, 1, 1, 0]
    assert by_item["led"] == [0, 1, 1, 0] and by_item["resolved"] == [0, 1, 0, 0]
    assert by_item["meetings"] == [0, 0, 1, 1]
    assert by_item["mediations"] == [0, 0, 0, 1]  # 1 January 2027 and 31 December 2025 are other years
    assert assessment.deputy_counts([cast.deputy.pk], 2027)[cast.deputy.pk]["mediations"] == 1


def _table(page: str) -> dict[str, list[str]]:
    table = page[page.index('id="quarterly-points"') : page.index("</table>", page.index('id="quarterly-points"'))]
    rows = {}
    for key, cells in re.findall(r'<tr[^>]*data-item="(\w+)">(.*?)</tr>', table, re.S):
        rows[key] = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", cells, re.S)]
    return rows


def test_the_record_shows_the_points_by_quarter_with_the_years_weights(cast, year_at_the_edges, client_for):
    ScoringWeights.objects.create(visit=3, opinion=Decimal("1.5"), suggestion_led=10, meeting=4, mediation=0)
    response = client_for(cast.deputy_user).get(f"/reports/deputy/{cast.deputy.code}/?year=2026")
    assert response.status_code == 200
    page = response.content.decode()
    assert "季度履职积分" in page and "第1季度" in page and "第4季度" in page
    rows = _table(page)  # label, weight, Q1–Q4, year
    assert rows["opinions"][2:] == ["1", "1", "0", "0", "2"] and rows["visits"][1:] == ["3.00", "1", "2", "0", "0", "3"]
    w = ScoringWeights.current()
    want = [
        Decimal("1.5") + 3 + 0,  # Q1: an opinion and a visit
        Decimal("1.5") + 2 * 3 + w.reception_day + 10 + w.resolved,  # Q2
        w.reception_day + 10 + 4,  # Q3: a reception day, a suggestion, a meeting
        4 + 0,  # Q4: a meeting, a mediation weighing 0
    ]
    assert [Decimal(x) for x in rows["points"][2:6]] == want
    assert Decimal(rows["points"][6]) == sum(want) == response.context["points"]


def test_each_quarters_figure_drills_down_to_its_items(cast, year_at_the_edges, client_for):
    client = client_for(cast.deputy_user)
    page = client.get(f"/reports/deputy/{cast.deputy.code}/?year=2026").content.decode()
    table = page[page.index('id="quarterly-points"') :]
    links = {html.unescape(u) for u in re.findall(r'href="([^"]+)"', table[: table.index("</table>")])}

    def listed(metric, month_from, month_to):
        url = next(u for u in links if f"metric={metric}" in u and f"from=2026-{month_from}&to=2026-{month_to}" in u)
        response = client.get(url)
        assert response.status_code == 200
        return list(response.context["page"])

    assert [o.pk for o in listed("opinions", "01", "03")] == [year_at_the_edges["q1_opinion"].pk]
    assert [o.pk for o in listed("opinions", "04", "06")] == [year_at_the_edges["q2_opinion"].pk]
    assert [s.title for s in listed("raised", "04", "06")] == ["六月末领衔"]
    assert [s.title for s in listed("raised", "07", "09")] == ["七月初领衔"]
    assert not any("from=2026-10" in u and "metric=opinions" in u for u in links)  # nothing there: no link


def test_it_exports_the_quarters_and_reads_in_english(cast, year_at_the_edges, client_for):
    client = client_for(cast.deputy_user)
    x = client.get(f"/reports/deputy/{cast.deputy.code}/?year=2026&format=xlsx")
    rows = {r[0]: r for r in xlsx_rows(x)}
    quarters = [rows[f"第{q}季度积分"][3] for q in (1, 2, 3, 4)]
    assert sum(quarters) == rows["合计积分"][3] and quarters[0] > 0
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(f"/reports/deputy/{cast.deputy.code}/?year=2026").content.decode()
    assert "Points by quarter" in page and "<th>Q3</th>" in page and "Concerns collected" in page
