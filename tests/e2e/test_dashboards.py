"""The dashboards in a real browser: the charts drawn by our custom ECharts build, and axe-core finds no serious
or critical violation on them."""

import pytest
from django.core.management import call_command

from tests.e2e.test_accessibility import axe_source, serious_violations  # noqa: F401 (fixture)
from tests.opinions.helpers import make_opinion

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def figures(cast):
    for title in ("路灯不亮", "水渠堵塞", "道路破损"):
        make_opinion(cast, title=title)
    call_command("refresh_rollups", verbosity=0)


def test_the_county_dashboard_draws_its_charts_and_map(cast, figures, login, live_server):
    page = login(cast.staff)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    scripts = []
    page.on("request", lambda r: scripts.append(r.url) if r.resource_type == "script" else None)
    page.goto(f"{live_server.url}/reports/region/341722/")
    page.wait_for_selector("canvas", timeout=20000)
    assert page.locator("canvas").count() >= 2
    assert any("echarts.custom.min.js" in url for url in scripts)
    assert not any("echarts.min.js" in url for url in scripts)
    assert errors == []


@pytest.mark.parametrize(
    "path", ["/reports/region/341722/", "/reports/region/341700/", "/reports/station/ST341722100200/"]
)
def test_it_finds_no_serious_violation_on_the_dashboards(cast, figures, login, live_server, axe_source, path):  # noqa: F811
    page = login(cast.city_staff)
    page.goto(f"{live_server.url}{path}")
    page.wait_for_selector("canvas", timeout=20000)
    assert serious_violations(page, axe_source) == []
