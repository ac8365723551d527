"""axe-core (npm devDependency, node_modules/axe-core) on the resident pages and the deputy's visit pages:
no serious or critical violation."""

import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db(transaction=True)
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="module")
def axe_source():
    if not AXE.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{AXE} missing; scripts/vendor-static.sh installs it (npm devDependency)")
        pytest.skip(f"{AXE} missing (run scripts/vendor-static.sh)")
    return AXE.read_text(encoding="utf-8")


def serious_violations(page, axe_source):
    page.evaluate(axe_source)  # evaluated by the driver, not a <script>: the page's CSP stays as it is
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_it_finds_no_serious_violation_on_the_resident_pages(cast, page, live_server, axe_source, monkeypatch):
    monkeypatch.setattr("liaison.opinions.forms.MIN_FILL_SECONDS", 0)
    found = {}
    page.goto(f"{live_server.url}/s/{cast.station.code}/")
    found["qr"] = serious_violations(page, axe_source)
    page.click("button:has-text('提交')")  # empty: the error tied to its field
    page.wait_for_selector("#id_content_error")
    found["qr-error"] = serious_violations(page, axe_source)
    page.fill("#id_content", "村口路灯坏了一个月，晚上看不清路。")
    page.click("button:has-text('提交')")
    page.wait_for_selector("text=已收到，谢谢您")
    found["acknowledgement"] = serious_violations(page, axe_source)
    page.click("text=查询办理进度")
    page.wait_for_selector("h1")
    found["status"] = serious_violations(page, axe_source)
    page.goto(f"{live_server.url}/track/")
    found["track"] = serious_violations(page, axe_source)
    assert {k: v for k, v in found.items() if v} == {}


def test_it_finds_no_serious_violation_on_the_deputy_visit_pages(cast, login, live_server, axe_source):
    page = login(cast.deputy_user)
    found = {}
    for name, path in [("visits", "/opinions/visits/"), ("visit-new", "/opinions/visits/new/")]:
        page.goto(f"{live_server.url}{path}")
        found[name] = serious_violations(page, axe_source)
    assert {k: v for k, v in found.items() if v} == {}
