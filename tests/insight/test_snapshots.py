"""Hot topics and clusters precomputed per region and period by the worker; the pages read the stored result."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from liaison.insight import services, snapshots
from liaison.insight.models import TopicSnapshot
from liaison.opinions.services import register_opinion

pytestmark = pytest.mark.django_db


def opinion(station, title, content, actor):
    return register_opinion(station=station, channel="phone", title=title, content=content, actor=actor)[0]


@pytest.fixture
def streetlights(cast):
    for station in (cast.station, cast.station_b):
        for i in range(3):
            opinion(station, "路灯不亮", f"{station.region.name}村口路灯坏了，晚上出行不安全（{i}）", cast.staff)


def this_month():
    return timezone.localdate().replace(day=1)


def snap(kind, region, months=1):
    start = this_month()
    for _ in range(months - 1):
        start = (start - dt.timedelta(days=1)).replace(day=1)
    return TopicSnapshot.objects.get(kind=kind, region=region, start=start, months=months)


def break_compute(monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("the page recomputed instead of reading the snapshot")

    monkeypatch.setattr(services, "hot_topics_for", fail)
    monkeypatch.setattr(services, "clusters_across_villages", fail)


def test_the_command_stores_topics_and_clusters_per_region_and_period(cast, streetlights):
    call_command("refresh_topics", verbosity=0)
    topics = snap("topics", cast.shitai)
    assert topics.payload[0]["size"] == 6 and "路灯" in "".join(topics.payload[0]["label"])
    assert snap("topics", cast.shitai, months=3).payload[0]["size"] == 6
    assert snap("clusters", cast.renli).payload[0]["breadth"] == 2
    assert [t["size"] for t in snap("topics", cast.yuanxi).payload] == [3]  # the village's own three
    assert snap("clusters", cast.yuanxi).payload == []  # one station: nothing spans villages
    assert all(s.payload == [] for s in TopicSnapshot.objects.filter(region=cast.dongzhi))


def test_the_pages_read_the_snapshot_without_recomputing(cast, client_for, streetlights, monkeypatch):
    call_command("refresh_topics", verbosity=0)
    break_compute(monkeypatch)
    client = client_for(cast.staff)
    topics = client.get(f"/insight/topics/?region={cast.shitai.code}").content.decode()
    assert "<td>6</td>" in topics and "计算于刚才" in topics
    quarter = client.get(f"/insight/topics/?region={cast.renli.code}&months=3").content.decode()
    assert "<td>6</td>" in quarter
    clusters = client.get(f"/insight/clusters/?region={cast.shitai.code}").content.decode()
    assert "涉及 2 个联络站" in clusters and "状态：已登记 6" in clusters


def test_the_pages_show_the_age_of_the_computation(cast, client_for, streetlights):
    call_command("refresh_topics", verbosity=0)
    TopicSnapshot.objects.update(computed_at=timezone.now() - dt.timedelta(minutes=7, seconds=5))
    client = client_for(cast.staff)
    assert "计算于 7 分钟前" in client.get(f"/insight/topics/?region={cast.shitai.code}").content.decode()
    assert "计算于 7 分钟前" in client.get(f"/insight/clusters/?region={cast.renli.code}").content.decode()
    client.cookies["django_language"] = "en"
    assert "Computed 7 minutes ago" in client.get(f"/insight/topics/?region={cast.shitai.code}").content.decode()


def test_only_regions_whose_opinions_changed_are_recomputed(cast, streetlights):
    call_command("refresh_topics", verbosity=0)
    long_ago = timezone.now() - dt.timedelta(hours=1)
    TopicSnapshot.objects.update(computed_at=long_ago)
    call_command("refresh_topics", verbosity=0)
    assert not TopicSnapshot.objects.exclude(computed_at=long_ago).exists()  # nothing changed, nothing redone

    opinion(cast.station, "路灯不亮", "缘溪村路口路灯也坏了，晚上出行不安全", cast.staff)
    call_command("refresh_topics", verbosity=0)
    assert snap("topics", cast.shitai).payload[0]["size"] == 7
    assert snap("topics", cast.yuanxi).computed_at > long_ago
    assert snap("topics", cast.taokeng).computed_at == long_ago  # the other village's opinions did not change
    assert snap("topics", cast.dongzhi).computed_at == long_ago


def test_a_missing_snapshot_of_a_large_scope_is_queued_not_computed_in_the_request(
    cast, client_for, streetlights, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(snapshots, "INLINE_MAX", 3)
    break_compute(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        page = client_for(cast.staff).get(f"/insight/topics/?region={cast.shitai.code}").content.decode()
    assert "正在后台计算" in page and "没有足够" not in page
    from django_tasks_db.models import DBTaskResult

    assert DBTaskResult.objects.filter(task_path__endswith="compute_snapshot").exists()


def test_a_missing_snapshot_of_a_small_scope_is_computed_once(cast, client_for, streetlights):
    page = client_for(cast.staff).get(f"/insight/clusters/?region={cast.renli.code}").content.decode()
    assert "涉及 2 个联络站" in page and "计算于刚才" in page
    assert snap("clusters", cast.renli).payload[0]["size"] == 6


def test_a_regions_snapshot_is_shown_only_within_its_scope(cast, client_for, streetlights):
    call_command("refresh_topics", verbosity=0)
    TopicSnapshot.objects.filter(region=cast.renli, kind="topics").update(
        payload=[
            {
                "label": ["伪造话题"],
                "ids": [],
                "size": 99,
                "breadth": 2,
                "stations": [],
                "previous_size": 0,
                "change": 99,
                "heat": 1.0,
            }
        ]
    )
    assert client_for(cast.outsider).get(f"/insight/topics/?region={cast.renli.code}").status_code == 404
    assert client_for(cast.outsider).get(f"/insight/clusters/?region={cast.shitai.code}").status_code == 404
    assert "伪造话题" in client_for(cast.township_staff).get("/insight/topics/").content.decode()
    # a station's officer sees their own station's opinions only, never the township's stored result
    officer = client_for(cast.officer).get(f"/insight/topics/?region={cast.renli.code}")
    assert officer.status_code in (200, 404) and "伪造话题" not in officer.content.decode()
