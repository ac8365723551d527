import pytest

pytestmark = pytest.mark.django_db


def test_it_requires_a_session(client):
    assert client.get("/api/v1/stations").status_code == 401


def test_it_lists_only_stations_in_scope(cast, client_for):
    data = client_for(cast.staff).get("/api/v1/stations").json()
    assert {s["code"] for s in data["items"]} == {cast.station.code, cast.station_b.code}
    assert data["items"][0]["county"] == "石台县"
    assert client_for(cast.outsider).get(f"/api/v1/stations/{cast.station.code}").status_code == 404
    assert client_for(cast.unit_user).get("/api/v1/stations").json()["count"] == 0


def test_it_masks_phones_for_roles_that_do_not_need_them(cast, client_for):
    url = f"/api/v1/deputies/{cast.deputy.code}"
    assert client_for(cast.deputy2_user).get(url).json()["phone"] == "139****5678"
    assert client_for(cast.staff).get(url).json()["phone"] == "13912345678"
    assert client_for(cast.outsider).get(url).status_code == 404


def test_it_publishes_an_openapi_schema(cast, client_for):
    schema = client_for(cast.staff).get("/api/v1/openapi.json").json()
    assert "/api/v1/stations" in schema["paths"]


@pytest.mark.parametrize("path", ["/api/v1/opinions", "/api/v1/suggestions", "/api/v1/stations", "/api/v1/deputies"])
@pytest.mark.parametrize("query", ["page=288230376151711745", "page=0", "page_size=100000"])
def test_it_answers_an_impossible_page_with_a_field_error(cast, client_for, path, query):
    response = client_for(cast.staff).get(f"{path}?{query}")
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/json")
    assert query.split("=")[0] in str(response.json())
