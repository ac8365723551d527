"""The Django glue of insight: the site index, category proposals, training, scoped results."""

import numpy as np
import pytest

from liaison.insight import services
from liaison.opinions.selectors import opinions_visible_to
from liaison.opinions.services import register_opinion
from liaison.suggestions.selectors import suggestions_visible_to

pytestmark = pytest.mark.django_db


def similar(user, text, **kw):
    visible = {"opinion": opinions_visible_to(user), "suggestion": suggestions_visible_to(user)}
    return services.similar_items(text, visible=visible, **kw)


def opinion(cast, title, content, station=None, category=None):
    station = station or cast.station
    o, _ = register_opinion(
        station=station,
        channel="phone",
        title=title,
        content=content,
        actor=cast.staff if station.region.path.startswith(cast.shitai.path) else cast.outsider,
        category=category,
    )
    return o


def test_it_finds_a_similar_opinion_and_picks_up_new_ones_incrementally(cast):
    opinion(cast, "路灯不亮", "村口到小学的路灯坏了三个月，晚上孩子放学很危险")
    opinion(cast, "垃圾清运", "垃圾桶满了没人清运，气味很大")
    hits = similar(cast.staff, "村口路灯坏了好久，晚上放学孩子不安全")
    assert hits and hits[0].obj.title == "路灯不亮"
    # An item saved after the index was built is found by the next query, in any process.
    opinion(cast, "桥梁破损", "河口的石桥栏杆断了，老人过桥害怕", station=cast.station_b)
    hits = similar(cast.staff, "河口石桥栏杆断了")
    assert hits and hits[0].obj.title == "桥梁破损"


def test_it_never_returns_items_outside_the_users_scope(cast):
    opinion(cast, "自来水浑浊", "东至沙山村自来水发黄浑浊，烧开有沉淀", station=cast.other_station)
    assert similar(cast.staff, "自来水发黄浑浊有沉淀") == []
    assert similar(cast.outsider, "自来水发黄浑浊有沉淀")[0].obj.title == "自来水浑浊"
    assert similar(cast.unit_user, "自来水发黄浑浊有沉淀") == []
    # A region filter narrows further within scope.
    assert similar(cast.city_staff, "自来水发黄浑浊", region_path=cast.shitai.path) == []


def test_it_answers_bad_input_without_crashing(cast):
    opinion(cast, "路灯不亮", "路灯坏了")
    for text in ["", "   ", "😀😀😀", "hello world", "\x00\x01\x02", "路" * 10000]:
        similar(cast.staff, text)
        prediction = services.propose_category(text)
        assert 0.0 <= prediction.confidence <= 1.0
    assert services.propose_category("").label is None


def test_it_proposes_a_category_from_the_lexicon_before_training(cast):
    assert services.propose_category("村里路灯不亮，井盖破损").label == "城乡建设"


def test_it_trains_on_the_sites_history_and_stores_no_pickle(cast):
    texts = {
        "交通运输": ["公交线路太少，班车一天只有两趟", "乡道路面坑洼，客车难走", "希望增开到县城的公交班次"],
        "卫生计生": ["村卫生室缺少常用药", "乡镇卫生院医生太少看病难", "希望村医定期上门给老人体检"],
        "教育文体": ["村小学缺少体育器材", "希望建设农家书屋", "幼儿园离家太远孩子上学难"],
    }
    for label, samples in texts.items():
        for i in range(20):
            sample = samples[i % len(samples)]
            opinion(cast, sample[:10], f"{sample}（第{i}户反映）", category=cast.categories[label])
    message = services.train(min_items=30)
    assert "已训练" in message
    files = {p.name for p in services.model_dir().iterdir()}
    assert files == {"model.json", "arrays.npz"}
    np.load(services.model_dir() / "arrays.npz", allow_pickle=False)  # plain arrays only
    assert services.propose_category("增开公交班车").label == "交通运输"


def test_it_declines_to_train_on_too_little_history(cast):
    opinion(cast, "路灯", "路灯坏了", category=cast.categories["城乡建设"])
    assert "不足以训练" in services.train()
    assert not services.model_dir().exists()


def test_it_rebuilds_and_reloads_the_index_snapshot(cast):
    opinion(cast, "路灯不亮", "村口路灯坏了三个月")
    assert "1 条" in services.rebuild_index()
    services.SITE_INDEX.reset()
    assert similar(cast.staff, "村口路灯坏了")[0].obj.title == "路灯不亮"


def test_it_fills_in_a_confident_category_at_intake_and_leaves_doubtful_ones_empty(cast):
    confident = opinion(cast, "公交班次太少", "到县城的公交车一天只有两班，希望增开公交线路和班次")
    assert confident.category.name == "交通运输"
    doubtful = opinion(cast, "有个事", "想问问这个事情怎么办")
    assert doubtful.category is None
    chosen = opinion(cast, "公交班次太少", "希望增开公交班次", category=cast.categories["其他"])
    assert chosen.category.name == "其他"


def test_it_trains_word_vectors_and_rebuilds_the_index_with_them(cast, tmp_path):
    from django.core.management import call_command

    from liaison.insight.management.commands.train_insight import read_corpus

    opinion(cast, "路灯不亮", "村口路灯坏了三个月，晚上出行不安全")
    assert "只用字词匹配" in services.train_similarity()  # too little text: the lexical score alone
    assert services.similarity_model() is None
    corpus = tmp_path / "corpus.txt"
    corpus.write_text(
        "\n".join(f"第{i}组村民反映路灯不亮晚上出行不便，希望安装太阳能路灯" for i in range(40))
        + "\n"
        + "\n".join(f"第{i}组的自来水浑浊发黄，烧开有沉淀，希望改造供水管网" for i in range(40)),
        encoding="utf-8",
    )
    assert len(read_corpus(corpus)) == 80
    message = services.train_similarity(read_corpus(corpus), min_texts=50)
    assert "词向量已训练" in message and "已重建" in message
    assert sorted(p.name for p in services.vectors_dir().iterdir()) == ["vectors.npz", "words.json"]
    np.load(services.vectors_dir() / "vectors.npz", allow_pickle=False)
    services.SITE_INDEX.reset()
    index = services.SITE_INDEX.sync()
    assert index.model is not None and index.model_version == services.similarity_model().version
    assert similar(cast.staff, "村口路灯坏了")[0].obj.title == "路灯不亮"
    # The command runs both trainings; with too little history both say so and nothing breaks.
    call_command("train_insight", "--corpus", str(corpus))


def test_it_ranks_items_from_the_writers_village_higher_when_told(cast):
    here = opinion(cast, "路灯不亮", "村口路灯坏了，晚上出行不安全")
    there = opinion(cast, "路灯不亮", "村口路灯坏了，晚上出行不安全！", station=cast.station_b)
    plain = [h.obj for h in similar(cast.staff, "村口路灯坏了晚上不安全")]
    assert set(plain[:2]) == {here, there}
    for station, first in ((cast.station, here), (cast.station_b, there)):
        hits = similar(cast.staff, "村口路灯坏了晚上不安全", near_path=station.region.path)
        assert hits[0].obj == first
