"""Dashboards read the rollups in a handful of queries (reads.py), with the figures metrics.figures() gives, and the
set-based rebuild (rollup_sql.py) counts what the per-item build counts."""

import datetime as dt
import re
from collections import Counter

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from liaison.org.models import Region
from liaison.reports import dashboards, reads, rollups
from liaison.reports import metrics as m
from liaison.reports.models import COLUMNS, MonthlyRollup, RegionMonthTotal
from liaison.suggestions.models import Suggestion

from . import history as h
from .test_property import _clear, _make, opinions, suggestions
from .test_views import _grown, _township

MARCH = "from=2026-03&to=2026-03"
Q1 = "from=2026-01&to=2026-03"
# The tables a dashboard's own reads touch (the rest of a request: session, user, scope, the freshness check).
DATA_TABLES = re.compile(r'"(reports_(?!rollupstate)\w+|suggestions_\w+|opinions_\w+|org_category)"')


@pytest.fixture
def built(cast, march):
    h.suggestion(cast, h.at(2026, 1, 12), state="closed", answers=[("B", True, 12, 1)], evaluations=[(1, "basic")])
    h.opinion(cast.station_b, h.at(2026, 2, 3), channel="letter", state="closed")
    rollups.rebuild()
    return march


def _data_queries(client, url) -> tuple[list[str], int]:
    client.get(url)  # a refresh of the rollups, if due, is not the page's reading
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200
    sqls = [q["sql"] for q in ctx.captured_queries]
    return [s for s in sqls if DATA_TABLES.search(s)], len(sqls)


@pytest.mark.parametrize(
    "who,place,query",
    [
        ("staff", "shitai", MARCH),
        ("staff", "shitai", Q1 + "&category={cat}"),
        ("city_staff", "city", Q1),
        ("township_staff", "renli", MARCH),
    ],
)
def test_it_reads_a_region_dashboard_in_at_most_five_queries(cast, built, client_for, who, place, query):
    query = query.format(cat=cast.categories["交通运输"].pk)
    data, total = _data_queries(client_for(getattr(cast, who)), f"/reports/region/{getattr(cast, place).code}/?{query}")
    assert len(data) <= 5, "\n".join(data)
    assert total <= 13  # with the session, the user, the viewer's scope, the region and the nav's unread count


def test_it_reads_the_station_dashboard_in_at_most_five_queries(cast, built, client_for):
    data, _total = _data_queries(client_for(cast.head), f"/reports/station/{cast.station.code}/?{MARCH}")
    assert len(data) <= 5, "\n".join(data)


def test_it_reads_as_many_queries_for_fifteen_townships_as_for_three(cast, built, client_for):
    client = client_for(cast.staff)
    url = f"/reports/region/{cast.shitai.code}/?{MARCH}"
    grow = _grown(lambda i: _township(cast, i))  # a township, a station, an overdue and a supervised item each
    grow(0, 3)
    small, small_total = _data_queries(client, url)
    grow(3, 12)
    large, large_total = _data_queries(client, url)
    assert len(small) == len(large) <= 5 and small_total == large_total
    html = client.get(url).content.decode()
    assert "新镇14" in html and "新村14人大代表联络站" in html


def _filters(cast, place, period, **kw):
    return m.Filters(period, region=getattr(cast, place), **kw)


PERIODS = [m.Period.month(dt.date(2026, 3, 1)), m.Period(dt.date(2026, 1, 1), dt.date(2026, 4, 1), "Q1")]


@pytest.mark.parametrize("place", ["city", "shitai", "renli"])
@pytest.mark.parametrize("period", PERIODS, ids=["march", "q1"])
@pytest.mark.parametrize("extra", [{}, {"category": "交通运输"}, {"level": "township"}], ids=["all", "cat", "level"])
def test_it_shows_the_figures_metrics_computes(cast, built, place, period, extra):
    kw = {"level": extra.get("level", "")}
    if "category" in extra:
        kw["category_id"] = cast.categories[extra["category"]].pk
    filters = _filters(cast, place, period, **kw)
    data = reads.period_data(filters, overdue=m.overdue_suggestions(filters).count())
    assert data.figs.as_dict() == m.figures(filters).as_dict()
    assert data.prev.as_dict() == m.figures(filters.with_period(period.previous()), with_overdue=False).as_dict()
    assert dashboards.trend_of(filters, data.months) == dashboards.trend(filters)
    assert _rows(dashboards.category_rows(filters, data.categories)) == _rows(dashboards.categories(filters))
    region = getattr(cast, place)
    by = dashboards.CHILD_LEVEL[region.level][0]
    groups, names, st_groups, st_names = reads.rankings(filters, region, by)
    assert _ranks(dashboards.ranked(filters, by, groups, names)) == _ranks(dashboards.ranking(filters, region))
    stations = dashboards.ranking(filters, Region(level=Region.Level.TOWNSHIP))
    assert _ranks(dashboards.ranked(filters, "station_id", st_groups, st_names)) == _ranks(stations)


def _rows(rows):
    return sorted((r["name"], r["opinions"], r["raised"], r["closed_rate"], r["url_raised"]) for r in rows)


def _ranks(rank):
    return rank["label"], [(r["code"], r["name"], r["opinions"], r["raised"], r["values"]) for r in rank["rows"]]


def test_it_pages_the_overdue_list_and_counts_it_by_suggestion(cast, built, client_for):
    for i in range(24):
        h.suggestion(cast, h.at(2026, 3, 9), title=f"超期{i:02d}", state="handling", overdue=True)
    rollups.rebuild()
    client = client_for(cast.staff)
    first = client.get(f"/reports/region/{cast.shitai.code}/?{MARCH}").content.decode()
    overdue = m.overdue_suggestions(m.Filters(m.Period.month(dt.date(2026, 3, 1)), region=cast.shitai)).count()
    assert overdue == 25  # march's (d) and these
    assert f"共 {overdue} 件 · 第 1 页" in first and "overdue=2" in first
    second = client.get(f"/reports/region/{cast.shitai.code}/?{MARCH}&overdue=2").content.decode()
    assert "第 2 页" in second and "上一页" in second
    shown = lambda html: set(re.findall(r"超期\d\d", html))  # noqa: E731
    assert len(shown(first)) + len(shown(second)) == 24 and not shown(first) & shown(second)
    past = client.get(f"/reports/region/{cast.shitai.code}/?{MARCH}&overdue=9").content.decode()
    assert f"共 {overdue} 件" in past and not shown(past)


def test_it_pages_the_key_supervised_list(cast, built, client_for):
    for i in range(21):
        s = h.suggestion(cast, h.at(2026, 3, 9), title=f"督办{i:02d}", state="handling")
        Suggestion.objects.filter(pk=s.pk).update(key_supervised=True)
    html = client_for(cast.staff).get(f"/reports/region/{cast.shitai.code}/?{MARCH}").content.decode()
    assert "共 21 件 · 第 1 页" in html and "supervised=2" in html


# --- the set-based rebuild -----------------------------------------------------------------------------------


def _region_sums_from_rows() -> dict:
    """RegionMonthTotal as the definition says: MonthlyRollup rows summed per month, region subtree, category."""
    regions = [r for r in Region.objects.all() if r.level != Region.Level.VILLAGE]
    out = {}
    for row in MonthlyRollup.objects.all():
        for region in regions:
            if not row.region_path.startswith(region.path):
                continue
            key = (row.month, region.pk, row.category_id)
            sums, hist = out.setdefault(key, (dict.fromkeys(COLUMNS, 0), Counter()))
            for c in COLUMNS:
                sums[c] += getattr(row, c)
            hist.update({int(k): v for k, v in row.days_hist.items()})
    return out


def _stored_region_sums() -> dict:
    return {
        (r.month, r.region_id, r.category_id): (
            {c: getattr(r, c) for c in COLUMNS},
            Counter({int(k): v for k, v in r.days_hist.items()}),
        )
        for r in RegionMonthTotal.objects.all()
    }


def test_it_rebuilds_what_the_per_item_build_counts(cast, built):
    assert MonthlyRollup.objects.exists()
    assert rollups.recount(fix=False) == []
    assert _stored_region_sums() == _region_sums_from_rows()


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(ops=opinions, sgs=suggestions, split=st.integers(0, 8))
def test_it_keeps_the_region_totals_equal_to_the_rows_through_refreshes(cast, ops, sgs, split):
    with transaction.atomic():
        _clear()
        _make(cast, ops[:split], sgs[:split])
        rollups.rebuild()
        assert rollups.recount(fix=False) == []
        assert _stored_region_sums() == _region_sums_from_rows()
        _make(cast, ops[split:], sgs[split:])
        rollups.refresh()
        assert _stored_region_sums() == _region_sums_from_rows()
        transaction.set_rollback(True)
