"""Browser tests: Playwright driving Debian's Chromium (/usr/bin/chromium) against the live test server."""

import os
import shutil
import threading
import time

import pytest

CHROMIUM = os.environ.get("LIAISON_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")


ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def playwright_driver():
    """The Playwright driver, for a test that launches its own Chromium (a persistent profile: tests/e2e/
    test_offline_visits.py); others take `browser`."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM}; scripts/install-browser.sh installs it")
        pytest.skip(f"Chromium not found at {CHROMIUM} (run scripts/install-browser.sh as root)")
    # Playwright's sync API runs an event loop in this thread; the Django ORM calls in fixtures are still
    # synchronous and safe here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_driver):
    browser = playwright_driver.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    yield browser
    browser.close()


@pytest.fixture
def page(browser, settings):
    # The live server speaks plain HTTP; Secure-only cookies would not be sent back.
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    yield page
    try:
        page.goto("about:blank")  # stops the page's own timers and background fetches (the visit form's lists)
    except Exception:
        pass
    context.close()
    wait_for_live_server_requests()


def wait_for_live_server_requests(timeout: float = 15.0) -> None:
    """Let requests the page sent before it closed finish in the live server's threads: a request still running
    when the test's database is flushed deadlocks the flush on PostgreSQL (TRUNCATE against its locks)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any("process_request_thread" in t.name and t.is_alive() for t in threading.enumerate()):
            return
        time.sleep(0.05)


@pytest.fixture
def login(page, live_server):
    from tests.cast import PASSWORD

    def do(user):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        page.click("button:has-text('登录')")
        page.wait_for_url(f"{live_server.url}/")
        return page

    return do
