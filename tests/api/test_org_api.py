import pytest

from liaison.org.models import Deputy, Level, Mandate, Region, Station, Stationing
from tests.queries import assert_flat_queries

pytestmark = pytest.mark.django_db


def test_it_requires_a_session(client):
    assert client.get("/api/v1/stations").status_code == 401


def test_it_lists_only_stations_in_scope(cast, client_for):
    data = client_for(cast.staff).get("/api/v1/stations").json()
    assert {s["code"] for s in data["items"]} == {cast.station.code, cast.station_b.code}
    assert data["items"][0]["county"] == "石台县"
    assert client_for(cast.outsider).get(f"/api/v1/stations/{cast.station.code}").status_code == 404
    assert client_for(cast.unit_user).get("/api/v1/stations").json() == {"items": [], "next": None}


def test_it_masks_phones_for_roles_that_do_not_need_them(cast, client_for):
    url = f"/api/v1/deputies/{cast.deputy.code}"
    assert client_for(cast.deputy2_user).get(url).json()["phone"] == "139****5678"
    assert client_for(cast.staff).get(url).json()["phone"] == "13912345678"
    assert client_for(cast.outsider).get(url).status_code == 404


def test_it_publishes_an_openapi_schema(cast, client_for):
    schema = client_for(cast.staff).get("/api/v1/openapi.json").json()
    assert "/api/v1/stations" in schema["paths"]


# Every list pages by cursor; the opinions' and suggestions' bounds are in tests/api/test_opinion_writes.py and
# tests/api/test_suggestion_writes.py.
@pytest.mark.parametrize("path", ["/api/v1/stations", "/api/v1/deputies"])
@pytest.mark.parametrize("query", ["cursor=forged", "page_size=0", "page_size=100000"])
def test_it_answers_an_impossible_page_with_a_field_error(cast, client_for, path, query):
    response = client_for(cast.staff).get(f"{path}?{query}")
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/json")
    assert query.split("=")[0] in str(response.json())


@pytest.mark.parametrize("path", ["/api/v1/stations", "/api/v1/deputies"])
def test_stations_and_deputies_page_by_cursor_in_code_order_without_repeats(cast, client_for, path):
    _stations(cast, 0, 7)
    client = client_for(cast.staff)
    seen, url = [], f"{path}?page_size=3"
    while url:
        page = client.get(url).json()
        seen += [row["code"] for row in page["items"]]
        url = f"{path}?page_size=3&cursor={page['next']}" if page["next"] else None
    everything = client.get(f"{path}?page_size=200").json()
    assert seen == sorted(seen) == [row["code"] for row in everything["items"]] and len(seen) >= 9


def _stations(cast, first, n):
    for i in range(first, first + n):
        village = Region.objects.create(
            code=f"341722100{300 + i}", name=f"新村{i}", level=Region.Level.VILLAGE, parent=cast.renli
        )
        station = Station.objects.create(code=f"ST{village.code}", name=f"新村{i}人大代表联络站", region=village)
        deputy = Deputy.objects.create(code=f"D10{i:05d}", name=f"代表{i}", phone="13900000000", home_region=village)
        Mandate.objects.create(deputy=deputy, level=Level.TOWNSHIP, region=cast.renli)
        Stationing.objects.create(deputy=deputy, station=station)


def test_it_lists_stations_without_a_query_per_station(cast, client_for):
    _stations(cast, 0, 3)
    response = assert_flat_queries(client_for(cast.staff), "/api/v1/stations", grow=lambda: _stations(cast, 3, 12))
    items = {s["name"]: s for s in response.json()["items"]}
    assert len(items) == 17 and items["新村14人大代表联络站"]["township"] == "仁里镇"
    assert items["新村14人大代表联络站"]["county"] == "石台县" and items["新村14人大代表联络站"]["deputies"] == 1


@pytest.mark.parametrize("who", ["staff", "deputy2_user"])
def test_it_lists_deputies_without_a_query_per_deputy(cast, client_for, who):
    _stations(cast, 0, 3)
    response = assert_flat_queries(
        client_for(getattr(cast, who)), "/api/v1/deputies", grow=lambda: _stations(cast, 3, 12)
    )
    items = {d["name"]: d for d in response.json()["items"]}
    if who == "staff":
        assert (
            len(items) == 17 and items["代表14"]["levels"] == ["township"] and items["代表14"]["phone"] == "13900000000"
        )
    else:  # a deputy sees their station's deputies, with masked phones
        assert set(items) == {"王建国", "李秀英"} and items["王建国"]["phone"] == "139****5678"
