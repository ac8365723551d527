"""The Open311 GeoReport v2 server (liaison/open311/): every resource in JSON and XML, the POST through the intake
service, its idempotency, the key's region, and the spec's error list for bad input."""

import datetime as dt
import json
import uuid
from urllib.parse import urlencode
from xml.etree import ElementTree as ET

import pytest
from django.test import Client
from django.utils import timezone

from liaison.api import services as api_services
from liaison.opinions import services
from liaison.opinions.models import Opinion

pytestmark = pytest.mark.django_db
BASE = "/open311/v2"
PHONE = "13900001111"


def key_for(cast, endpoints=("open311:read", "open311:write"), region=None):
    return api_services.create_integration_key(
        name="12345热线", region=region or cast.shitai, endpoints=list(endpoints), actor=cast.admin
    )


@pytest.fixture
def key(cast):
    return key_for(cast)


@pytest.fixture
def secret(key):
    return key[1]


def post(fmt, data, **headers):
    body = urlencode(data)
    return Client().post(
        f"{BASE}/requests.{fmt}", body, content_type="application/x-www-form-urlencoded", headers=headers
    )


def get(path, **params):
    return Client().get(f"{BASE}/{path}", params)


def xml(response):
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(response.content)


def errors_json(response, status):
    assert response.status_code == status and response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body, list) and body[0]["code"] == status and body[0]["description"]
    return body[0]["description"]


def errors_xml(response, status):
    assert response.status_code == status
    root = xml(response)
    assert root.tag == "errors" and root.find("error/code").text == str(status)
    return root.find("error/description").text


def request_form(cast, secret, **extra):
    return {
        "api_key": secret,
        "service_code": "城乡建设",
        "attribute[station]": cast.station.code,
        "description": "村口路灯坏了一个月，晚上走路不安全",
        "first_name": "三",
        "last_name": "张",
        "phone": PHONE,
        **extra,
    }


def opinion_at(station, actor, **kw) -> Opinion:
    return services.register_opinion(station=station, channel="phone", content="桥面有裂缝", actor=actor, **kw)[0]


# --- discovery, services, service definitions -----------------------------------------------------------------


def test_it_answers_discovery_in_json_and_xml(cast):
    body = get("discovery.json").json()
    endpoint = body["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2/") and "text/xml" in endpoint["formats"]
    root = xml(get("discovery.xml"))
    assert root.tag == "discovery" and root.find("changeset").text == body["changeset"]
    formats = [f.text for f in root.findall("endpoints/endpoint/formats/format")]
    assert formats == ["application/json", "text/xml"]


def test_it_lists_the_top_level_categories_as_services_in_chinese(cast):
    services_json = get("services.json").json()
    codes = [s["service_code"] for s in services_json]
    assert "城乡建设" in codes and "其他" in codes
    first = services_json[0]
    assert first["service_name"] == first["service_code"] and "社情民意" in first["description"]
    assert first["metadata"] is True and first["type"] == "realtime" and first["group"] == "社情民意"
    root = xml(get("services.xml"))
    assert root.tag == "services" and [s.findtext("service_code") for s in root.findall("service")] == codes
    assert root.find("service/metadata").text == "true"


def test_it_defines_a_service_with_the_jurisdictions_stations(cast):
    body = get("services/城乡建设.json", jurisdiction_id=cast.shitai.code).json()
    assert body["service_code"] == "城乡建设"
    station = next(a for a in body["attributes"] if a["code"] == "station")
    assert station["datatype"] == "singlevaluelist" and station["required"] is False
    assert [v["key"] for v in station["values"]] == [cast.station.code, cast.station_b.code]
    root = xml(get("services/城乡建设.xml", jurisdiction_id=cast.dongzhi.code))
    assert root.tag == "service_definition"
    values = [v.findtext("key") for v in root.findall("attributes/attribute[code='station']/values/value")]
    assert values == [cast.other_station.code]
    everywhere = get("services/城乡建设.json").json()["attributes"][0]["values"]
    assert {v["key"] for v in everywhere} == {cast.station.code, cast.station_b.code, cast.other_station.code}


def test_it_answers_404_for_an_unknown_service_or_jurisdiction(cast):
    assert "服务" in errors_json(get("services/没有这个.json"), 404)
    assert "服务" in errors_xml(get("services/没有这个.xml"), 404)
    errors_json(get("services.json", jurisdiction_id="999999"), 404)
    assert get("services/城乡建设.csv").status_code == 404  # only .json and .xml


# --- POST requests --------------------------------------------------------------------------------------------


def test_it_creates_a_request_that_the_station_sees_in_its_ledger(cast, client_for, key, secret):
    response = post("json", request_form(cast, secret))
    assert response.status_code == 201, response.content
    [answer] = response.json()
    opinion = Opinion.objects.get(code=answer["service_request_id"])
    assert opinion.station == cast.station and opinion.created_by == key[0].user and opinion.channel == "phone"
    assert opinion.category.name == "城乡建设" and opinion.resident_name == "张三" and opinion.resident_phone == PHONE
    assert cast.station.name in answer["service_notice"] and answer["account_id"] is None
    assert PHONE not in response.content.decode() and "张三" not in response.content.decode()
    ledger = client_for(cast.officer).get("/opinions/").content.decode()
    assert opinion.code in ledger


def test_it_answers_a_post_in_xml_routed_by_the_village_in_the_address(cast, secret):
    form = request_form(cast, secret, address_string="石台县仁里镇缘溪村村口", lat="30.1", long="117.5")
    del form["attribute[station]"]
    response = post("xml", form)
    assert response.status_code == 201
    root = xml(response)
    code = root.find("request/service_request_id").text
    opinion = Opinion.objects.get(code=code)
    assert opinion.station == cast.station
    assert "【位置】石台县仁里镇缘溪村村口；坐标 30.100000,117.500000" in opinion.content
    by_id = request_form(cast, secret, address_id=cast.taokeng.code, description="桃坑村的水渠堵了")
    del by_id["attribute[station]"]
    [answer] = post("json", by_id).json()
    assert Opinion.objects.get(code=answer["service_request_id"]).station == cast.station_b


def test_it_refuses_bad_input_with_the_specs_error_list(cast, secret):
    unroutable = request_form(cast, secret, lat="30.1", long="117.5")
    del unroutable["attribute[station]"]
    assert "attribute[station]" in errors_json(post("json", unroutable), 400)
    assert "attribute[station]" in errors_xml(post("xml", unroutable), 400)
    assert "lat/long" in errors_json(post("json", {**unroutable, "long": ""}), 400)
    assert "description" in errors_json(post("json", request_form(cast, secret, description="")), 400)
    assert "phone" in errors_json(post("json", request_form(cast, secret, phone="12ab")), 400)
    assert "service_code" in errors_json(post("json", request_form(cast, secret, service_code="")), 400)
    errors_json(post("json", request_form(cast, secret, service_code="没有这个")), 404)
    other = request_form(cast, secret, **{"attribute[station]": cast.other_station.code})
    assert cast.other_station.code in errors_json(post("json", other), 400)
    errors_json(post("json", request_form(cast, secret, **{"attribute[channel]": "qr"})), 400)
    assert not Opinion.objects.exists()


def test_it_answers_403_for_a_missing_or_invalid_api_key(cast, key, secret):
    assert "api_key" in errors_json(post("json", request_form(cast, "")), 403)
    errors_xml(post("xml", request_form(cast, "lzk_AbCdEfGh_nope")), 403)
    _, read_only = key_for(cast, ["open311:read"])
    assert "无权" in errors_json(post("json", request_form(cast, read_only)), 403)
    _, v1_only = key_for(cast, ["opinions:write"])
    errors_json(post("json", request_form(cast, v1_only)), 403)
    api_services.revoke_token(token=key[0], actor=cast.admin)
    errors_json(post("json", request_form(cast, secret)), 403)
    errors_json(get("requests.json"), 403)
    assert not Opinion.objects.exists()


def test_it_does_not_duplicate_a_retry_with_the_same_idempotency_key(cast, secret):
    idem = uuid.uuid4().hex
    first = post("json", request_form(cast, secret), **{"Idempotency-Key": idem})
    again = post("json", request_form(cast, secret), **{"Idempotency-Key": idem})
    assert (first.status_code, again.status_code) == (201, 200) and first.json() == again.json()
    assert Opinion.objects.count() == 1
    changed = request_form(cast, secret, description="另一件事：河道有垃圾")
    assert "Idempotency-Key" in errors_json(post("json", changed, **{"Idempotency-Key": idem}), 400)
    errors_json(post("json", changed, **{"Idempotency-Key": "short"}), 400)
    assert Opinion.objects.count() == 1


def test_it_takes_the_same_request_again_within_minutes_for_a_retry(cast, secret):
    first = post("json", request_form(cast, secret))
    again = post("json", request_form(cast, secret))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()[0]["service_request_id"] == first.json()[0]["service_request_id"]
    assert "重复" in again.json()[0]["service_notice"]
    assert post("json", request_form(cast, secret, description="另一件事：河道有垃圾")).status_code == 201
    Opinion.objects.update(created_at=timezone.now() - dt.timedelta(minutes=11))
    assert post("json", request_form(cast, secret)).status_code == 201
    assert Opinion.objects.count() == 3


# --- GET requests ---------------------------------------------------------------------------------------------


def test_it_lists_only_the_keys_region_in_json_and_xml(cast, secret):
    mine = opinion_at(cast.station, cast.officer, resident_name="李四", resident_phone=PHONE)
    theirs = opinion_at(cast.other_station, cast.outsider)
    listed = get("requests.json", api_key=secret)
    assert [r["service_request_id"] for r in listed.json()] == [mine.code]
    assert PHONE not in listed.content.decode() and "李四" not in listed.content.decode()
    root = xml(get("requests.xml", api_key=secret))
    assert root.tag == "service_requests" and [r.findtext("service_request_id") for r in root] == [mine.code]
    assert root.find("request/status").text == "open" and root.find("request/lat").text is None
    assert get("requests.json", api_key=secret, service_request_id=theirs.code).json() == []
    _, dongzhi = key_for(cast, region=cast.dongzhi)
    assert [r["service_request_id"] for r in get("requests.json", api_key=dongzhi).json()] == [theirs.code]


def test_it_filters_requests_by_id_service_dates_and_status(cast, secret):
    roads = opinion_at(cast.station, cast.officer, category=cast.categories["交通运输"])
    told = opinion_at(cast.station_b, cast.staff, category=cast.categories["城乡建设"])
    services.answer_on_spot(opinion=told, answer="已联系住建局", actor=cast.staff, told_now=True)

    def ids(**params):
        response = get("requests.json", api_key=secret, **params)
        assert response.status_code == 200, response.content
        return {r["service_request_id"] for r in response.json()}

    assert ids() == {roads.code, told.code}
    assert ids(status="open") == {roads.code} and ids(status="closed") == {told.code}
    assert ids(service_code="城乡建设") == {told.code}
    assert ids(service_request_id=f"{roads.code},{told.code}", status="open") == {roads.code, told.code}
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    assert ids(start_date=tomorrow) == set() and ids(end_date=tomorrow) == {roads.code, told.code}
    assert ids(start_date="2020-01-01T00:00:00+08:00", end_date="2020-02-01T00:00:00+08:00") == set()
    assert ids(jurisdiction_id=cast.yuanxi.code) == {roads.code}
    assert "status" in errors_json(get("requests.json", api_key=secret, status="pending"), 400)
    assert "start_date" in errors_xml(get("requests.xml", api_key=secret, start_date="yesterday"), 400)
    errors_json(get("requests.json", api_key=secret, jurisdiction_id=cast.dongzhi.code), 404)


def test_it_reads_one_request_with_its_public_status_and_agency(cast, secret):
    opinion = opinion_at(cast.station, cast.officer, resident_phone=PHONE)
    [row] = get(f"requests/{opinion.code}.json", api_key=secret).json()
    assert row["status"] == "open" and row["status_notes"].startswith("已登记受理")
    assert row["requested_datetime"].endswith("+08:00") and row["agency_responsible"] == cast.station.name
    assert row["address_id"] == cast.yuanxi.code and PHONE not in json.dumps(row)
    services.put_on_agenda(opinion=opinion, actor=cast.officer)
    opinion.refresh_from_db()
    services.refer_opinion(opinion=opinion, unit=cast.unit, actor=cast.head)
    root = xml(get(f"requests/{opinion.code}.xml", api_key=secret))
    assert root.find("request/agency_responsible").text == cast.unit.name
    assert root.find("request/status_notes").text.startswith("会商决定：转办")
    assert root.find("request/updated_datetime").text >= row["updated_datetime"]


def test_it_answers_404_for_another_regions_request(cast, secret):
    theirs = opinion_at(cast.other_station, cast.outsider)
    errors_json(get(f"requests/{theirs.code}.json", api_key=secret), 404)
    errors_xml(get(f"requests/{theirs.code}.xml", api_key=secret), 404)
    errors_xml(get(f"requests/{theirs.code}.xml"), 403)


def test_it_routes_a_request_with_only_coordinates_to_the_nearest_station_of_the_keys_region(cast, secret):
    from decimal import Decimal

    def place(station, lat, lng):
        station.latitude, station.longitude = Decimal(lat), Decimal(lng)
        station.save()

    place(cast.station, "30.2100", "117.4800")
    place(cast.station_b, "30.2500", "117.5300")
    place(cast.other_station, "30.1300", "117.4100")  # nearest of all to the point, but not the key's region
    form = request_form(cast, secret, lat="30.1500", long="117.4400")
    del form["attribute[station]"]
    [answer] = post("json", form).json()
    opinion = Opinion.objects.get(code=answer["service_request_id"])
    assert opinion.station == cast.station and "坐标 30.150000,117.440000" in opinion.content
    near_b = request_form(cast, secret, lat="30.2600", long="117.5200", description="桥头的护栏断了")
    del near_b["attribute[station]"]
    [answer] = post("json", near_b).json()
    assert Opinion.objects.get(code=answer["service_request_id"]).station == cast.station_b
    far = request_form(cast, secret, lat="31.0000", long="118.5000", description="远处")
    del far["attribute[station]"]
    assert "15 公里" in errors_json(post("json", far), 400)
    assert Opinion.objects.count() == 2


def test_distances_are_great_circle_kilometres():
    from liaison.open311.selectors import distance_km

    assert distance_km((30.0, 117.0), (30.0, 117.0)) == 0
    assert 110.5 < distance_km((30.0, 117.0), (31.0, 117.0)) < 111.5  # a degree of latitude
    assert 96.0 < distance_km((30.0, 117.0), (30.0, 118.0)) < 96.6  # a degree of longitude at 30°N
