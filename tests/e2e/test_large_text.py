"""At 200% text size on a 375 px phone, the resident pages and the deputy's visit form do not overflow sideways
(WCAG 1.4.4 resize text): what a villager with large system fonts sees."""

import pytest

from tests.opinions.helpers import make_opinion

pytestmark = pytest.mark.django_db(transaction=True)


def _overflow(page) -> int:
    # Through the CSSOM (the site's CSP refuses injected <style>): the root size every rem is counted from.
    page.evaluate("document.documentElement.style.setProperty('font-size', '200%', 'important')")
    page.wait_for_timeout(100)
    body_px = float(page.evaluate("getComputedStyle(document.body).fontSize").removesuffix("px"))
    assert body_px >= 32, f"text did not grow with the root size ({body_px}px): sizes in px ignore the user's setting"
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_resident_pages_fit_a_375_px_phone_at_twice_the_text_size(cast, page, live_server):
    page.set_viewport_size({"width": 375, "height": 812})
    opinion, password = make_opinion(cast)
    found = {}
    page.goto(f"{live_server.url}/s/{cast.station.code}/")
    found["qr"] = _overflow(page)
    page.goto(f"{live_server.url}/track/")
    found["track"] = _overflow(page)
    page.fill("input[name=code]", opinion.code)
    page.fill("input[name=password]", password)
    page.click("form[method=post] button.btn-danger")
    page.wait_for_selector("h1")
    found["status"] = _overflow(page)
    assert found == {"qr": 0, "track": 0, "status": 0}


def test_the_visit_form_fits_a_375_px_phone_at_twice_the_text_size(cast, login, live_server):
    page = login(cast.deputy_user)
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(f"{live_server.url}/opinions/visits/new/")
    assert _overflow(page) == 0
