"""Idempotency done right: a key belongs to one station and one endpoint, and to one request body."""

import pytest

from liaison.opinions.models import Opinion
from tests.opinions.helpers import form_key
from tests.opinions.test_public_views import _ack, _post

pytestmark = pytest.mark.django_db
KEY = form_key("api-client")


def _api(client, station_code, payload, key=KEY):
    return client.post(
        f"/api/v1/public/stations/{station_code}/opinions",
        payload,
        content_type="application/json",
        headers={"Idempotency-Key": key},
    )


def test_it_answers_a_replay_with_the_original_and_refuses_the_key_with_another_body(cast, client):
    body = {"content": "村口路灯坏了三个月，晚上孩子放学很危险"}
    first = _api(client, cast.station.code, body)
    assert first.status_code == 201
    replay = _api(client, cast.station.code, body)
    assert replay.status_code == 200 and replay.json() == {**first.json(), "created": False}
    other = _api(client, cast.station.code, {"content": "桥面裂缝越来越大，车辆还在通行"})
    assert other.status_code == 422 and other.json()["field"] == "Idempotency-Key"
    assert "password" not in other.json()
    assert Opinion.objects.count() == 1


def test_it_keeps_each_stations_keys_apart(cast, client):
    body = {"content": "村口路灯坏了三个月，晚上孩子放学很危险"}
    here = _api(client, cast.station.code, body).json()
    there = _api(client, cast.station_b.code, body)
    # Knowing a key used at one station reveals nothing of that submission at another.
    assert there.status_code == 201 and there.json()["code"] != here["code"]
    assert Opinion.objects.count() == 2


@pytest.mark.parametrize("key", ["a" * 32, "0" * 31 + "1", "abcabcabcabcabcabc"])
def test_it_refuses_keys_a_client_did_not_draw_at_random(cast, client, key):
    response = _api(client, cast.station.code, {"content": "路灯坏了"}, key=key)
    assert response.status_code == 422 and "过于简单" in response.json()["detail"]
    assert not Opinion.objects.exists()


def test_it_tells_a_resident_who_resends_an_edited_form_to_start_a_new_one(cast, client):
    first = _post(client, cast.station)
    assert first.status_code == 200
    again = _post(client, cast.station)
    assert _ack(again) == _ack(first)
    edited = _post(client, cast.station, content="改了内容：自来水还是浑浊，而且有异味。")
    assert edited.status_code == 400 and "这张表单已经提交过了" in edited.content.decode()
    assert Opinion.objects.count() == 1
