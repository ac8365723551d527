import pytest

from liaison.opinions.models import Opinion
from liaison.opinions.services import register_opinion
from tests.queries import assert_flat_queries

pytestmark = pytest.mark.django_db

KEY = "a1b2c3d4e5f6g7h8i9j0"


def submit(client, station_code, payload, key=KEY):
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(
        f"/api/v1/public/stations/{station_code}/opinions", payload, content_type="application/json", headers=headers
    )


def test_it_accepts_a_resident_submission_once_however_often_it_is_retried(cast, client):
    payload = {"content": "村口路灯坏了三个月，晚上孩子放学很危险", "resident_phone": "13900001111"}
    first = submit(client, cast.station.code, payload)
    assert first.status_code == 201
    again = submit(client, cast.station.code, payload)
    assert again.status_code == 200
    assert again.json()["code"] == first.json()["code"] and again.json()["password"] == first.json()["password"]
    assert Opinion.objects.filter(station=cast.station).count() == 1


def test_it_answers_bad_input_with_field_errors_not_500(cast, client):
    assert submit(client, cast.station.code, {"content": ""}).status_code == 422
    assert submit(client, cast.station.code, {"content": "长" * 5001}).status_code == 422
    missing_key = submit(client, cast.station.code, {"content": "路灯坏了"}, key="")
    assert missing_key.status_code == 422 and missing_key.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]
    assert submit(client, "ST-NOPE", {"content": "路灯坏了"}).status_code == 404
    garbage = client.post(
        f"/api/v1/public/stations/{cast.station.code}/opinions",
        b"\x00\xff\xfe",
        content_type="application/json",
        headers={"Idempotency-Key": KEY},
    )
    assert garbage.status_code in (400, 422)
    assert Opinion.objects.count() == 0


def test_it_lists_opinions_in_scope_with_contacts_masked_for_others(cast, client_for):
    register_opinion(
        station=cast.station,
        channel="phone",
        title="路灯",
        content="路灯坏了",
        actor=cast.officer,
        resident_name="张三",
        resident_phone="13900001111",
    )
    staff = client_for(cast.staff).get("/api/v1/opinions").json()["items"]
    assert staff[0]["resident_phone"] == "13900001111"
    deputy = client_for(cast.deputy2_user).get("/api/v1/opinions").json()["items"]
    assert deputy[0]["resident_phone"] == "139****1111" and deputy[0]["resident_name"] == "张*"
    assert client_for(cast.outsider).get("/api/v1/opinions").json() == {"items": [], "next": None}
    assert client_for(cast.unit_user).get("/api/v1/opinions").json() == {"items": [], "next": None}
    code = staff[0]["code"]
    assert client_for(cast.outsider).get(f"/api/v1/opinions/{code}").status_code == 404


def test_it_answers_a_retry_that_raced_past_the_check_with_the_first_submissions_opinion(cast, client, monkeypatch):
    # The first request commits between the retry's "already there?" check and its insert, however that check
    # is written: the unique key refuses the retry's row, and the race handler returns the first one's opinion.
    from liaison.opinions import services
    from liaison.opinions.services import intake

    real_clean, first = intake._clean_fields, {}

    def first_request_commits_now(**fields):
        if not first:
            first["started"] = True
            first["opinion"], first["password"], _ = services.submit_public_opinion(
                station=cast.station,
                key=KEY,
                content="村口路灯坏了三个月",
                client="first-request",
                endpoint=services.ENDPOINT_API,
            )
        return real_clean(**fields)

    monkeypatch.setattr(intake, "_clean_fields", first_request_commits_now)  # where submit_public_opinion finds it
    retry = submit(client, cast.station.code, {"content": "村口路灯坏了三个月"})
    assert first, "the retry never got past its check"
    assert retry.status_code == 200, retry.status_code
    body = retry.json()
    assert body["code"] == first["opinion"].code and body["password"] == first["password"]
    assert body["created"] is False
    assert list(Opinion.objects.values_list("code", flat=True)) == [first["opinion"].code]


@pytest.mark.parametrize("who", ["staff", "deputy2_user", "deputy_user"])
def test_it_lists_opinions_without_a_query_per_opinion(cast, client_for, who):
    def grow(first, n):
        for i in range(first, first + n):
            register_opinion(
                station=cast.station if i % 2 else cast.station_b,
                channel="phone",
                title=f"事项{i}",
                content="路灯坏了",
                actor=cast.staff,
                category=cast.categories["城乡建设"] if i % 3 else None,
                deputy=cast.deputy if i % 4 == 1 else None,
                resident_name="张三",
                resident_phone="13900001111",
            )

    grow(0, 3)
    response = assert_flat_queries(client_for(getattr(cast, who)), "/api/v1/opinions", grow=lambda: grow(3, 12))
    items = response.json()["items"]
    assert len(items) == (15 if who == "staff" else 7)  # the deputies: their station's
    assert {o["title"] for o in items} >= {"事项1", "事项3", "事项13"}
    phones = {o["title"]: o["resident_phone"] for o in items}
    assert phones["事项3"] == ("13900001111" if who == "staff" else "139****1111")
    assert phones["事项1"] == ("139****1111" if who == "deputy2_user" else "13900001111")  # collected by deputy
