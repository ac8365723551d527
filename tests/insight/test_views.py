import json
import re

import pytest

from liaison.opinions.services import register_opinion

pytestmark = pytest.mark.django_db


def opinion(cast, station, title, content, actor):
    return register_opinion(station=station, channel="phone", title=title, content=content, actor=actor)[0]


@pytest.fixture
def streetlights(cast):
    for station in (cast.station, cast.station_b):
        for i in range(3):
            opinion(cast, station, "路灯不亮", f"{station.region.name}村口路灯坏了，晚上出行不安全（{i}）", cast.staff)
    opinion(cast, cast.station, "晾衣棚", "希望在广场边建晾衣棚", cast.staff)


def test_it_shows_clusters_spanning_several_villages(cast, client_for, streetlights):
    page = client_for(cast.staff).get(f"/insight/clusters/?region={cast.shitai.code}").content.decode()
    assert "涉及 2 个联络站" in page
    assert "缘溪村人大代表联络站" in page and "桃坑村人大代表联络站" in page


def test_it_renders_hot_topics_with_chart_data(cast, client_for, streetlights):
    response = client_for(cast.township_staff).get("/insight/topics/")
    assert response.status_code == 200
    page = response.content.decode()
    data = json.loads(re.search(r'<script id="topics-data" type="application/json">(.*?)</script>', page).group(1))
    assert data["current"][0] == 6 and data["labels"][0]
    assert sum(data["trend_counts"]) == 7
    assert "js/insight.js" in page


def test_it_answers_404_for_regions_out_of_scope(cast, client_for, streetlights):
    outsider = client_for(cast.outsider)
    assert outsider.get(f"/insight/topics/?region={cast.shitai.code}").status_code == 404
    assert outsider.get(f"/insight/clusters/?region={cast.renli.code}").status_code == 404
    assert "路灯" not in outsider.get("/insight/topics/").content.decode()


def test_it_suggests_similar_items_while_typing(cast, client_for, streetlights):
    page = client_for(cast.deputy_user).get("/insight/similar/", {"text": "村口路灯坏了晚上不安全"}).content.decode()
    assert "路灯不亮" in page and "相似度" in page
    assert client_for(cast.outsider).get("/insight/similar/", {"text": "村口路灯坏了"}).content.decode().strip() == ""


def test_it_proposes_a_category_while_typing(cast, client_for):
    page = client_for(cast.officer).get("/insight/categorise/", {"text": "公交班车太少"}).content.decode()
    assert "交通运输" in page
