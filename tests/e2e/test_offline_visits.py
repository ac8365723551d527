"""The deputy's visit form without a signal, in Chromium (static/js/visit-offline.js, visit-outbox.js,
offline-sw.js): the form opens offline from the service worker's cache, visits with photos wait in the
IndexedDB outbox across a browser restart, and arrive once each when the link is back; a refused visit shows the
server's reason, is fixed in the form and sent again."""

import datetime as dt
import io

import pytest
from django.core.signals import request_started
from django.utils import timezone
from PIL import Image

from liaison.api.models import IdempotentRequest
from liaison.opinions.models import Opinion, Photo, Visit
from tests.cast import PASSWORD
from tests.e2e.conftest import ARGS, CHROMIUM
from tests.e2e.photos import phone_photo

pytestmark = pytest.mark.django_db(transaction=True)
FORM = "/opinions/visits/new/"
WAIT = 60000


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "IMG_0002.jpg"
    path.write_bytes(phone_photo(seed=21))
    return path


@pytest.fixture
def profile(playwright_driver, tmp_path, settings):
    """open(offline=…) → a Chromium with the same profile directory each time: closing it and opening again
    keeps cookies, the service worker, its cache and IndexedDB, as a phone's browser does."""
    settings.SESSION_COOKIE_SECURE = False  # the live server speaks plain HTTP
    settings.CSRF_COOKIE_SECURE = False
    opened = []

    def open_(offline=False):
        context = playwright_driver.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=CHROMIUM,
            args=ARGS,
            locale="zh-CN",
            viewport={"width": 390, "height": 844},
            offline=offline,
        )
        opened.append(context)
        return context, context.pages[0] if context.pages else context.new_page()

    yield open_
    for context in opened:
        try:
            context.close()
        except Exception:  # noqa: BLE001 — already closed by the test
            pass


@pytest.fixture
def server_hits():
    """The paths the live server is asked for (it runs in this process), to show that offline means offline."""
    paths = []

    def hit(sender, environ=None, **kwargs):
        paths.append((environ or {}).get("PATH_INFO", ""))

    request_started.connect(hit)
    yield paths
    request_started.disconnect(hit)


def page_hits(paths):
    # The browser's own update check of the worker script is not held back by Playwright's offline emulation.
    return [p for p in paths if p != "/opinions/visits/sw.js"]


def sign_in(page, live_server, user, then=FORM):
    page.goto(f"{live_server.url}/accounts/login/?next={then}")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('登录')")
    page.wait_for_url(f"{live_server.url}{then}")


def wait_count(page, n):
    page.wait_for_selector(f"#outbox-count:text-is('{n}')", timeout=WAIT)


def wait_until(page, expression):
    """Poll a script expression (page.wait_for_function would evaluate it with eval, which our CSP forbids)."""
    for _ in range(WAIT // 250):
        if page.evaluate(expression):
            return
        page.wait_for_timeout(250)
    raise AssertionError(f"still false: {expression}")


def log_visit(page, place, content, photo=None, date=None):
    if date:
        page.fill("#id_date", date)
    page.fill("#id_place", place)
    page.fill("#id_op-0-content", content)
    if photo:
        page.set_input_files("#id_op-0-photos", str(photo))
    page.click("button[type=submit]")


def test_it_keeps_visits_logged_offline_across_a_restart_and_sends_each_once(
    cast, profile, live_server, photo, server_hits, tmp_path
):
    context, page = profile()
    sign_in(page, live_server, cast.deputy_user)
    wait_until(page, "navigator.serviceWorker.controller !== null")  # installed, cached

    context.set_offline(True)
    server_hits.clear()
    page.reload()  # from the worker's cache: there is no network
    page.wait_for_selector("#outbox:not([hidden])", timeout=WAIT)
    assert page.locator("h1").inner_text().startswith("登记走访")
    assert page.evaluate("navigator.onLine") is False
    assert page.locator("#id_station option").all_inner_texts() == [cast.station.name]  # the cached pick list
    for n in (1, 2, 3):
        log_visit(page, f"缘溪村{n}组", f"第 {n} 组村民反映：村道坑洼，雨天积水，孩子上学不便。", photo)
        wait_count(page, n)
    assert page.locator("li[data-status=queued]").count() == 3
    assert page.locator("#outbox").inner_text().count("照片 1 张") == 3
    page.screenshot(path=str(tmp_path / "outbox-queued.png"), full_page=True)
    # The page, its pick lists and its scripts came from the cache; nothing reached the server.
    assert not Visit.objects.exists() and page_hits(server_hits) == []
    context.close()

    # The browser opened again, back in signal range. (Playwright cannot hold a freshly started browser's
    # service worker offline from its first request, so the offline part ends with the first browser.)
    context, page = profile()
    page.goto(f"{live_server.url}{FORM}")
    if "/accounts/login/" in page.url:  # the browser forgot the session cookie on closing
        sign_in(page, live_server, cast.deputy_user)
    page.wait_for_selector("li[data-status=sent] >> nth=2", timeout=WAIT)
    wait_count(page, 0)
    assert server_hits.count("/api/v1/visits") >= 3  # sent by the second browser: they crossed the restart
    page.reload()  # once more: nothing is sent twice
    page.wait_for_selector("li[data-status=sent] >> nth=2", timeout=WAIT)

    visits = Visit.objects.filter(deputy=cast.deputy)
    assert sorted(v.place for v in visits) == ["缘溪村1组", "缘溪村2组", "缘溪村3组"]
    assert Opinion.objects.filter(visit__in=visits).count() == 3
    assert IdempotentRequest.objects.filter(endpoint="log_visit").count() == 3
    photos = Photo.objects.filter(opinion__visit__in=visits)
    assert photos.count() == 3
    for stored in photos:
        assert max(Image.open(io.BytesIO(stored.image.read())).size) <= 1600  # shrunk on the phone
    shown = page.locator("#outbox").inner_text()
    assert all(o.code in shown for o in Opinion.objects.all())  # the query codes, to pass on


def test_it_shows_a_refusal_and_sends_the_fixed_visit(cast, login, live_server, tmp_path):
    page = login(cast.deputy_user)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}{FORM}")
    page.wait_for_selector("#outbox:not([hidden])", timeout=WAIT)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    log_visit(page, "缘溪村五组", "村里的自来水管老化，经常停水。", date=tomorrow)
    page.wait_for_selector("li[data-status=refused]", timeout=WAIT)
    assert "走访日期不能晚于今天" in page.locator("li[data-status=refused]").inner_text()
    assert page.locator("#outbox-count").inner_text() == "1"
    page.screenshot(path=str(tmp_path / "outbox-refused.png"), full_page=True)
    assert not Visit.objects.exists()

    page.click("text=修改后重发")
    assert page.input_value("#id_date") == tomorrow and page.input_value("#id_place") == "缘溪村五组"
    assert page.input_value("#id_op-0-content") == "村里的自来水管老化，经常停水。"
    page.fill("#id_date", timezone.localdate().isoformat())
    page.click("button:has-text('保存并重新发送')")
    page.wait_for_selector("li[data-status=sent]", timeout=WAIT)
    wait_count(page, 0)
    assert page.locator("li[data-status=refused]").count() == 0
    page.screenshot(path=str(tmp_path / "outbox-sent.png"), full_page=True)
    visit = Visit.objects.get()
    assert visit.date == timezone.localdate() and visit.place == "缘溪村五组"
    assert visit.code in page.locator("#outbox").inner_text()
    page.click("text=知道了")
    wait_until(page, "document.querySelectorAll('#outbox-items li').length === 0")
    # Chromium reports the refused request itself (422) in the console; nothing else may fail (CSP, scripts).
    assert [e for e in errors if "422" not in e] == []
