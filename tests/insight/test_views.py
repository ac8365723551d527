import json
import re

import pytest

from liaison.opinions.services import register_opinion
from tests.queries import assert_flat_queries

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


def test_it_counts_a_clusters_opinions_by_state_in_words(cast, client_for, streetlights):
    page = client_for(cast.staff).get(f"/insight/clusters/?region={cast.shitai.code}").content.decode()
    assert "状态：已登记 6" in page and "registered" not in page


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


# --- query-count guards: topics and clusters do not query per opinion, topic or station ----------------------


def _spread(cast, first, n):
    """n more villages of 仁里镇 (新村{i}) with a station each, each with two opinions about the streetlights."""
    from liaison.org.models import Region, Station

    for i in range(first, first + n):
        village = Region.objects.create(
            code=f"341722100{300 + i}", name=f"新村{i}", level=Region.Level.VILLAGE, parent=cast.renli
        )
        station = Station.objects.create(code=f"ST{village.code}", name=f"新村{i}人大代表联络站", region=village)
        station.villages.set([village])
        opinion(cast, station, "路灯不亮", f"新村{i}村口路灯坏了，晚上出行不安全", cast.staff)
        opinion(cast, station, "垃圾清运", f"新村{i}垃圾桶满了没人清运，气味很大", cast.staff)


def _refreshed():
    from django.core.management import call_command

    call_command("refresh_topics", verbosity=0)


def _dropped():
    from liaison.insight.models import TopicSnapshot

    TopicSnapshot.objects.all().delete()


@pytest.mark.parametrize("stored", [True, False])
def test_it_shows_hot_topics_without_a_query_per_topic(cast, client_for, streetlights, stored):
    """Read from the worker's snapshot, or (none stored, a small scope) computed by the page itself."""
    _spread(cast, 0, 3)
    response = assert_flat_queries(
        client_for(cast.township_staff),
        "/insight/topics/",
        grow=lambda: _spread(cast, 3, 12),
        before=_refreshed if stored else _dropped,
    )
    page = response.content.decode()
    assert "本期共 37 条社情民意" in page and "新村14" in page  # the villages, as links
    data = json.loads(re.search(r'<script id="topics-data" type="application/json">(.*?)</script>', page).group(1))
    assert data["current"][0] >= 21  # the streetlights of 2 + 15 stations (3 each at the first two)


def test_it_shows_clusters_without_a_query_per_cluster(cast, client_for, streetlights):
    _spread(cast, 0, 3)
    url = f"/insight/clusters/?region={cast.shitai.code}"
    grow = lambda: _spread(cast, 3, 12)  # noqa: E731
    page = assert_flat_queries(client_for(cast.staff), url, grow=grow, before=_dropped).content.decode()
    assert "本月 37 条社情民意" in page and "新村0人大代表联络站" in page and "新村14人大代表联络站" in page
