"""Proposing categories for opinions, cold and trained."""

import pytest

from liaison.insight.categorise import Categoriser, LexiconCategoriser, Prediction

TRAINING = {
    "城乡建设": [
        "小区路灯坏了好几个月没人修，晚上出行很危险",
        "小区物业不作为，电梯经常故障，业主意见很大",
        "老旧小区改造施工拖延，道路挖开后一直没有恢复",
        "安置房迟迟不能交房，开发商一再拖延",
        "自来水水压太低，高层住户经常停水",
        "井盖破损无人维修，存在安全隐患",
    ],
    "教育文体": [
        "孩子上学难，学区划分不合理，请教育局调整",
        "学校食堂饭菜质量差，学生家长很担心",
        "幼儿园收费过高，希望增加公办幼儿园学位",
        "教师工资待遇偏低，乡村学校留不住老师",
        "校外培训机构乱收费，退费困难",
        "社区缺少健身器材和篮球场，希望建设体育设施",
    ],
    "环境保护": [
        "工厂夜间偷排废水，河道发黑发臭",
        "搅拌站粉尘和噪音严重扰民，居民无法休息",
        "餐馆油烟直排，楼上住户窗户都不敢开",
        "养殖场臭气熏天，污染周边环境",
        "化工厂排放废气，空气中有刺鼻异味",
        "砂石场扬尘严重，附近庄稼都盖满灰",
    ],
}

BAD_INPUTS = ["", "   \n\t ", "😀🎉👍", "Hello, the street light is broken.", "1234567890", "\x00\xff\x01garbage"]


def _samples():
    texts, labels = [], []
    for label, items in TRAINING.items():
        texts += items
        labels += [label] * len(items)
    return texts, labels


@pytest.fixture(scope="module")
def trained():
    return Categoriser(C=0.5).fit(*_samples())


def test_it_proposes_urban_construction_for_a_broken_street_light_from_day_one():
    prediction = LexiconCategoriser().predict("我们村的路灯不亮了，晚上出门很不安全")
    assert prediction.label == "城乡建设"
    assert 0 < prediction.confidence <= 1
    assert prediction.ranked[0][0] == "城乡建设"


def test_it_uses_the_lexicon_until_trained():
    assert Categoriser().predict("路灯不亮") == LexiconCategoriser().predict("路灯不亮")


@pytest.mark.parametrize("text", BAD_INPUTS + ["路" * 10_000])
def test_it_answers_nothing_for_input_without_meaning(text, trained):
    for model in (LexiconCategoriser(), trained):
        prediction = model.predict(text)
        if text.startswith("路"):
            continue  # long but Chinese: must only not crash
        assert prediction == Prediction(None, 0.0, [])


def test_it_survives_a_very_long_message(trained):
    prediction = trained.predict("小区路灯不亮，" * 2000)
    assert prediction.label == "城乡建设"


def test_it_learns_categories_from_examples(trained):
    assert trained.predict("小区路灯坏了，晚上一片漆黑").label == "城乡建设"
    assert trained.predict("学校收费太高，孩子上学负担重").label == "教育文体"
    assert trained.predict("工厂排放废水污染河道").label == "环境保护"


def test_it_ranks_every_category_with_probabilities(trained):
    prediction = trained.predict("幼儿园学位紧张，孩子上学难")
    assert [label for label, _ in prediction.ranked][0] == prediction.label
    assert sorted(label for label, _ in prediction.ranked) == sorted(TRAINING)
    assert sum(p for _, p in prediction.ranked) == pytest.approx(1.0, abs=1e-3)
    assert prediction.confidence == prediction.ranked[0][1]


def test_it_weighs_the_title_of_a_message(trained):
    title_first = trained.predict(("工厂偷排废水", "我们这里的情况是这样的，希望领导重视"))
    assert title_first.label == "环境保护"
    assert trained.predict("工厂偷排废水\n我们这里的情况是这样的，希望领导重视") == title_first


def test_it_predicts_many_like_one(trained):
    texts = ["路灯坏了", "", "学校食堂差", "😀"]
    assert trained.predict_many(texts) == [trained.predict(t) for t in texts]


def test_it_gives_identical_results_after_saving_and_loading(trained, tmp_path):
    trained.to_dir(tmp_path / "model")
    loaded = Categoriser.from_dir(tmp_path / "model")
    texts = ["路灯坏了没人修", "学校乱收费", "养殖场臭气", "Hello", "物业和环境都很差"]
    assert loaded.predict_many(texts) == trained.predict_many(texts)
    assert sorted(p.name for p in (tmp_path / "model").iterdir()) == ["arrays.npz", "model.json"]


def test_it_picks_its_own_regularisation_inside_the_training_data():
    model = Categoriser(C=None).fit(*_samples())
    assert model.C_used in Categoriser.C_GRID
    assert model.predict("河道被污染发臭").label == "环境保护"


def test_it_refuses_to_train_on_a_single_category():
    with pytest.raises(ValueError):
        Categoriser().fit(["路灯坏了", "井盖丢了"], ["城乡建设", "城乡建设"])


def test_it_handles_two_categories():
    texts, labels = _samples()
    keep = [i for i, label in enumerate(labels) if label != "环境保护"]
    model = Categoriser(C=0.5).fit([texts[i] for i in keep], [labels[i] for i in keep])
    prediction = model.predict("学校食堂饭菜太差")
    assert prediction.label == "教育文体"
    assert len(prediction.ranked) == 2
