import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from liaison.opinions import services
from liaison.opinions.forms import form_token
from liaison.opinions.models import Opinion, Photo
from tests.opinions.helpers import form_key, jpeg_bytes
from tests.queries import assert_flat_queries

KEY = form_key("k")
pytestmark = pytest.mark.django_db


def _post(client, station, *, key=KEY, issued=None, **fields):
    data = {
        "key": key,
        "token": form_token(station.code, time.time() if issued == "now" else time.time() - 60),
        "content": "村口自来水浑浊，烧开后有黄色沉淀，已经半个月了。",
        "title": "自来水浑浊",
        "resident_name": "",
        "resident_phone": "",
        "website": "",
    }
    data.update(fields)
    return client.post(f"/s/{station.code}/", data)


def _ack(response):
    text = response.content.decode()
    code = text.split('font-monospace">')[1].split("<")[0]
    password = text.split('font-monospace">')[2].split("<")[0]
    return code, password


def test_it_shows_the_public_form_without_an_account(cast, client):
    response = client.get(f"/s/{cast.station.code}/")
    text = response.content.decode()
    assert response.status_code == 200 and "缘溪村人大代表联络站" in text and "王建国" in text
    assert 'name="key"' in text and 'name="website"' in text


def test_it_says_so_for_an_unknown_station(client):
    response = client.get("/s/ST000000/")
    assert response.status_code == 404 and "没有找到" in response.content.decode()


def test_it_takes_a_submission_with_a_photo_and_tracks_it_until_closed(cast, client):
    photo = SimpleUploadedFile("water.jpg", jpeg_bytes(), content_type="image/jpeg")
    response = _post(client, cast.station, photos=[photo], resident_name="赵大妈", resident_phone="13700002222")
    assert response.status_code == 200 and "已收到" in response.content.decode()
    code, password = _ack(response)
    opinion = Opinion.objects.get(code=code)
    assert opinion.channel == Opinion.Channel.QR and opinion.resident_phone == "13700002222"
    stored = Photo.objects.get(opinion=opinion)
    assert stored.content_type == "image/jpeg" and b"SecretCamera" not in stored.image.read()

    resident = Client()
    assert resident.post("/track/", {"code": code, "password": password}).status_code == 302
    page = resident.get(f"/track/{code}/").content.decode()
    assert "已登记" in page and "自来水浑浊" in page
    served = resident.get(f"/track/{code}/photos/{stored.pk}/")
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    stored.image.seek(0)
    assert b"".join(served.streaming_content) == stored.image.read()

    services.answer_on_spot(
        opinion=opinion, answer="水厂已冲洗管网，水质检测合格。", actor=cast.officer, told_now=False
    )
    services.record_report_back(
        opinion=opinion, method="phone", at=timezone.localdate(), reaction="satisfied", actor=cast.officer
    )
    services.close_opinion(opinion=opinion, actor=cast.officer)
    page = resident.get(f"/track/{code}/").content.decode()
    assert "已关闭" in page and "水厂已冲洗管网" in page and "officer" not in page
    assert resident.post(f"/track/{code}/rate/", {"rating": "satisfied"}).status_code == 302
    assert "您的评价" in resident.get(f"/track/{code}/").content.decode()
    resident.post(f"/track/{code}/rate/", {"rating": "dissatisfied"})
    opinion.refresh_from_db()
    assert opinion.rating == "satisfied"


def test_it_creates_one_opinion_for_the_same_form_sent_twice(cast, client):
    first = _post(client, cast.station)
    second = _post(client, cast.station)
    assert Opinion.objects.count() == 1
    assert _ack(first) == _ack(second)


def test_it_acknowledges_the_winner_when_two_submissions_race(cast, client, monkeypatch):
    services.submit_public_opinion(station=cast.station, key=form_key("k"), content="同一份表单", client="x")
    # The second request passed the "already there?" check before the first committed: the unique
    # constraint refuses the insert and the same acknowledgement is shown.
    calls = {"n": 0}
    real_filter = Opinion.objects.filter

    def miss_once(*args, **kwargs):
        # Miss the first lookup by key, however else it filters (e.g. by station as well).
        if "idempotency_key" in kwargs and calls["n"] == 0:
            calls["n"] += 1
            return Opinion.objects.none()
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(Opinion.objects, "filter", miss_once)
    opinion, password, created = services.submit_public_opinion(
        station=cast.station, key=form_key("k"), content="同一份表单", client="x"
    )
    assert not created and Opinion.objects.count() == 1 and password == services.password_for_key(form_key("k"))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"content": ""}, "请填写反映内容"),
        ({"content": "长" * 5001}, "不能超过 5000"),
        ({"content": "正常\x00\x07\x1b[31m"}, "无法识别的字符"),
        ({"website": "http://spam.example"}, "提交未成功"),
        ({"issued": "now"}, "提交太快"),
        ({"token": "forged"}, "表单已过期"),
        ({"resident_phone": "call me"}, "联系电话格式不正确"),
    ],
)
def test_it_refuses_bad_input_with_a_chinese_message_and_saves_nothing(cast, client, fields, message):
    token = fields.pop("token", None)
    response = (
        _post(client, cast.station, **fields)
        if token is None
        else client.post(f"/s/{cast.station.code}/", {"key": form_key("k"), "token": token, "content": "内容"})
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Opinion.objects.count() == 0


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("virus.jpg", b"MZ\x90\x00\x03" + b"\x00" * 200, content_type="image/jpeg"),
            "不是有效的图片",
        ),
        (SimpleUploadedFile("a.gif", jpeg_bytes(fmt="GIF"), content_type="image/gif"), "不是 JPG 或 PNG"),
        (SimpleUploadedFile("big.jpg", b"\xff\xd8" + b"0" * (5 * 1024 * 1024), content_type="image/jpeg"), "超过 5 MB"),
    ],
)
def test_it_refuses_bad_photos_and_saves_nothing(cast, client, upload, message):
    response = _post(client, cast.station, photos=[upload])
    assert response.status_code == 400 and message in response.content.decode()
    assert Opinion.objects.count() == 0 and Photo.objects.count() == 0


def test_it_limits_a_flood_from_one_address(cast, client):
    for i in range(services.SUBMIT_LIMIT_PER_CLIENT[0]):
        assert _post(client, cast.station, key=form_key(str(i))).status_code == 200
    response = _post(client, cast.station, key=form_key("f"))
    assert response.status_code == 400 and "太频繁" in response.content.decode()
    assert Opinion.objects.count() == services.SUBMIT_LIMIT_PER_CLIENT[0]


def test_it_reveals_nothing_for_a_wrong_password_and_throttles(cast, client):
    _post(client, cast.station)
    opinion = Opinion.objects.get()
    other = Client()
    response = other.post("/track/", {"code": opinion.code, "password": "999999x"})
    text = response.content.decode()
    assert response.status_code == 422 and "查询码或查询密码不正确" in text and "自来水" not in text
    assert other.get(f"/track/{opinion.code}/").status_code == 302  # not unlocked
    unknown = other.post("/track/", {"code": "MXXXXXXXX", "password": "123456"}).content.decode()
    assert "查询码或查询密码不正确" in unknown
    for _ in range(5):
        other.post("/track/", {"code": opinion.code, "password": "000000x"})
    good = other.post("/track/", {"code": opinion.code, "password": services.password_for_key(form_key("k"))})
    assert good.status_code == 429 and "次数过多" in good.content.decode()


def test_it_prints_a_poster_with_the_qr_code(cast, client_for, settings):
    settings.SITE_URL = "https://lz.example.cn"
    response = client_for(cast.officer).get(f"/opinions/stations/{cast.station.code}/poster/")
    text = response.content.decode()
    assert response.status_code == 200
    assert 'src="data:image/svg+xml;base64,' in text and f"https://lz.example.cn/s/{cast.station.code}/" in text
    assert "王建国" in text and "每月 20 日" in text and "<script>" not in text
    assert client_for(cast.outsider).get(f"/opinions/stations/{cast.station.code}/poster/").status_code == 404


def _stationed(cast, first, n):
    from liaison.org.models import Deputy, Level, Mandate, Stationing

    for i in range(first, first + n):
        deputy = Deputy.objects.create(code=f"D30{i:05d}", name=f"进站代表{i}", home_region=cast.yuanxi)
        Mandate.objects.create(deputy=deputy, level=Level.TOWNSHIP, region=cast.renli)
        Stationing.objects.create(deputy=deputy, station=cast.station)


@pytest.mark.parametrize("page", ["public", "poster"])
def test_it_names_the_stations_deputies_without_a_query_per_deputy(cast, client, client_for, page):
    _stationed(cast, 0, 3)
    url = f"/s/{cast.station.code}/" if page == "public" else f"/opinions/stations/{cast.station.code}/poster/"
    viewer = client if page == "public" else client_for(cast.officer)
    text = assert_flat_queries(viewer, url, grow=lambda: _stationed(cast, 3, 12)).content.decode()
    assert "王建国" in text and "进站代表0" in text and "进站代表14" in text
