"""The three product cases of the similarity work, on the demo's own words (liaison/demo/texts.py).

Every demo suggestion shares the same boilerplate around its topic ("关于解决…问题的建议", "群众反映强烈",
"建议有关部门深入调研…"), and the demo's opinions share one sentence per kind with only the place changing: the
fitted IDF must look past both. The demo's closed meetings order their agendas as the product does.
"""

import pytest
from django.utils import timezone

from liaison.demo.meetings import _agenda_order
from liaison.demo.texts import PLACES, TEXTS, TOPICS, suggestion_words
from liaison.meetings import services as meeting_services
from liaison.suggestions import services as suggestion_services
from tests.opinions.helpers import make_opinion

pytestmark = pytest.mark.django_db


@pytest.fixture
def county(cast):
    """One demo suggestion per topic of every category, three on 茶叶电商物流, submitted by the cast's deputy."""
    topics = [(category, topic) for category, names in TOPICS.items() for topic in names]
    topics += [("商贸旅游", "茶叶电商物流")] * 2
    for category, topic in topics:
        s = suggestion_services.create_draft(
            actor=cast.deputy_user, deputy=cast.deputy, category=cast.categories[category], **suggestion_words(topic)
        )
        suggestion_services.submit_suggestion(suggestion=s, actor=cast.deputy_user)
    return cast


def hint_titles(client, title) -> list[str]:
    """The titles the drafting form's 已有类似建议 hint lists, in order."""
    page = client.get("/suggestions/similar/", {"title": title}).content.decode()
    found = []
    for topic in (t for names in TOPICS.values() for t in names):
        title_text = suggestion_words(topic)["title"]
        at = page.find(title_text)
        while at >= 0:
            found.append((at, topic))
            at = page.find(title_text, at + 1)
    return [topic for _, topic in sorted(found)]


def test_drafting_tea_e_commerce_logistics_finds_the_countys_suggestions_with_that_title(county, client_for):
    found = hint_titles(client_for(county.deputy2_user), "茶叶电商物流")
    assert found[:3] == ["茶叶电商物流"] * 3


def test_drafting_speed_bump_does_not_put_a_street_light_suggestion_first(county, client_for):
    found = hint_titles(client_for(county.deputy2_user), "减速带")
    assert found and found[0] == "学校路段缺少减速带"
    assert "村组道路路灯不亮" not in found[:1]


@pytest.fixture
def month_of_items(cast):
    """A station's month: every demo opinion text once (each at its own place), and 茶园机耕路 twice."""
    farm_road = [(title, content) for title, content in TEXTS["农业农村"] if "机耕路" in title][0]
    rows = []
    for n, (category, texts) in enumerate(TEXTS.items()):
        for m, (title, content) in enumerate(texts):
            rows.append((category, title, content.format(p=PLACES[(n + m) % len(PLACES)])))
    # The second 茶园机耕路 comes last, from another group of the village, under another category.
    rows.append(("交通运输", farm_road[0], farm_road[1].format(p="五组")))
    return [
        make_opinion(cast, title=title, content=content, category=cast.categories[category])[0]
        for category, title, content in rows
    ]


def test_the_two_farm_road_items_sit_side_by_side_on_the_agenda(cast, month_of_items):
    today = timezone.localdate()
    meeting = meeting_services.open_meeting(station=cast.station, year=today.year, month=today.month, actor=cast.head)
    titles = [i.opinion.title for i in meeting.items.order_by("position")]
    at = [n for n, t in enumerate(titles) if t == "茶园机耕路"]
    assert len(titles) == len(month_of_items) and len(at) == 2
    assert at[1] - at[0] == 1


def test_the_demos_closed_meetings_order_their_agendas_the_same_way(cast, month_of_items):
    items = [(n, ("", "", None)) for n in range(len(month_of_items))]
    ordered = _agenda_order(items, month_of_items, {c.pk: c for c in cast.categories.values()})
    titles = [month_of_items[n].title for n, _ in ordered]
    at = [n for n, t in enumerate(titles) if t == "茶园机耕路"]
    assert at[1] - at[0] == 1


def test_a_narrow_scope_still_finds_its_own_item_behind_many_others_saying_the_same(cast):
    """The demo's deputy sees one of the county's 77 茶叶电商物流 suggestions: the hint must still show that one."""
    from liaison.insight.services import similar_items
    from liaison.opinions.selectors import opinions_visible_to

    for _ in range(50):
        make_opinion(cast, station=cast.station_b, actor=cast.staff, title="茶叶电商物流", content="茶叶电商物流难。")
    own, _ = make_opinion(cast, title="茶叶电商物流", content="茶叶电商物流难，快递网点少，运费也高，新茶压货。")
    hits = similar_items("茶叶电商物流", visible={"opinion": opinions_visible_to(cast.officer)}, k=5)
    assert [h.obj.code for h in hits] == [own.code]
