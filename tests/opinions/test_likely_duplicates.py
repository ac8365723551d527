"""Likely duplicates on an opinion's page (same township, last 90 days, what the viewer may see) and the merge."""

import datetime as dt

import pytest
from django.utils import timezone

from liaison.opinions.duplicates import likely_duplicates
from liaison.opinions.models import Opinion
from liaison.org.models import Region, Station
from tests.opinions.helpers import make_opinion

pytestmark = pytest.mark.django_db
S = Opinion.State

ROAD = "三组到五组的机耕路被山洪冲垮了一段，收割机开不进田，眼看稻子要烂在田里。"


@pytest.fixture
def road(cast):
    """The new opinion and its look-alikes: same station, same township's other station, another township of
    the county, same station but 100 days old; plus an unrelated item of the same station."""
    hexi = Region.objects.create(code="341722101", name="小河镇", level=Region.Level.TOWNSHIP, parent=cast.shitai)
    village = Region.objects.create(code="341722101200", name="河口村", level=Region.Level.VILLAGE, parent=hexi)
    far_station = Station.objects.create(code="ST341722101200", name="河口村人大代表联络站", region=village)
    far_station.villages.set([village])
    same, _ = make_opinion(cast, title="机耕道损毁", content="三组通往五组田里的那条机耕道被山洪冲毁，收割机下不了田。")
    old, _ = make_opinion(cast, title="机耕路被冲", content="三组到五组的机耕路被山洪冲垮，收割机开不进田。")
    Opinion.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=100))
    neighbour, _ = make_opinion(
        cast, station=cast.station_b, actor=cast.staff, title="机耕路冲垮", content="三组到五组的机耕路被山洪冲垮了。"
    )
    far, _ = make_opinion(cast, station=far_station, actor=cast.staff, title="机耕路冲毁", content=ROAD)
    unrelated, _ = make_opinion(cast, title="路灯不亮", content="村口到小学的三盏路灯坏了一个月。")
    new, _ = make_opinion(cast, title="机耕路冲毁", content=ROAD)
    return {"new": new, "same": same, "old": old, "neighbour": neighbour, "far": far, "unrelated": unrelated}


def codes(user, opinion):
    return [c.opinion.code for c in likely_duplicates(user, opinion)]


def test_it_lists_the_same_townships_recent_look_alikes_the_viewer_may_see(cast, road):
    # The station's officer sees their own station only: the look-alike of the same station, not the old one.
    assert codes(cast.officer, road["new"]) == [road["same"].code]
    # County staff see the whole township (the other station too), never another township nor 100 days back.
    found = likely_duplicates(cast.staff, road["new"])
    assert {c.opinion.code for c in found} == {road["same"].code, road["neighbour"].code}
    assert all(0.3 <= c.score <= 1 for c in found)
    assert {c.opinion.code: c.mergeable for c in found} == {road["same"].code: True, road["neighbour"].code: False}


def test_the_page_shows_them_with_their_similarity_and_a_merge_button(cast, road, client_for):
    page = client_for(cast.officer).get(f"/opinions/{road['new'].code}/").content.decode()
    block = page[page.index('id="likely-duplicates"') :]
    block = block[: block.index("</ul>")]
    assert road["same"].code in block and "%" in block
    for other in ("old", "neighbour", "far", "unrelated"):
        assert road[other].code not in block
    assert f'name="original" value="{road["same"].code}"' in block
    # A deputy may read the page but not merge: the candidates without the button.
    page = client_for(cast.deputy_user).get(f"/opinions/{road['new'].code}/").content.decode()
    assert 'name="original"' not in page


def test_the_merge_keeps_lineage_and_the_original_shows_its_duplicate(cast, road, client_for):
    client = client_for(cast.officer)
    new, same = road["new"], road["same"]
    response = client.post(f"/opinions/{new.code}/mark_duplicate/", {"original": same.code})
    assert response.status_code == 302
    new.refresh_from_db()
    assert new.state == S.DUPLICATE and new.duplicate_of == same
    page = client.get(f"/opinions/{same.code}/").content.decode()
    assert "合并到此的重复事项" in page and new.code in page
    merged = client.get(f"/opinions/{new.code}/").content.decode()
    assert f"与 {same.code} 反映的问题相同，合并办理" in merged  # the public timeline step
    assert 'id="likely-duplicates"' not in merged  # decided: nothing left to merge


def test_the_merge_refuses_an_original_the_user_may_not_see_or_of_another_station(cast, road, client_for):
    new = road["new"]
    for original in (road["neighbour"], road["far"]):
        client_for(cast.officer).post(f"/opinions/{new.code}/mark_duplicate/", {"original": original.code})
        client_for(cast.staff).post(f"/opinions/{new.code}/mark_duplicate/", {"original": original.code})
    response = client_for(cast.deputy_user).post(
        f"/opinions/{new.code}/mark_duplicate/", {"original": road["same"].code}
    )
    assert response.status_code == 403
    assert client_for(cast.outsider).post(f"/opinions/{new.code}/mark_duplicate/").status_code == 404
    new.refresh_from_db()
    assert new.state == S.REGISTERED and new.duplicate_of is None


def test_an_opinion_on_an_open_meetings_agenda_is_merged_by_the_meeting(cast, road, client_for):
    from liaison.meetings import services as meeting_services

    today = timezone.localdate()
    meeting = meeting_services.open_meeting(station=cast.station, year=today.year, month=today.month, actor=cast.head)
    new, same = road["new"], road["same"]
    new.refresh_from_db()
    assert new.state == S.ON_AGENDA
    assert (
        client_for(cast.officer).post(f"/opinions/{new.code}/mark_duplicate/", {"original": same.code}).status_code
        == 403
    )
    client_for(cast.head).post(f"/opinions/{new.code}/mark_duplicate/", {"original": same.code})
    new.refresh_from_db()
    assert new.duplicate_of == same
    assert meeting.items.get(opinion=new).decision == "duplicate"


def test_the_block_reads_in_english_too(cast, road, client_for, settings):
    client = client_for(cast.officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(f"/opinions/{road['new'].code}/").content.decode()
    assert "Likely duplicates" in page and "Merge as a duplicate of this one" in page
