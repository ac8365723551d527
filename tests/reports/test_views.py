import datetime as dt
import io
import re

import pytest
from django.conf import settings as django_settings
from openpyxl import load_workbook

from liaison.org.models import Region, Station
from liaison.reports import bulletin as bulletins
from liaison.reports import metrics as m
from liaison.reports import rollups
from liaison.suggestions.models import Suggestion
from tests.queries import assert_flat_queries

from . import history as h

MARCH = "from=2026-03&to=2026-03"


def xlsx_rows(response) -> list[tuple]:
    return list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))


@pytest.fixture
def built(cast, march):
    rollups.rebuild()
    return march


def test_it_shows_the_county_dashboard_with_definitions(cast, built, client_for, django_assert_max_num_queries):
    client = client_for(cast.staff)
    with django_assert_max_num_queries(30):
        r = client.get(f"/reports/region/{cast.shitai.code}/?{MARCH}")
    assert r.status_code == 200
    html = r.content.decode()
    assert "办结率" in html and "75.0%" in html
    assert m.DEF_CLOSED in html  # the definition, verbatim
    assert "仁里镇" in html  # township ranking
    assert 'id="reports-data"' in html and "<script>" not in html  # data via json_script, no inline script


def test_it_counts_each_category_in_the_dashboards_category_table(cast, built, client_for):
    html = client_for(cast.staff).get(f"/reports/region/{cast.shitai.code}/?{MARCH}").content.decode()
    assert "opinions.Opinion.None" not in html
    # 交通运输: March's six suggestions in 石台县 (a–f), linked to the list of exactly those.
    row = re.search(r"<tr><td>交通运输</td><td><a [^>]*>(\d+)</a></td><td><a [^>]*>(\d+)</a></td>", html)
    assert row and row.group(2) == "6"
    assert '<option value="' in html and "全部</option>" in html  # the category filter still lists them


DEVELOPERS_WORDS = ("PRODUCT.md", "resolution rate =", "÷ accepted", "manage.py", "monthly_bulletin", "echarts-china")


def test_it_explains_the_figures_in_plain_chinese_without_file_names_or_commands(
    cast, built, client_for, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"  # the bulletin is generated and stored on first opening
    client = client_for(cast.city_staff)
    pages = {
        "county": client.get(f"/reports/region/{cast.shitai.code}/?{MARCH}"),
        "city": client.get(f"/reports/region/{cast.city.code}/?{MARCH}"),
        "station": client.get(f"/reports/station/{cast.station.code}/?{MARCH}"),
        "bulletin": client.get(f"/reports/bulletin/region/{cast.shitai.code}/2026-03/"),
        "bulletins": client.get("/reports/bulletins/"),
    }
    for name, response in pages.items():
        html = response.content.decode()
        assert response.status_code == 200, name
        for words in DEVELOPERS_WORDS:
            assert words not in html, (name, words)
    assert "办结率：统计期内提交并已立案的代表建议中，已办结的比例" in pages["county"].content.decode()
    assert "指标口径" in pages["county"].content.decode()
    bulletin = pages["bulletin"].content.decode()
    assert "满意率：已测评的代表建议中" in bulletin and "反馈率：已有处理结果的社情民意中" in bulletin


def test_it_shows_a_stored_bulletin_with_todays_definitions(cast, built, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    b = bulletins.generate(cast.shitai, dt.date(2026, 3, 1))
    old = [{**f, "definition": "办结率 resolution rate = closed ÷ accepted"} for f in b.figures["figures"]]
    type(b).objects.filter(pk=b.pk).update(figures={**b.figures, "figures": old})
    html = client_for(cast.staff).get(f"/reports/bulletin/region/{cast.shitai.code}/2026-03/").content.decode()
    assert "resolution rate" not in html and m.DEF_CLOSED in html


def test_it_explains_the_figures_in_english_on_an_english_page(cast, built, client_for):
    client = client_for(cast.staff)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(f"/reports/region/{cast.shitai.code}/?{MARCH}").content.decode()
    assert "Resolution rate: of the suggestions submitted in the period and accepted, the share closed" in html
    assert "How items are counted: an opinion belongs to the month it was registered" in html


def test_it_shows_the_city_map_and_says_jiuhuashan_has_no_outline(cast, built, client_for):
    r = client_for(cast.city_staff).get(f"/reports/region/{cast.city.code}/?{MARCH}")
    assert r.status_code == 200
    html = r.content.decode()
    assert "chizhou-map.js" in html and "九华山风景区无边界数据" in html


def test_it_links_the_rate_to_exactly_the_counted_items(cast, built, client_for):
    client = client_for(cast.staff)
    html = client.get(f"/reports/region/{cast.shitai.code}/?{MARCH}").content.decode()
    link = (
        re.search(r'href="(/reports/items/\?metric=closed_rate&amp;[^"]*part=num)"', html)
        .group(1)
        .replace("&amp;", "&")
    )
    listed = client.get(link).content.decode()
    s = built["s"]
    for key in ("a", "b", "c"):
        assert s[key].code in listed
    for key in ("d", "e", "other", "april"):
        assert s[key].code not in listed
    den = client.get(link.replace("&part=num", "")).content.decode()
    assert s["d"].code in den and s["e"].code not in den
    x = client.get(link + "&format=xlsx")
    rows = list(load_workbook(io.BytesIO(b"".join(x.streaming_content))).active.iter_rows(values_only=True))
    assert {r[0] for r in rows[1:]} == {s["a"].code, s["b"].code, s["c"].code}


def test_it_compares_the_township_villages_side_by_side(cast, built, client_for, django_assert_max_num_queries):
    client = client_for(cast.township_staff)
    with django_assert_max_num_queries(25):
        r = client.get(f"/reports/region/{cast.renli.code}/compare/?{MARCH}")
    html = r.content.decode()
    assert cast.station.name in html and cast.station_b.name in html
    # 缘溪村: 3 opinions + 5 suggestions per 2,100 residents.
    assert f"{8 * 1000 / 2100:.1f}" in html


def test_it_shows_the_station_view(cast, built, client_for, django_assert_max_num_queries):
    client = client_for(cast.head)
    with django_assert_max_num_queries(22):
        r = client.get(f"/reports/station/{cast.station.code}/?{MARCH}")
    assert r.status_code == 200 and built["s"]["a"].title in r.content.decode()


def test_it_shows_a_deputy_their_own_record(cast, built, client_for):
    r = client_for(cast.deputy_user).get(f"/reports/deputy/{cast.deputy.code}/?year=2026")
    assert r.status_code == 200
    html = r.content.decode()
    assert "履职积分" in html and "领衔建议" in html
    assert client_for(cast.deputy2_user).get(f"/reports/deputy/{cast.deputy.code}/").status_code == 404
    x = client_for(cast.deputy_user).get(f"/reports/deputy/{cast.deputy.code}/?year=2026&format=xlsx")
    assert x.status_code == 200
    rows = xlsx_rows(x)
    assert rows[0] == ("项目", "数量", "权重", "积分")
    items = {r[0]: r for r in rows[1:]}
    assert items["领衔建议"][1] >= 1 and items["收集社情民意"][1] == 1  # the visit opinion of March
    total = [r for r in rows if r[0] == "合计积分"]
    points = [r[3] for r in rows[1 : rows.index(total[0])]]
    assert total[0][3] == sum(points) and total[0][3] > 0


def test_it_exports_the_assessment_and_shortlist(cast, built, client_for):
    client = client_for(cast.staff)
    page = client.get(f"/reports/assessment/{cast.shitai.code}/?year=2026")
    assert page.status_code == 200
    assert cast.station.name in page.content.decode() and cast.station_b.name in page.content.decode()
    shitai_stations = {cast.station.name, cast.station_b.name}

    def export(url, table):
        r = client.get(url)
        assert r.status_code == 200, table
        rows = xlsx_rows(r)
        assert all("沙山村" not in str(cell) for row in rows for cell in row), table  # another county
        return rows[0], rows[1:]

    base = f"/reports/assessment/{cast.shitai.code}/export"
    heads, rows = export(f"{base}/stations.xlsx?year=2026", "stations")
    assert heads[:3] == ("站点编码", "联络站", "乡镇") and heads[-2:] == ("得分", "星级")
    assert {(r[0], r[1], r[2]) for r in rows} == {(s.code, s.name, "仁里镇") for s in (cast.station, cast.station_b)}
    heads, rows = export(f"{base}/shortlist.xlsx?year=2026", "shortlist")
    assert heads == ("类别", "编号", "名称", "积分/得分", "说明")
    assert ("代表", cast.deputy.code, cast.deputy.name) in {r[:3] for r in rows}
    # Every station is either shortlisted or listed as not eligible, with the reason.
    assert sorted(r[2] for r in rows if r[0] in ("联络站", "不参评联络站")) == sorted(shitai_stations)
    assert all(r[4] for r in rows if r[0] == "不参评联络站")
    base = f"/reports/region/{cast.shitai.code}/export"
    heads, rows = export(f"{base}/ranking.xlsx?{MARCH}", "ranking")
    assert heads[1:4] == ("社情民意", "建议", "办结率") and [r[0] for r in rows] == ["仁里镇"]
    assert rows[0][3] == "75.0%"  # the same 办结率 as the dashboard
    for table in ("stations", "compare"):
        heads, rows = export(f"{base}/{table}.xlsx?{MARCH}", table)
        assert heads[0] == "联络站" and {r[0] for r in rows} == shitai_stations, table
    heads, rows = export(f"{base}/categories.xlsx?{MARCH}", "categories")
    assert heads == ("分类", "社情民意", "建议", "办结率") and "交通运输" in {r[0] for r in rows}
    heads, rows = export(f"{base}/overdue.xlsx?{MARCH}", "overdue")
    assert heads[:3] == ("建议编号", "案号", "标题")
    assert [r[0] for r in rows] == [built["s"]["d"].code]  # the one overdue assignment


def test_it_hides_another_county_from_an_outsider(cast, built, client_for):
    client = client_for(cast.outsider)
    code, st = cast.shitai.code, cast.station.code
    urls = [
        f"/reports/region/{code}/",
        f"/reports/region/{cast.renli.code}/compare/",
        f"/reports/region/{code}/export/ranking.xlsx",
        f"/reports/region/{code}/export/overdue.xlsx",
        f"/reports/station/{st}/",
        f"/reports/deputy/{cast.deputy.code}/",
        f"/reports/assessment/{code}/",
        f"/reports/assessment/{code}/export/shortlist.xlsx",
        f"/reports/items/?metric=closed_rate&region={code}&{MARCH}",
        f"/reports/items/?metric=opinions&station={st}&{MARCH}&format=xlsx",
        f"/reports/bulletin/region/{code}/2026-03/",
        f"/reports/bulletin/region/{code}/2026-03/file.docx",
        f"/reports/bulletin/station/{st}/2026-03/file.xlsx",
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    # Their own county shows only their own figures.
    html = client.get(f"/reports/region/{cast.dongzhi.code}/?{MARCH}").content.decode()
    assert "石台县" not in html and "仁里镇" not in html
    bulletins = client.get("/reports/bulletins/")
    assert bulletins.status_code == 200 and "石台县" not in bulletins.content.decode()


def test_it_lets_a_unit_see_no_statistics(cast, built, client_for):
    assert client_for(cast.unit_user).get(f"/reports/region/{cast.shitai.code}/").status_code == 404
    assert client_for(cast.unit_user).get("/reports/").status_code == 404


# --- query-count guards: each dashboard renders with as many queries for 15 rows as for 3 --------------------


def _township(cast, i):
    """One more township of 石台县 (新镇{i}) with one village and station, and March's work there."""
    township = Region.objects.create(
        code=f"341722{200 + i}", name=f"新镇{i}", level=Region.Level.TOWNSHIP, parent=cast.shitai
    )
    return _station(cast, i, township)


def _station(cast, i, township=None):
    """One more village and station (新村{i}) in `township` (仁里镇), with March's work: an opinion at the station
    (decided at its meeting), a closed suggestion and one overdue and key-supervised."""
    township = township or cast.renli
    village = Region.objects.create(
        code=f"{township.code}{300 + i}", name=f"新村{i}", level=Region.Level.VILLAGE, parent=township, population=900
    )
    station = Station.objects.create(code=f"ST{village.code}", name=f"新村{i}人大代表联络站", region=village)
    station.villages.set([village])
    op = h.opinion(station, h.at(2026, 3, 2), channel="qr", state="closed", category=cast.categories["城乡建设"])
    h.meeting(station, 2026, 3, [(op, "village")])
    h.suggestion(cast, h.at(2026, 3, 3), station=station, state="closed", answers=[("A", True, 30, 1)])
    late = h.suggestion(cast, h.at(2026, 3, 4), station=station, state="handling", overdue=True)
    Suggestion.objects.filter(pk=late.pk).update(key_supervised=True, supervising_leader=cast.leader)
    return station


def _grown(make):
    def grow(first, n):
        for i in range(first, first + n):
            make(i)
        rollups.rebuild()

    return grow


def _flat(client, url, grow, **kw):
    grow(0, 3)
    return assert_flat_queries(client, url, grow=lambda: grow(3, 12), **kw).content.decode()


def test_it_shows_the_county_dashboard_without_a_query_per_township(cast, built, client_for):
    grow = _grown(lambda i: _township(cast, i))
    html = _flat(client_for(cast.staff), f"/reports/region/{cast.shitai.code}/?{MARCH}", grow)
    assert "新镇0" in html and "新镇14" in html and "新村14人大代表联络站" in html  # township and station rankings


def test_it_shows_the_county_dashboard_without_a_query_per_listed_item(cast, built, client_for):
    # The overdue and key-supervised lists (each capped at 20) grow inside one township.
    grow = _grown(lambda i: _station(cast, i))
    html = _flat(client_for(cast.staff), f"/reports/region/{cast.shitai.code}/?{MARCH}", grow)
    assert "新村14人大代表联络站" in html and "leader" in html


def test_it_shows_the_city_dashboard_without_a_query_per_county(cast, built, client_for):
    def make(i):
        county = Region.objects.create(
            code=f"3417{30 + i}", name=f"新县{i}", level=Region.Level.COUNTY, parent=cast.city
        )
        township = Region.objects.create(
            code=f"{county.code}100", name=f"新县{i}镇", level=Region.Level.TOWNSHIP, parent=county
        )
        _station(cast, i, township)

    html = _flat(client_for(cast.city_staff), f"/reports/region/{cast.city.code}/?{MARCH}", _grown(make))
    assert "石台县" in html and "新县0" in html and "新县14" in html


def test_it_compares_villages_without_a_query_per_station(cast, built, client_for):
    grow = _grown(lambda i: _station(cast, i))
    html = _flat(client_for(cast.township_staff), f"/reports/region/{cast.renli.code}/compare/?{MARCH}", grow)
    assert cast.station.name in html and "新村0人大代表联络站" in html and "新村14人大代表联络站" in html


def test_it_shows_the_station_view_without_a_query_per_suggestion(cast, built, client_for):
    def make(i):
        h.suggestion(cast, h.at(2026, 3, 10), title=f"站内建议{i}", state="handling", overdue=i % 2 == 0)

    html = _flat(client_for(cast.head), f"/reports/station/{cast.station.code}/?{MARCH}", _grown(make))
    assert "站内建议0" in html and "站内建议14" in html


def test_it_shows_a_deputys_record_without_a_query_per_item(cast, built, client_for):
    def make(i):
        h.suggestion(cast, h.at(2026, 3 + i % 9, 10), state="closed", answers=[("A", True, 30, 1)])
        h.opinion(cast.station, h.at(2026, 3 + i % 9, 11), channel="visit", state="closed", deputy=cast.deputy)

    html = _flat(client_for(cast.deputy_user), f"/reports/deputy/{cast.deputy.code}/?year=2026", _grown(make))
    assert "履职积分" in html and "领衔建议" in html


def test_it_shows_the_assessment_without_a_query_per_station(cast, built, client_for):
    grow = _grown(lambda i: _township(cast, i))
    html = _flat(client_for(cast.staff), f"/reports/assessment/{cast.shitai.code}/?year=2026", grow)
    assert cast.station.name in html and "新村0人大代表联络站" in html and "新村14人大代表联络站" in html


@pytest.mark.parametrize("metric", ["opinions", "feedback_rate", "dec_village", "closed_rate", "overdue"])
def test_it_lists_the_counted_items_without_a_query_per_item(cast, built, client_for, metric):
    grow = _grown(lambda i: _station(cast, i))
    url = f"/reports/items/?metric={metric}&region={cast.shitai.code}&{MARCH}"
    html = _flat(client_for(cast.staff), url, grow)
    assert "新村14人大代表联络站" in html


def test_it_lists_bulletins_without_a_query_per_bulletin(cast, built, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    months = [dt.date(2025, mth, 1) for mth in range(1, 13)] + [dt.date(2026, mth, 1) for mth in (1, 2, 3)]

    def make(i):
        bulletins.generate(cast.station if i % 2 else cast.renli, months[i])

    html = _flat(client_for(cast.staff), "/reports/bulletins/", _grown(make))
    assert "共 15 份" in html and "2025-01" in html and "2026-03" in html and cast.station.name in html


ROW_OF_EACH_EXPORT = {
    f"/reports/region/341722/export/ranking.xlsx?{MARCH}": "新镇14",
    f"/reports/region/341722/export/stations.xlsx?{MARCH}": "新村14人大代表联络站",
    f"/reports/region/341722/export/categories.xlsx?{MARCH}": "城乡建设",
    f"/reports/region/341722/export/compare.xlsx?{MARCH}": "新村14人大代表联络站",
    f"/reports/region/341722/export/overdue.xlsx?{MARCH}": "石台县住房和城乡建设局",
    "/reports/assessment/341722/export/stations.xlsx?year=2026": "新村14人大代表联络站",
    "/reports/assessment/341722/export/shortlist.xlsx?year=2026": "新村14人大代表联络站",
}


@pytest.mark.parametrize("url", ROW_OF_EACH_EXPORT)
def test_it_exports_the_dashboard_tables_without_a_query_per_row(cast, built, client_for, url):
    grow = _grown(lambda i: _township(cast, i))
    grow(0, 3)
    response = assert_flat_queries(client_for(cast.staff), url, grow=lambda: grow(3, 12))
    rows = list(load_workbook(io.BytesIO(response.streamed)).active.iter_rows(values_only=True))
    assert ROW_OF_EACH_EXPORT[url] in {str(c) for row in rows for c in row}
    if "overdue" in url:
        assert len(rows) == 1 + 1 + 15  # the heading, March's one and one per new township
