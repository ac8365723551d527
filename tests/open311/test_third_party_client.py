"""Our Open311 server as a third-party GeoReport v2 client sees it: `georeport` from PyPI, over real HTTP.

georeport 0.3.1 reads services (JSON and XML), service definitions and requests; it has no call to create a
request and sends no api_key when reading, so the POST and the keyed read are made as the spec describes them
with `requests` (which georeport itself uses), and the unkeyed read is checked to be refused as the spec says.
"""

import pytest
import requests
from georeport import GeoReport

from liaison.api import services as api_services
from liaison.opinions.models import Opinion


@pytest.fixture
def endpoint(live_server):
    return f"{live_server.url}/open311/v2"


def test_a_third_party_client_lists_services_in_json_and_xml_and_posts_and_reads_a_request(cast, endpoint):
    as_json, as_xml = GeoReport(endpoint), GeoReport(endpoint, output_format="xml")
    codes = [s["service_code"] for s in as_json.get_service_list()]
    assert "城乡建设" in codes
    assert [s["service_code"] for s in as_xml.get_service_list()] == codes
    definition = as_json.get_service_definition("城乡建设")
    station_attribute = next(a for a in definition["attributes"] if a["code"] == "station")
    assert cast.station.code in [v["key"] for v in station_attribute["values"]]
    assert as_xml.get_service_definition("城乡建设")["service_code"] == "城乡建设"

    _key, secret = api_services.create_integration_key(
        name="12345热线", region=cast.shitai, endpoints=["open311:read", "open311:write"], actor=cast.admin
    )
    posted = requests.post(
        f"{endpoint}/requests.json",
        data={
            "api_key": secret,
            "service_code": "城乡建设",
            "address_string": "石台县仁里镇缘溪村村口",
            "description": "村口路灯坏了一个月，晚上走路不安全",
            "phone": "13900001111",
        },
        timeout=30,
    )
    assert posted.status_code == 201, posted.text
    [answer] = posted.json()
    code = answer["service_request_id"]
    assert Opinion.objects.get(code=code).station == cast.station  # 缘溪村's station

    with pytest.raises(requests.HTTPError) as refused:  # georeport sends no api_key: reading needs one
        as_json.get_service_request(code)
    assert refused.value.response.status_code == 403
    read = requests.get(f"{endpoint}/requests/{code}.json", params={"api_key": secret}, timeout=30)
    [request] = read.json()
    assert request["service_request_id"] == code and request["status"] == "open"
    assert "13900001111" not in read.text
