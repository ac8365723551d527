"""Retrieval cases met in the product, each reproduced on a small corpus built here.

Each failed with the count-sketch vectors the index used before (no IDF, 256 hashed dimensions): a short
drafting query scored below the threshold against every long suggestion, a hash collision and a short text put a
路灯 item above the 减速带 one, and shared boilerplate pulled two near-identical 机耕路 items apart on the agenda.
"""

import pytest
from django.utils import timezone

from liaison.meetings import services as meeting_services
from liaison.suggestions import services as suggestion_services
from tests.opinions.helpers import make_opinion

pytestmark = pytest.mark.django_db


def suggestion(cast, title, cause, proposals, category="农业农村"):
    s = suggestion_services.create_draft(
        actor=cast.deputy_user,
        deputy=cast.deputy,
        title=title,
        cause=cause,
        proposals=proposals,
        category=cast.categories[category],
    )
    suggestion_services.submit_suggestion(suggestion=s, actor=cast.deputy_user)
    return s


def drafting_hint(client, title) -> str:
    """What the drafting form shows under the title field (`suggestions:similar`, title only)."""
    return client.get("/suggestions/similar/", {"title": title}).content.decode()


@pytest.fixture
def county(cast):
    tea = [
        (
            "关于解决我县茶叶电商物流难题的建议",
            "我县茶农通过网店和直播卖茶的越来越多，但山区快递网点少、收件价格高，新茶旺季常常压货，"
            "发往省外的包裹要三四天才能出县，买家差评多，影响茶农增收。",
            "建议县商务局牵头整合邮政和民营快递资源，在产茶乡镇设立电商物流共配中心，对茶叶寄递给予运费补贴。",
        ),
        (
            "茶叶电商物流成本高的问题亟待解决",
            "仁里镇、七都镇的茶叶合作社开了电商店铺，但每单快递费比城里高一倍多，旺季收件车一天只来一趟。",
            "请县里协调物流企业进村设点，降低茶叶寄递成本，扶持茶叶电商发展。",
        ),
        (
            "关于完善茶叶电商物流配送体系的建议",
            "茶叶是我县主导产业，电商销售占比逐年提高，但乡村物流配送体系不健全，冷链和包装跟不上。",
            "建议建设县乡村三级物流配送网络，支持茶企与快递企业签订协议价。",
        ),
    ]
    other = [
        (
            "关于加快农村饮水安全巩固提升工程的建议",
            "部分村组自来水管网老化，夏季用水高峰经常停水，水质浑浊，群众反映强烈。",
            "建议县水利局安排专项资金改造老旧管网，建设蓄水池，保障群众饮水安全。",
        ),
        (
            "关于在缘溪小学门口设置减速带的建议",
            "缘溪小学门口的县道车速快，学生上下学横穿马路很危险，家长多次反映要求装减速带。",
            "请县交通运输局在学校门前路段设置减速带和警示标志。",
        ),
        ("路灯不亮", "减速带旁边的路灯不亮，小孩摔跤。", "修路灯。"),
        (
            "关于修缮桃坑村危桥的建议",
            "桃坑村通往集镇的石拱桥桥面开裂、护栏缺失，雨季河水上涨时通行危险。",
            "请县交通运输局对该桥进行安全鉴定并列入危桥改造计划。",
        ),
        (
            "关于加强农村留守老人关爱服务的建议",
            "村里留守老人多，子女常年在外务工，老人看病买药、日常照料无人帮忙。",
            "建议在行政村建设老年食堂和互助养老点，组织志愿者定期上门探访。",
        ),
    ]
    for title, cause, proposals in tea + other:
        suggestion(cast, title, cause, proposals)
    return cast


def test_a_short_drafting_title_finds_the_suggestions_titled_with_those_words(county, client_for):
    page = drafting_hint(client_for(county.deputy2_user), "茶叶电商物流")
    assert "关于解决我县茶叶电商物流难题的建议" in page
    assert "茶叶电商物流成本高的问题亟待解决" in page
    assert "关于完善茶叶电商物流配送体系的建议" in page
    assert "危桥" not in page


def test_a_speed_bump_query_does_not_put_a_street_light_item_first(county, client_for):
    page = drafting_hint(client_for(county.deputy2_user), "减速带")
    assert "减速带的建议" in page
    first = page.index("减速带的建议")
    assert "路灯不亮" not in page[:first]


FILLER = "村民代表在联络站反映，希望上级有关部门高度重视，尽快协调解决，切实保障群众的切身利益。"


def test_two_near_identical_farm_road_items_sit_next_to_each_other_on_the_agenda(cast):
    """Registered by two staff members on different days, one under 农业农村 and one under 交通运输."""
    farming, traffic = cast.categories["农业农村"], cast.categories["交通运输"]
    items = [
        ("水渠堵塞", "二组田边的灌溉水渠被淤泥堵塞，秧田放不进水。", farming),
        ("机耕路冲毁", "三组到五组的机耕路被山洪冲垮了一段，收割机开不进田。", farming),
        ("农田抛荒", "六组有二十多亩水田抛荒多年，杂草丛生。", farming),
        ("野猪毁庄稼", "后山野猪成群下山，把红薯和玉米拱得一塌糊涂。", farming),
        ("山塘漏水", "大塘坝基渗水严重，下游农户担心垮坝。", farming),
        ("化肥涨价", "今年化肥价格上涨，种粮成本增加，种粮补贴能否提高。", farming),
        ("秸秆处理", "收割后秸秆没地方放，禁烧以后不知道怎么处理。", farming),
        ("农机补贴", "买了微耕机一年多了，农机购置补贴还没有发下来。", farming),
        ("公交班次少", "到县城的公交车一天只有两班，赶集很不方便。", traffic),
        ("客车超载", "早上去镇上的客车经常超载，学生挤不上车。", traffic),
        ("机耕道损毁", "三组通往五组田里的那条机耕道被山洪冲毁，收割机下不了田。", traffic),
        ("路面坑洼", "村道路面坑坑洼洼，下雨天全是积水。", traffic),
    ]
    for title, content, category in items:
        make_opinion(cast, title=title, content=f"{content}{FILLER}", category=category)
    today = timezone.localdate()
    meeting = meeting_services.open_meeting(station=cast.station, year=today.year, month=today.month, actor=cast.head)
    titles = [i.opinion.title for i in meeting.items.order_by("position")]
    assert len(titles) == len(items)
    assert abs(titles.index("机耕路冲毁") - titles.index("机耕道损毁")) == 1
    # Everything else keeps its category grouping: one block per category.
    category_of = {title: category.pk for title, _, category in items}
    rest = [category_of[t] for t in titles if t not in {"机耕路冲毁", "机耕道损毁"}]
    assert sum(a != b for a, b in zip(rest, rest[1:], strict=False)) == 1
