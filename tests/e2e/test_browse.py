import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_logs_in_on_a_phone_and_browses_stations_in_scope(cast, login, live_server):
    page = login(cast.staff)
    assert "您好" in page.content()
    page.goto(f"{live_server.url}/org/stations/")
    assert page.locator("text=缘溪村人大代表联络站").count() == 1
    assert page.locator("text=沙山村").count() == 0
    page.click("text=缘溪村人大代表联络站")
    assert page.locator("h1").inner_text().startswith("缘溪村")
    # Nothing the page needs is blocked by the Content-Security-Policy or missing.
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.reload()
    assert errors == []


def test_it_shows_a_wrong_password_message_in_chinese(cast, page, live_server):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", cast.staff.username)
    page.fill("#id_password", "wrong-password")
    page.click("button:has-text('登录')")
    # Wait for the answer page rather than reading the one being left (flaky on a loaded machine).
    page.wait_for_selector("text=用户名或密码不正确", timeout=15000)
    assert "用户名或密码不正确" in page.content()


def test_it_shows_the_api_documentation_from_our_own_files(cast, login, live_server):
    page = login(cast.staff)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    requested = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(f"{live_server.url}/api/v1/docs")
    page.wait_for_selector(".opblock", timeout=15000)
    assert page.locator(".opblock").count() >= 5
    assert all(url.startswith(live_server.url) for url in requested), requested
    assert errors == []
