"""Grouping opinions across stations and ranking hot topics."""

from liaison.insight.topics import Item, cluster, hot_topics

LIGHTS = [
    ("l1", "东湖村村口路灯坏了三个月，晚上出行不安全", "东湖村"),
    ("l2", "石门村路灯坏了好几个月，晚上出行很不安全", "石门村"),
    ("l3", "枫林村村口的路灯坏了，晚上出行不安全，请维修", "枫林村"),
    ("l4", "东湖村路灯坏了没人修，晚上出行不安全", "东湖村"),
]
BUS = [
    ("b1", "河西片区公交线路太少，去医院要转两趟公交车", "柳林社区"),
    ("b2", "希望增加河西片区公交线路，去医院不用转公交车", "新塘社区"),
]
OTHERS = [
    ("x1", "学校食堂饭菜质量差，家长很担心", "金山社区"),
    ("x2", "养殖场臭气熏天，污水直排", "南岭村"),
]


def _items(rows):
    return [Item(item_id, text, {"station": station}) for item_id, text, station in rows]


def test_it_joins_similar_opinions_from_different_stations():
    clusters = cluster(_items(LIGHTS + BUS + OTHERS))
    lights = next(c for c in clusters if "l1" in c.ids)
    assert sorted(lights.ids) == ["l1", "l2", "l3", "l4"]
    assert lights.size == 4
    assert lights.breadth == 3 and lights.stations == ["东湖村", "枫林村", "石门村"]
    assert "路灯" in lights.label


def test_it_keeps_unrelated_opinions_apart():
    clusters = cluster(_items(LIGHTS + BUS + OTHERS))
    assert [sorted(c.ids) for c in clusters] == [["l1", "l2", "l3", "l4"], ["b1", "b2"]]
    assert "公交线路" in clusters[1].label


def test_it_is_deterministic_and_independent_of_nothing_but_input():
    items = _items(LIGHTS + BUS + OTHERS)
    assert cluster(items) == cluster(items)


def test_it_handles_empty_single_and_meaningless_input():
    assert cluster([]) == []
    assert cluster(_items(OTHERS[:1])) == []
    assert cluster([Item("e1", "", {}), Item("e2", "😀", {}), Item("e3", None, {})]) == []


def test_it_ranks_hot_topics_by_volume_and_breadth_with_change():
    previous = _items([("p1", "东湖村路灯坏了，晚上出行不安全", "东湖村")] + OTHERS)
    topics = hot_topics(_items(LIGHTS + BUS + OTHERS), previous, top=10)
    assert [t.size for t in topics] == [4, 2]
    first = topics[0]
    assert "路灯" in first.label
    assert first.previous_size == 1 and first.change == 3
    assert first.heat > topics[1].heat
    assert hot_topics(_items(LIGHTS), [], top=1)[0].previous_size == 0
    assert hot_topics([], []) == []


def test_it_prefers_a_topic_raised_at_many_stations():
    one_village = [(f"v{i}", f"东湖村垃圾{i}天没人清运，臭气熏天", "东湖村") for i in range(3)]
    many = [(f"m{i}", f"村里的健身器材{i}处损坏，老人无法锻炼", f"村{i}") for i in range(3)]
    topics = hot_topics(_items(one_village + many), top=2)
    assert topics[0].ids[0].startswith("m")
    assert topics[0].breadth == 3
