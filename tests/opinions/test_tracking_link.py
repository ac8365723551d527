"""The signed link of the residents' SMS and the acknowledgement's 查询办理进度: the status page opens without
retyping the code and password; a bad or expired link says so and shows the lookup form."""

import time
from datetime import timedelta

import pytest
from django.core import signing
from django.test import Client

from liaison.opinions.forms import form_token
from liaison.opinions.models import Opinion
from liaison.opinions.services import telling
from tests.opinions.helpers import form_key, make_opinion

pytestmark = pytest.mark.django_db


def _path(opinion) -> str:
    return f"/t/{telling.link_token(opinion)}/"


def test_it_opens_the_status_page_from_the_link_in_a_fresh_client(cast):
    opinion, _ = make_opinion(cast)
    resident = Client()
    response = resident.get(_path(opinion))
    assert response.status_code == 302 and response["Location"] == f"/track/{opinion.code}/"
    page = resident.get(f"/track/{opinion.code}/").content.decode()
    assert "路灯不亮" in page and "已登记受理" in page
    # Unlocked for the session like after the lookup: the resident may rate once answered.
    assert resident.post(f"/track/{opinion.code}/rate/", {"rating": "satisfied"}).status_code == 302
    # Another visitor without the link still has to look it up.
    assert Client().get(f"/track/{opinion.code}/")["Location"] == "/track/"


def test_it_makes_links_on_the_site_address(cast, settings):
    settings.SITE_URL = "https://lz.example.cn"
    opinion, _ = make_opinion(cast)
    link = telling.track_link(opinion)
    assert link.startswith("https://lz.example.cn/t/") and len(link) < 70


def test_it_refuses_an_expired_link_with_the_lookup_form(cast, monkeypatch):
    opinion, _ = make_opinion(cast)
    with monkeypatch.context() as m:
        old = time.time() - telling.LINK_MAX_AGE.total_seconds() - 3600
        m.setattr(signing.time, "time", lambda: old)
        path = _path(opinion)
    resident = Client()
    response = resident.get(path)
    text = response.content.decode()
    assert response.status_code == 400 and "链接已过期" in text and 'name="password"' in text
    assert resident.get(f"/track/{opinion.code}/")["Location"] == "/track/"


def test_it_still_opens_a_link_just_inside_its_180_days(cast, monkeypatch):
    opinion, _ = make_opinion(cast)
    with monkeypatch.context() as m:
        old = time.time() - (telling.LINK_MAX_AGE - timedelta(days=1)).total_seconds()
        m.setattr(signing.time, "time", lambda: old)
        path = _path(opinion)
    assert telling.LINK_MAX_AGE == timedelta(days=180)
    assert Client().get(path).status_code == 302


@pytest.mark.parametrize("mangle", ["swap_code", "cut_signature", "garbage"])
def test_it_refuses_a_tampered_link_with_the_lookup_form(cast, mangle):
    opinion, _ = make_opinion(cast)
    other, _ = make_opinion(cast, title="另一件事")
    token = telling.link_token(opinion)
    token = {
        "swap_code": token.replace(opinion.code, other.code),
        "cut_signature": token[:-2],
        "garbage": "not-a-token",
    }[mangle]
    resident = Client()
    response = resident.get(f"/t/{token}/")
    text = response.content.decode()
    assert response.status_code == 400 and "链接无效" in text and 'name="code"' in text
    assert resident.get(f"/track/{other.code}/")["Location"] == "/track/"


def test_it_opens_the_status_page_from_the_acknowledgement_without_retyping(cast):
    resident = Client()
    data = {
        "key": form_key("ack"),
        "token": form_token(cast.station.code, time.time() - 60),
        "content": "村口自来水浑浊，烧开后有黄色沉淀，已经半个月了。",
        "title": "自来水浑浊",
        "resident_name": "",
        "resident_phone": "13700002222",
        "website": "",
    }
    page = resident.post(f"/s/{cast.station.code}/", data).content.decode()
    opinion = Opinion.objects.get(idempotency_key=f"qr:{form_key('ack')}")
    assert f'href="/track/{opinion.code}/">查询办理进度' in page and "短信告知您" in page
    detail = resident.get(f"/track/{opinion.code}/")
    assert detail.status_code == 200 and "自来水浑浊" in detail.content.decode()


def test_it_keeps_the_sms_switch_to_the_resident_who_opened_the_item(cast):
    opinion, _ = make_opinion(cast)
    assert Client().post(f"/track/{opinion.code}/sms/", {"stop": "on"}).status_code == 404
    resident = Client()
    resident.get(_path(opinion))
    assert resident.get(f"/track/{opinion.code}/sms/").status_code == 405
    assert resident.post(f"/track/{opinion.code}/sms/", {"stop": "on"}).status_code == 302
    opinion.refresh_from_db()
    assert opinion.sms_opt_out is True
