"""Finding similar opinions, with filters, persistence and agenda ordering."""

import numpy as np
import pytest

from liaison.insight.dense import DenseModel
from liaison.insight.similar import SimilarityIndex, order_by_similarity, similar_pairs

OPINIONS = {
    "o1": ("东湖村村口的路灯坏了三个月，晚上村民出行很不安全，希望尽快维修", "东湖镇/东湖村"),
    "o2": ("白沙社区菜市场周边占道经营严重，早晚高峰交通拥堵", "白沙街道/白沙社区"),
    "o3": ("希望在东湖中学门口增设斑马线和红绿灯，保障学生上下学安全", "东湖镇/东湖村"),
    "o4": ("金山小区物业费上涨但服务质量下降，电梯经常故障", "金山街道/金山社区"),
    "o5": ("石门村的自来水经常停水，水质发黄，村民用水困难", "南岭镇/石门村"),
    "o6": ("枫林村养殖场臭气熏天，污水直排河道，请环保部门查处", "南岭镇/枫林村"),
    "o7": ("河西片区公交线路太少，老人去医院看病要转两趟车", "河西街道/柳林社区"),
    "o8": ("柳林社区缺少健身器材和老年活动中心，希望增加文体设施", "河西街道/柳林社区"),
}


def _index(**kwargs):
    index = SimilarityIndex(**kwargs)
    for item_id, (text, region) in OPINIONS.items():
        index.add(item_id, text, {"region": region, "station": region.split("/")[1], "kind": "opinion"})
    return index


def test_it_finds_a_near_duplicate_as_top_hit():
    index = _index()
    hits = index.query("东湖村村口路灯坏了快三个月了，晚上出行不安全，请尽快维修！")
    assert hits[0][0] == "o1"
    assert hits[0][1] > 0.6
    assert all(hits[i][1] >= hits[i + 1][1] for i in range(len(hits) - 1))


def test_it_filters_by_region():
    index = _index()
    hits = index.query("东湖村路灯坏了，自来水和污水也有问题", k=10, where=lambda m: m["region"].startswith("南岭镇"))
    assert hits and {item_id for item_id, _ in hits} <= {"o5", "o6"}


def test_it_respects_a_minimum_score_and_k():
    index = _index()
    assert len(index.query("路灯", k=2)) <= 2
    assert all(score >= 0.5 for _, score in index.query("东湖村路灯坏了", min_score=0.5))


def test_it_forgets_removed_items_and_replaces_re_added_ones():
    index = _index()
    assert index.remove("o1") and not index.remove("o1")
    assert "o1" not in {i for i, _ in index.query("东湖村路灯坏了")}
    index.add("o5", "东湖村路灯坏了没人修", {"region": "东湖镇/东湖村"})
    assert index.query("东湖村路灯坏了")[0][0] == "o5"
    assert len(index) == 7


def test_it_returns_nothing_for_empty_or_meaningless_queries():
    index = _index()
    assert index.query("") == []
    assert index.query("😀😀") == []
    assert SimilarityIndex().query("路灯") == []


def test_it_gives_identical_results_after_saving_and_loading(tmp_path):
    index = _index()
    index.to_dir(tmp_path / "idx")
    loaded = SimilarityIndex.from_dir(tmp_path / "idx")
    for text in ("路灯坏了", "物业费上涨", "养殖场污染"):
        assert loaded.query(text) == index.query(text)
    assert loaded.meta("o4")["station"] == "金山社区"
    assert sorted(p.name for p in (tmp_path / "idx").iterdir()) == ["arrays.npz", "items.json"]
    np.load(tmp_path / "idx" / "arrays.npz", allow_pickle=False)  # plain arrays only


def _synthetic(n):
    rng = np.random.default_rng(0)
    chars = list("路灯井盖自来水护栏公交线路物业拆迁安置房学区垃圾分类噪音污染停车医院学校养老工资")
    for i in range(n):
        text = "".join(rng.choice(chars, size=30))
        yield f"s{i}", text, {"region": f"r{i % 5}", "station": f"st{i % 17}"}


@pytest.fixture(scope="module")
def model():
    """Word vectors trained on a small synthetic corpus: enough to exercise the dense half."""
    return DenseModel.train([text for _, text, _ in _synthetic(600)] + [t for t, _ in OPINIONS.values()], dim=16)


def test_it_groups_large_indexes_and_still_finds_items_and_filters(tmp_path, model):
    items = list(_synthetic(3000))
    index = SimilarityIndex(exact_below=1000, nprobe=4, model=model)
    index.add_many(items)
    assert index._centroids is not None and index.lexical._csc is not None  # lists and posting lists
    for item_id, text, _ in items[::500]:
        assert index.query(text, k=1)[0][0] == item_id
    hits = index.query(items[7][1], k=5, where=lambda m: m["station"] == "st3")
    assert len(hits) == 5 and all(index.meta(i)["station"] == "st3" for i, _ in hits)
    index.add("new", "路灯井盖自来水护栏公交线路", {"region": "r9", "station": "st99"})
    assert index.query("路灯井盖自来水护栏公交线路", k=1)[0][0] == "new"
    index.to_dir(tmp_path / "big")
    loaded = SimilarityIndex.from_dir(tmp_path / "big", model=model)
    assert loaded.query(items[42][1]) == index.query(items[42][1])
    with pytest.raises(ValueError, match="another model"):
        SimilarityIndex.from_dir(tmp_path / "big")


def _topical(n, topics=60):
    """Opinions on a limited number of matters, each worded a little differently."""
    rng = np.random.default_rng(1)
    chars = list("路灯井盖自来水护栏公交线路物业拆迁安置房学区垃圾分类噪音污染停车医院学校养老工资")
    bases = ["".join(rng.choice(chars, size=24)) for _ in range(topics)]
    for i in range(n):
        yield f"t{i}", bases[i % topics] + "".join(rng.choice(chars, size=8)), {}


@pytest.mark.parametrize("with_model", [False, True])
def test_it_agrees_with_exact_search_on_a_large_index(model, with_model):
    items = list(_topical(4000))
    approx = SimilarityIndex(exact_below=1000, model=model if with_model else None)
    approx.add_many(items)
    exact = SimilarityIndex(exact_below=10**9, model=model if with_model else None)
    exact.add_many(items)
    assert exact._centroids is None and (approx._centroids is not None) == with_model
    found = 0
    for _, text, _ in items[::100]:
        found += len({i for i, _ in approx.query(text)} & {i for i, _ in exact.query(text)})
    assert found / (40 * 10) >= 0.9


def test_the_word_vectors_are_stable_unit_rows_and_survive_a_round_trip(model, tmp_path):
    a, b = model.embed(["路灯井盖自来水", "路灯井盖自来水"]), model.embed(["路灯井盖自来水"])
    assert np.allclose(a[0], b[0]) and np.isclose(np.linalg.norm(a[0]), 1.0, atol=1e-5)
    assert not model.embed([""]).any() and not model.embed(["😀"]).any()
    model.to_dir(tmp_path / "m")
    again = DenseModel.from_dir(tmp_path / "m")
    assert again.version == model.version and np.allclose(again.embed(["公交线路"]), model.embed(["公交线路"]))
    retrained = DenseModel.train([text for _, text, _ in _synthetic(600)] + [t for t, _ in OPINIONS.values()], dim=16)
    assert retrained.version == model.version  # deterministic: one worker, stable seeds


def test_idf_follows_the_content_as_items_arrive():
    index = SimilarityIndex()
    index.add("a", "村口路灯坏了", {})
    index.add("b", "村口的井盖丢了", {})
    before = index.query("村口路灯", k=2)
    for i in range(30):
        index.add(f"x{i}", f"村口第{i}户反映的事情", {})
    after = index.query("村口路灯", k=2)
    assert before[0][0] == after[0][0] == "a"
    # 村口 is now in every item: it no longer lifts the 井盖 item as much.
    score_b = dict(after).get("b", 0.0)
    assert score_b < dict(before).get("b", 1.0)


def test_a_short_query_is_a_search_and_a_boost_reorders_by_place():
    index = SimilarityIndex()
    index.add("tea", ("关于解决我县茶叶电商物流难题的建议", "山区快递网点少，收件价格高，" * 5), {"path": "a/b"})
    index.add("tea2", ("茶叶电商物流", "快递贵"), {"path": "x/y"})
    index.add("road", "村道坑坑洼洼", {"path": "a/b"})
    hits = index.query("茶叶电商物流")
    assert [i for i, _ in hits[:2]] == ["tea2", "tea"] and hits[1][1] > 0.5
    boosted = index.query("茶叶电商物流", boost=lambda m: 2.0 if m["path"] == "a/b" else 1.0)
    assert boosted[0][0] == "tea"


def test_it_orders_an_agenda_so_similar_opinions_sit_together():
    items = [
        ("a", "东湖村路灯坏了，晚上很黑"),
        ("b", "学校门口需要斑马线"),
        ("c", "东湖村的路灯坏了没人修，晚上太黑"),
        ("d", "学校门口缺少斑马线和红绿灯"),
    ]
    order = order_by_similarity(items)
    assert order[0] == "a" and sorted(order) == ["a", "b", "c", "d"]
    assert abs(order.index("a") - order.index("c")) == 1
    assert abs(order.index("b") - order.index("d")) == 1
    assert order_by_similarity([]) == []


def test_it_lists_likely_duplicate_pairs():
    pairs = similar_pairs([("a", "东湖村路灯坏了晚上很黑"), ("b", "东湖村的路灯坏了晚上很黑"), ("c", "学校食堂")])
    assert [(a, b) for a, b, _ in pairs] == [("a", "b")]
    assert similar_pairs([("a", "路灯")]) == []


@pytest.mark.parametrize("bad", [None, b"\xff\xfe", "\x00" * 10, "x" * 100_000, ("", None), ("路灯", 3)])
def test_it_accepts_bad_input_without_crashing(bad, model):
    for index in (_index(), _index(model=model)):
        index.add("bad", bad, None)
        assert isinstance(index.query(bad), list)
