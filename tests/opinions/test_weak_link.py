"""The QR page on a weak link: an oversized upload refused from its declared length, errors tied to their fields,
the resident pages without htmx or Bootstrap's JS, the form's script and progress region, keypads."""

import time

import pytest

from liaison.opinions.forms import form_token
from liaison.opinions.middleware import upload_limit
from liaison.opinions.models import Opinion
from tests.opinions.helpers import form_key

pytestmark = pytest.mark.django_db


def _data(station, **fields):
    return {
        "key": form_key("weak"),
        "token": form_token(station.code, time.time() - 60),
        "content": "村口自来水浑浊，烧开后有黄色沉淀。",
        "title": "",
        "resident_name": "",
        "resident_phone": "",
        "website": "",
        **fields,
    }


class Unreadable:
    """A request body that fails the test if anything reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


def test_it_refuses_an_oversized_upload_from_its_declared_length_before_reading_it(cast, client):
    response = client.generic(
        "POST",
        f"/s/{cast.station.code}/",
        b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(upload_limit() + 1),
        **{"wsgi.input": Unreadable()},
    )
    text = response.content.decode()
    assert response.status_code == 413 and "照片太大" in text and "Content-Security-Policy" in response
    assert Opinion.objects.count() == 0


def test_it_lets_an_upload_within_the_limit_through(cast, client):
    response = client.post(f"/s/{cast.station.code}/", _data(cast.station))
    assert response.status_code == 200 and "已收到" in response.content.decode()


def test_it_ties_a_refusal_to_its_field_and_marks_the_required_one(cast, client):
    response = client.post(f"/s/{cast.station.code}/", _data(cast.station, content="", resident_phone="12"))
    text = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_content_error"' in text and "请填写反映内容" in text
    assert 'aria-describedby="id_content_error"' in text and 'aria-invalid="true"' in text
    assert 'aria-required="true"' in text and "（必填）" in text


def test_it_ties_a_wrong_phone_to_the_phone_field(cast, client):
    response = client.post(f"/s/{cast.station.code}/", _data(cast.station, resident_phone="12"))
    text = response.content.decode()
    assert response.status_code == 400 and 'id="id_resident_phone_error"' in text and "联系电话格式不正确" in text


def test_it_loads_neither_htmx_nor_bootstrap_js_on_the_resident_pages(cast, client):
    form = client.get(f"/s/{cast.station.code}/").content.decode()
    done = client.post(f"/s/{cast.station.code}/", _data(cast.station)).content.decode()
    track = client.get("/track/").content.decode()
    for page in (form, done, track):
        assert "htmx.min" not in page and "bootstrap.bundle" not in page and "lz-resident" in page
        assert 'href="#main"' in page and 'id="main"' in page
    assert "js/resident-form" in form and 'id="upload-progress"' in form and 'aria-live="polite"' in form
    assert 'inputmode="tel"' in form
    assert 'inputmode="numeric"' in track


def test_it_still_loads_htmx_and_bootstrap_on_staff_pages(cast, client_for):
    page = client_for(cast.staff).get("/").content.decode()
    assert "htmx.min" in page and "bootstrap.bundle" in page


def test_it_compresses_html_when_the_browser_asks(cast, client):
    response = client.get(f"/s/{cast.station.code}/", headers={"accept-encoding": "gzip"})
    assert response.status_code == 200 and response["Content-Encoding"] == "gzip"
