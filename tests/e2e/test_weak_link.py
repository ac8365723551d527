"""The QR page on a weak link, in the browser: a 3 MB phone photo is shrunk on the phone, sent with visible
progress under a throttled upload, saved once and acknowledged in Chinese; a lost answer is retried with the same
idempotency key and gives the same acknowledgement."""

import io

import pytest
from PIL import Image

from liaison.opinions.models import Opinion, Photo
from tests.e2e.photos import phone_photo

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _no_fill_wait(monkeypatch):
    # The live server runs in this process: the 3-second "too fast" guard would only make the test wait.
    monkeypatch.setattr("liaison.opinions.forms.MIN_FILL_SECONDS", 0)


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "IMG_0001.jpg"
    path.write_bytes(phone_photo())
    assert path.stat().st_size > 2_500_000
    return path


def throttle(page, *, up_kbit: int, down_kbit: int = 2000, latency_ms: int = 100):
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": latency_ms,
            "downloadThroughput": down_kbit * 1000 // 8,
            "uploadThroughput": up_kbit * 1000 // 8,
        },
    )


def fill(page, live_server, station, photo):
    page.goto(f"{live_server.url}/s/{station.code}/")
    page.fill("#id_content", "村口的桥栏杆断了两根，孩子上学经过很危险，请尽快修好。")
    page.set_input_files("#id_photos", str(photo))


def test_it_sends_a_3_mb_photo_shrunk_with_progress_under_a_throttled_upload(cast, page, live_server, photo):
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    fill(page, live_server, cast.station, photo)
    throttle(page, up_kbit=1000)
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.click("button:has-text('提交')")
    page.wait_for_selector("#upload-progress:not([hidden])", timeout=60000)
    assert page.locator("button[type=submit]").is_disabled()
    page.wait_for_selector("text=已收到，谢谢您", timeout=120000)
    assert "查询码" in page.content()
    opinion = Opinion.objects.get(station=cast.station)
    stored = Photo.objects.get(opinion=opinion)
    width, height = Image.open(io.BytesIO(stored.image.read())).size
    assert max(width, height) <= 1600  # shrunk on the phone (the server alone keeps up to 2000)
    assert len(posts) == 1
    assert errors == []


def test_it_retries_a_lost_answer_and_gets_the_same_acknowledgement(cast, page, live_server, photo):
    fill(page, live_server, cast.station, photo)
    posts = []

    def lose_the_first_answer(route):
        posts.append(route.request.post_data_buffer)
        if len(posts) == 1:
            route.fetch()  # the server receives and saves it, the phone loses the answer
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route(f"{live_server.url}/s/**", lose_the_first_answer)
    page.click("button:has-text('提交')")
    page.wait_for_selector("text=网络中断", timeout=60000)
    page.wait_for_selector("text=已收到，谢谢您", timeout=60000)
    first, second = (body.replace(body.split(b"\r\n", 1)[0], b"--boundary") for body in posts)
    assert len(posts) == 2 and first == second  # the same text, photo and key
    assert Opinion.objects.filter(station=cast.station).count() == 1
    assert Photo.objects.filter(opinion__station=cast.station).count() == 1


def test_it_keeps_the_text_and_focuses_the_error_when_the_content_is_missing(cast, page, live_server):
    page.goto(f"{live_server.url}/s/{cast.station.code}/")
    page.fill("#id_resident_phone", "13700002222")
    page.click("button:has-text('提交')")
    page.wait_for_selector("#id_content_error")
    assert page.evaluate("document.activeElement.id") == "id_content"
    assert page.get_attribute("#id_content", "aria-describedby") == "id_content_error"
    assert page.input_value("#id_resident_phone") == "13700002222"
    assert Opinion.objects.count() == 0
