"""The scoping rules of liaison/opinions/selectors.py, called directly with the shared cast: who sees which opinion,
visit and mediation, who may write, chair or record a village outcome, whose contacts show, and what the ledger's
filters and pages return."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from liaison.opinions import selectors
from liaison.opinions.models import Mediation, Opinion, Visit
from liaison.org.models import Category, Membership, Role, Stationing, User
from tests.opinions.helpers import make_opinion

pytestmark = pytest.mark.django_db


def fresh(user):
    """The user re-read, so scope_of (cached on the object) sees memberships added in the test."""
    return User.objects.get(pk=user.pk)


def codes(qs):
    return {o.code for o in qs}


def at(year, month, day, hour=12):
    return timezone.make_aware(dt.datetime(year, month, day, hour))


# --- who sees which opinion -----------------------------------------------------------------------------------


def test_it_shows_a_staff_member_who_also_serves_as_officer_his_county_and_his_station(cast):
    home, _ = make_opinion(cast, station=cast.other_station, actor=cast.outsider, title="东至的事")
    there, _ = make_opinion(cast, title="缘溪的事")
    elsewhere, _ = make_opinion(cast, station=cast.station_b, actor=cast.staff, title="桃坑的事")
    Membership.objects.create(user=cast.outsider, role=Role.LIAISON_OFFICER, station=cast.station)

    assert codes(selectors.opinions_visible_to(fresh(cast.outsider))) == {home.code, there.code}
    assert elsewhere.code not in codes(selectors.opinions_visible_to(fresh(cast.outsider)))


@pytest.fixture
def left_station_b(cast):
    """Opinions at 桃坑村's station: one 王建国 collected while stationed there (he has left since), one he was
    asked to draft a suggestion from, one that is none of his business."""
    Stationing.objects.create(deputy=cast.deputy, station=cast.station_b)
    collected, _ = make_opinion(cast, station=cast.station_b, actor=cast.staff, deputy=cast.deputy, title="收集的")
    Stationing.objects.filter(deputy=cast.deputy, station=cast.station_b).delete()
    drafted, _ = make_opinion(cast, station=cast.station_b, actor=cast.staff, title="起草的")
    Opinion.objects.filter(pk=drafted.pk).update(drafting_deputy=cast.deputy)
    other, _ = make_opinion(cast, station=cast.station_b, actor=cast.staff, title="别人的")
    return collected, drafted, other


def test_it_shows_a_deputy_who_left_a_station_the_opinions_he_collected_or_drafts_there(cast, left_station_b):
    collected, drafted, _ = left_station_b
    visible = selectors.opinions_visible_to(fresh(cast.deputy_user)).filter(station=cast.station_b)
    assert codes(visible) == {collected.code, drafted.code}


def test_it_lets_that_deputy_report_back_on_what_he_collected_but_only_read_what_he_drafts(cast, left_station_b):
    collected, drafted, other = left_station_b
    deputy = fresh(cast.deputy_user)

    assert selectors.can_report_back(deputy, collected)
    assert not selectors.can_report_back(deputy, drafted)
    assert not selectors.can_report_back(deputy, other)
    assert selectors.access_opinion(deputy, collected.code, write=True) == collected
    with pytest.raises(PermissionDenied) as denied:
        selectors.access_opinion(deputy, drafted.code, write=True)
    assert str(denied.value) == "您对该社情民意只有查看权限"  # the 403 page shows this reason


def test_it_gives_a_read_only_leader_the_opinion_but_a_403_with_the_reason_when_writing(cast):
    opinion, _ = make_opinion(cast)

    assert selectors.access_opinion(cast.leader, opinion.code) == opinion
    with pytest.raises(PermissionDenied) as denied:
        selectors.access_opinion(cast.leader, opinion.code, write=True)
    assert str(denied.value) == "您对该社情民意只有查看权限"
    assert selectors.access_opinion(cast.head, opinion.code, write=True) == opinion
    assert selectors.access_opinion(cast.staff, opinion.code, write=True) == opinion


# --- village outcomes -----------------------------------------------------------------------------------------


def test_it_lets_those_who_manage_the_station_record_the_village_outcome(cast):
    opinion, _ = make_opinion(cast)

    for user in (cast.head, cast.officer, cast.staff, cast.admin):
        assert selectors.can_record_village_outcome(user, opinion), user
    assert not selectors.can_record_village_outcome(cast.leader, opinion)
    assert not selectors.can_record_village_outcome(cast.deputy_user, opinion)


def test_it_lets_a_village_committee_record_outcomes_at_a_station_that_also_covers_its_village(cast):
    # 桃坑村's station also serves 缘溪村: 缘溪村's committee records the outcome of what is handed to it there.
    cast.station_b.villages.set([cast.taokeng, cast.yuanxi])
    opinion, _ = make_opinion(cast, station=cast.station_b, actor=cast.staff)
    far, _ = make_opinion(cast, station=cast.other_station, actor=cast.outsider)

    assert selectors.can_record_village_outcome(cast.village, opinion)
    assert not selectors.can_record_village_outcome(cast.village, far)


def test_it_keeps_a_village_committee_to_its_own_village_whatever_else_its_member_is(cast):
    # 桃坑村's committee member, also a (read-only) county leader, while 缘溪村 has a committee of its own.
    member = User.objects.create_user(username="taokeng_vc", password="Test@pass-2026")
    Membership.objects.create(user=member, role=Role.VILLAGE_COMMITTEE, region=cast.taokeng)
    Membership.objects.create(user=member, role=Role.LEADER, region=cast.shitai)
    at_yuanxi, _ = make_opinion(cast)
    at_taokeng, _ = make_opinion(cast, station=cast.station_b, actor=cast.staff)

    assert not selectors.can_record_village_outcome(fresh(member), at_yuanxi)
    assert selectors.can_record_village_outcome(fresh(member), at_taokeng)


# --- heads, officers, stationed deputies, contacts ------------------------------------------------------------


def test_it_tells_the_head_of_a_station_from_its_officer_and_from_other_stations(cast):
    assert selectors.is_station_head(cast.head, cast.station)
    assert not selectors.is_station_head(cast.head, cast.station_b)
    assert not selectors.is_station_head(cast.officer, cast.station)
    assert set(selectors.stations_headed_by(cast.head)) == {cast.station}
    assert set(selectors.stations_headed_by(cast.officer)) == set()


def test_it_lets_county_staff_who_also_serve_as_officer_chair_that_station(cast):
    Membership.objects.create(user=cast.staff, role=Role.LIAISON_OFFICER, station=cast.station)
    staff = fresh(cast.staff)

    assert selectors.is_station_head(staff, cast.station)
    assert cast.station in set(selectors.stations_headed_by(staff))


def test_it_counts_a_deputy_as_stationed_only_where_he_is(cast):
    assert selectors.is_stationed_deputy(cast.deputy_user, cast.station)
    assert not selectors.is_stationed_deputy(cast.deputy_user, cast.other_station)
    assert not selectors.is_stationed_deputy(cast.deputy_user, cast.station_b)
    assert not selectors.is_stationed_deputy(cast.officer, cast.station)


def test_it_shows_residents_contacts_only_at_the_stations_and_regions_one_manages(cast):
    assert selectors.sees_contacts(cast.head, cast.station)
    assert not selectors.sees_contacts(cast.head, cast.station_b)
    assert not selectors.sees_contacts(cast.officer, cast.other_station)
    assert selectors.sees_contacts(cast.staff, cast.station_b)
    assert not selectors.sees_contacts(cast.outsider, cast.station)


# --- the ledger -----------------------------------------------------------------------------------------------


@pytest.fixture
def by_month(cast):
    """One opinion registered in each of February, March and April 2026 (local time)."""
    made = {}
    for month in (2, 3, 4):
        opinion, _ = make_opinion(cast, title=f"{month}月的事")
        Opinion.objects.filter(pk=opinion.pk).update(created_at=at(2026, month, 15))
        made[month] = opinion.code
    return made


def test_it_lists_one_month_of_the_ledger_without_the_months_before_or_after(cast, by_month):
    qs, f = selectors.ledger_queryset(cast.staff, {"month": "2026-03"})
    assert codes(qs) == {by_month[3]} and f["month"] == "2026-03"
    edge, _ = make_opinion(cast, title="三月一日零点")
    Opinion.objects.filter(pk=edge.pk).update(created_at=at(2026, 3, 1, 0))
    eve, _ = make_opinion(cast, title="二月最后一刻")
    Opinion.objects.filter(pk=eve.pk).update(created_at=at(2026, 3, 1, 0) - dt.timedelta(seconds=1))
    assert codes(selectors.ledger_queryset(cast.staff, {"month": "2026-03"})[0]) == {by_month[3], edge.code}


@pytest.mark.parametrize(
    ("key", "value"),
    [("month", "2026-13"), ("month", "三月"), ("state", "bogus"), ("category", "abc"), ("channel", "fax")],
)
def test_it_ignores_an_unusable_filter_and_clears_it_in_the_form(cast, by_month, key, value):
    qs, f = selectors.ledger_queryset(cast.staff, {key: value})
    assert codes(qs) == set(by_month.values())
    assert f[key] == ""
    assert set(f) == {"station", "region", "state", "category", "channel", "deputy", "month", "q"}


@pytest.mark.parametrize("category", ["2147483648", "4294967295"])
def test_it_ignores_a_category_id_beyond_the_databases_integers(cast, by_month, category):
    qs, f = selectors.ledger_queryset(cast.staff, {"category": category})
    assert codes(qs) == set(by_month.values()) and f["category"] == ""


def test_it_filters_by_a_category_with_a_large_id(cast):
    big = Category.objects.create(pk=4000, name="生态环境（新设）")
    mine, _ = make_opinion(cast, title="河道垃圾", category=big)
    make_opinion(cast, title="路灯不亮")

    qs, f = selectors.ledger_queryset(cast.staff, {"category": "4000"})
    assert codes(qs) == {mine.code} and f["category"] == "4000"
    qs, f = selectors.ledger_queryset(cast.staff, {"category": "2147483647"})  # the largest id: a filter, empty
    assert codes(qs) == set() and f["category"] == "2147483647"


def test_it_filters_the_ledger_by_a_region_subtree(cast):
    yuanxi, _ = make_opinion(cast, title="缘溪的事")
    taokeng, _ = make_opinion(cast, station=cast.station_b, actor=cast.staff, title="桃坑的事")
    dongzhi, _ = make_opinion(cast, station=cast.other_station, actor=cast.outsider, title="东至的事")

    assert codes(selectors.ledger_queryset(cast.admin, {"region": cast.renli.code})[0]) == {yuanxi.code, taokeng.code}
    assert codes(selectors.ledger_queryset(cast.admin, {"region": cast.taokeng.code})[0]) == {taokeng.code}
    assert codes(selectors.ledger_queryset(cast.admin, {"region": cast.dongzhi.code})[0]) == {dongzhi.code}
    qs, f = selectors.ledger_queryset(cast.admin, {"region": "999999"})  # no such region: nothing, not everything
    assert codes(qs) == set() and f["region"] == "999999"


def test_it_cuts_a_filter_at_60_characters(cast):
    phrase = "村口" * 30  # 60 characters
    opinion, _ = make_opinion(cast, content=f"{phrase}。路灯坏了。")

    qs, f = selectors.ledger_queryset(cast.staff, {"q": phrase + "路灯亮了"})
    assert codes(qs) == {opinion.code} and f["q"] == phrase
    _, f = selectors.ledger_queryset(cast.staff, {"station": "S" * 61, "deputy": "D" * 61})
    assert f["station"] == "S" * 60 and f["deputy"] == "D" * 60


def test_it_finds_a_search_word_in_the_title_or_in_the_content(cast):
    in_title, _ = make_opinion(cast, title="LED路灯坏了", content="村口三盏灯不亮。")
    in_content, _ = make_opinion(cast, title="路灯不亮", content="想换成LED灯。")
    make_opinion(cast, title="井盖破损", content="小学门口。")

    assert codes(selectors.ledger_queryset(cast.staff, {"q": "LED"})[0]) == {in_title.code, in_content.code}


def test_it_searches_letters_regardless_of_case(cast):
    # On SQLite LIKE ignores ASCII case anyway; on PostgreSQL this is what the icontains branch is for.
    opinion, _ = make_opinion(cast, title="LED路灯坏了", content="村口三盏灯不亮。")

    assert codes(selectors.ledger_queryset(cast.staff, {"q": "led"})[0]) == {opinion.code}
    assert codes(selectors.ledger_queryset(cast.staff, {"q": "Led路灯"})[0]) == {opinion.code}
    assert codes(selectors.ledger_queryset(cast.staff, {"q": "路灯"})[0]) == {opinion.code}


def test_it_finds_an_opinion_by_its_code_typed_in_any_case(cast):
    opinion, _ = make_opinion(cast, title="井盖破损", content="小学门口。")
    make_opinion(cast, title="路灯不亮", content="村口。")

    assert codes(selectors.ledger_queryset(cast.staff, {"q": opinion.code.lower()})[0]) == {opinion.code}
    assert codes(selectors.ledger_queryset(cast.staff, {"q": opinion.code})[0]) == {opinion.code}


def test_it_pages_the_ledger_newest_first(cast):
    made = []
    for day in (1, 2, 3):
        opinion, _ = make_opinion(cast, title=f"{day}日的事")
        Opinion.objects.filter(pk=opinion.pk).update(created_at=at(2026, 3, day))
        made.append(opinion.code)
    qs = selectors.opinions_visible_to(cast.staff)

    first = selectors.ledger_page(qs, "1", 2)
    second = selectors.ledger_page(qs, "2", 2)
    assert [o.code for o in first.object_list] == [made[2], made[1]]
    assert [o.code for o in second.object_list] == [made[0]]
    assert second.number == 2 and first.paginator.count == 3


# --- visits and mediations ------------------------------------------------------------------------------------


def test_it_shows_a_deputy_his_own_visits_anywhere_and_every_visit_at_his_station(cast):
    def visit(code, deputy, station):
        return Visit.objects.create(
            code=code, deputy=deputy, station=station, kind=Visit.Kind.DOOR, date=dt.date(2026, 3, 1), place="村口"
        )

    own_elsewhere = visit("V-T-1", cast.deputy, cast.station_b)
    colleague = visit("V-T-2", cast.deputy2, cast.station)
    visit("V-T-3", cast.other_deputy, cast.other_station)

    assert codes(selectors.visits_visible_to(cast.deputy_user)) == {own_elsewhere.code, colleague.code}
    assert codes(selectors.visits_visible_to(cast.head)) == {colleague.code}
    assert codes(selectors.visits_visible_to(cast.admin)) == {"V-T-1", "V-T-2", "V-T-3"}


def test_it_shows_mediations_by_station_by_the_deputys_home_and_to_the_deputy_himself(cast):
    def mediation(code, deputy, station):
        return Mediation.objects.create(
            code=code,
            deputy=deputy,
            station=station,
            date=dt.date(2026, 3, 1),
            parties="张三,李四",
            subject="宅基地边界",
            steps="现场丈量后调解",
            result=Mediation.Result.RESOLVED,
        )

    colleague = mediation("M-T-1", cast.deputy2, cast.station).code
    own_no_station = mediation("M-T-2", cast.deputy, None).code  # 王建国 lives in 缘溪村 (石台县)
    dongzhi_deputy_here = mediation("M-T-3", cast.other_deputy, cast.station_b).code
    dongzhi = mediation("M-T-4", cast.other_deputy, cast.other_station).code

    assert codes(selectors.mediations_visible_to(cast.staff)) == {colleague, own_no_station, dongzhi_deputy_here}
    assert codes(selectors.mediations_visible_to(cast.head)) == {colleague}
    assert codes(selectors.mediations_visible_to(cast.deputy_user)) == {colleague, own_no_station}
    assert codes(selectors.mediations_visible_to(cast.outsider)) == {dongzhi_deputy_here, dongzhi}  # 东至 deputy
    assert len(selectors.mediations_visible_to(cast.admin)) == 4
