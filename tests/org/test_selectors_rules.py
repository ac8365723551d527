"""The scoping rules of liaison/org/selectors.py, one user-visible rule a test (complements test_selectors.py)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from liaison.org.models import Body, Deputy, Membership, Role, User
from liaison.org.selectors import (
    access_deputy,
    access_region,
    access_station,
    access_unit,
    bodies_visible_to,
    broadest_region,
    can_see_contacts,
    deputies_visible_to,
    home_summary,
    regions_visible_to,
    scope_of,
    stations_visible_to,
    units_visible_to,
)

pytestmark = pytest.mark.django_db

READ_ONLY = "您对该对象只有查看权限"


def codes(qs):
    return set(qs.values_list("code", flat=True))


def fresh(user):
    """The user as the next request loads them (no cached scope)."""
    return User.objects.get(pk=user.pk)


def new_user(username, *memberships):
    user = User.objects.create_user(username=username, password="x")
    for role, where in memberships:
        Membership.objects.create(user=user, role=role, **where)
    return user


# --- scope_of -------------------------------------------------------------------------------------------


def test_it_gives_a_deactivated_account_no_scope(cast):
    cast.staff.is_active = False
    cast.staff.save()
    staff = fresh(cast.staff)
    assert codes(stations_visible_to(staff)) == set()
    assert codes(regions_visible_to(staff)) == set()
    with pytest.raises(Http404):
        access_station(staff, cast.station.code)


def test_it_gives_nobody_and_anonymous_visitors_no_scope(cast):
    for nobody in (None, AnonymousUser()):
        assert codes(stations_visible_to(nobody)) == set()
        assert codes(deputies_visible_to(nobody)) == set()
        assert not scope_of(nobody).has(Role.STAFF, Role.ADMIN)


def test_it_computes_the_scope_once_per_request(cast, django_assert_num_queries):
    staff = fresh(cast.staff)
    first = scope_of(staff)
    with django_assert_num_queries(0):
        assert scope_of(staff) is first
    # Within the request the scope is stable; the next request (a fresh user object) sees a removed role.
    Membership.objects.filter(user=staff).delete()
    assert codes(stations_visible_to(staff)) == {cast.station.code, cast.station_b.code}
    assert codes(stations_visible_to(fresh(staff))) == set()


def test_it_ignores_a_stray_region_on_a_station_membership(cast):
    head = new_user("head2", (Role.STATION_HEAD, {"station": cast.station, "region": cast.shitai}))
    assert codes(stations_visible_to(head)) == {cast.station.code}
    assert codes(regions_visible_to(head)) == {cast.yuanxi.code}


def test_it_ignores_a_stray_station_on_a_staff_membership(cast):
    user = new_user("dz2", (Role.STAFF, {"region": cast.dongzhi, "station": cast.station}))
    assert codes(stations_visible_to(user)) == {cast.other_station.code}
    with pytest.raises(Http404):
        access_station(user, cast.station.code)


def test_it_ignores_a_stray_unit_on_a_staff_membership(cast):
    user = new_user("dz3", (Role.STAFF, {"region": cast.dongzhi, "unit": cast.unit}))
    assert codes(units_visible_to(user)) == {cast.other_unit.code}
    with pytest.raises(Http404):
        access_unit(user, cast.unit.code)
    assert home_summary(user)["station_count"] == 1


def test_it_tells_which_roles_a_user_holds(cast):
    assert scope_of(cast.staff).has(Role.STAFF)
    assert scope_of(cast.staff).has(Role.LEADER, Role.STAFF)
    assert not scope_of(cast.staff).has(Role.LEADER, Role.UNIT)
    assert scope_of(cast.deputy_user).has(Role.DEPUTY)
    assert not scope_of(cast.head).has(Role.DEPUTY)
    assert scope_of(cast.admin).has(Role.UNIT)
    assert not scope_of(cast.unit_user).has()


# --- lists ------------------------------------------------------------------------------------------------


def test_it_unites_the_regions_of_several_memberships(cast):
    user = new_user("two", (Role.STAFF, {"region": cast.dongzhi}), (Role.LEADER, {"region": cast.renli}))
    assert codes(stations_visible_to(user)) == {cast.station.code, cast.station_b.code, cast.other_station.code}
    assert {b.region.code for b in bodies_visible_to(user)} == {cast.dongzhi.code, cast.renli.code}


def test_it_adds_a_station_s_villages_to_a_region_membership(cast):
    user = new_user("mixed", (Role.STAFF, {"region": cast.dongzhi}), (Role.STATION_HEAD, {"station": cast.station}))
    assert codes(regions_visible_to(user)) == {cast.dongzhi.code, cast.yanghu.code, cast.shashan.code, cast.yuanxi.code}


def test_it_opens_every_village_a_station_covers(cast):
    cast.station.villages.add(cast.taokeng)
    assert codes(regions_visible_to(fresh(cast.head))) == {cast.yuanxi.code, cast.taokeng.code}


def test_it_shows_deputies_elected_in_the_region_even_if_stationed_elsewhere(cast):
    roaming = Deputy.objects.create(name="赵六", home_region=cast.taokeng)
    roaming.stations.add(cast.other_station)
    assert roaming.code in codes(deputies_visible_to(cast.staff))
    assert roaming.code in codes(deputies_visible_to(cast.outsider))
    assert roaming.code not in codes(deputies_visible_to(cast.head))


def test_it_shows_an_unstationed_deputy_their_own_record(cast):
    user = User.objects.create_user(username="newdeputy", password="x")
    me = Deputy.objects.create(name="钱七", home_region=cast.taokeng, user=user)
    assert codes(deputies_visible_to(user)) == {me.code}
    assert access_deputy(user, me.code, write=True) == me


def test_it_scopes_congress_bodies_by_region(cast):
    def names(user):
        return set(bodies_visible_to(user).values_list("name", flat=True))

    assert names(cast.staff) == {"石台县人大常委会", "仁里镇人大主席团"}
    assert names(cast.leader) == {"石台县人大常委会", "仁里镇人大主席团"}
    assert names(cast.outsider) == {"东至县人大常委会"}
    assert names(cast.city_staff) == set(Body.objects.values_list("name", flat=True))
    assert names(cast.admin) == set(Body.objects.values_list("name", flat=True))
    assert names(cast.head) == set()
    assert names(cast.unit_user) == set()


# --- single objects -----------------------------------------------------------------------------------------


def test_it_explains_a_read_only_refusal(cast):
    for deny in (
        lambda: access_station(cast.leader, cast.station.code, write=True),
        lambda: access_region(cast.leader, cast.shitai.code, write=True),
        lambda: access_deputy(cast.leader, cast.deputy.code, write=True),
        lambda: access_unit(cast.leader, cast.unit.code, write=True),
    ):
        with pytest.raises(PermissionDenied) as refused:
            deny()
        assert str(refused.value) == READ_ONLY


def test_it_lets_only_staff_and_admins_edit_a_region(cast):
    assert access_region(cast.staff, cast.shitai.code, write=True) == cast.shitai
    assert access_region(cast.staff, cast.yuanxi.code, write=True) == cast.yuanxi
    assert access_region(cast.admin, cast.dongzhi.code, write=True) == cast.dongzhi
    assert access_region(cast.leader, cast.shitai.code) == cast.shitai
    for read_only, code in ((cast.leader, cast.shitai.code), (cast.head, cast.yuanxi.code)):
        with pytest.raises(PermissionDenied):
            access_region(read_only, code, write=True)
    with pytest.raises(Http404):
        access_region(cast.outsider, cast.shitai.code, write=True)


def test_it_lets_a_deputy_edit_their_own_record_only(cast):
    assert access_deputy(cast.deputy_user, cast.deputy.code, write=True) == cast.deputy
    with pytest.raises(PermissionDenied):
        access_deputy(cast.deputy2_user, cast.deputy.code, write=True)
    with pytest.raises(PermissionDenied):
        access_deputy(cast.head, cast.deputy.code, write=True)


def test_it_lets_staff_and_admins_edit_deputies(cast):
    assert access_deputy(cast.staff, cast.deputy.code, write=True) == cast.deputy
    assert access_deputy(cast.township_staff, cast.deputy2.code, write=True) == cast.deputy2
    assert access_deputy(cast.admin, cast.other_deputy.code, write=True) == cast.other_deputy
    assert access_deputy(cast.leader, cast.deputy.code) == cast.deputy
    with pytest.raises(PermissionDenied):
        access_deputy(cast.leader, cast.deputy.code, write=True)


def test_it_opens_a_unit_to_its_handlers_the_region_and_admins(cast):
    assert access_unit(cast.unit_user, cast.unit.code) == cast.unit
    assert access_unit(cast.leader, cast.unit.code) == cast.unit
    assert access_unit(cast.admin, cast.other_unit.code) == cast.other_unit
    assert access_unit(cast.village, cast.village_unit.code) == cast.village_unit
    for hidden, code in (
        (cast.unit_b_user, cast.unit.code),
        (cast.outsider, cast.unit.code),
        (cast.head, cast.unit.code),
        (cast.staff, "U-NOSUCH"),
    ):
        with pytest.raises(Http404):
            access_unit(hidden, code)


def test_it_lets_a_unit_s_handlers_staff_and_admins_edit_it(cast):
    assert access_unit(cast.unit_user, cast.unit.code, write=True) == cast.unit
    assert access_unit(cast.staff, cast.unit.code, write=True) == cast.unit
    assert access_unit(cast.staff, cast.village_unit.code, write=True) == cast.village_unit
    assert access_unit(cast.admin, cast.other_unit.code, write=True) == cast.other_unit
    for read_only, code in ((cast.leader, cast.unit.code), (cast.village, cast.village_unit.code)):
        with pytest.raises(PermissionDenied):
            access_unit(read_only, code, write=True)
    with pytest.raises(Http404):
        access_unit(cast.unit_b_user, cast.unit.code, write=True)


# --- defaults and the home page -------------------------------------------------------------------------------


def test_it_opens_admins_on_the_root_region(cast):
    assert broadest_region(cast.admin) == cast.city
    assert broadest_region(cast.staff) == cast.shitai
    assert broadest_region(cast.head) is None


def test_it_opens_on_the_widest_membership_not_the_first_by_code(cast):
    # 洋湖镇 (341721105) sorts before 石台县 (341722) but is a level lower.
    user = new_user("two", (Role.STAFF, {"region": cast.yanghu}), (Role.LEADER, {"region": cast.shitai}))
    assert broadest_region(user) == cast.shitai


def test_it_shows_contacts_to_admins(cast):
    assert can_see_contacts(cast.admin)
    assert can_see_contacts(cast.admin, cast.shashan.path)


def test_it_summarises_the_home_page(cast):
    summary = home_summary(cast.staff)
    assert summary["scope"].has(Role.STAFF)
    assert [m.region for m in summary["memberships"]] == [cast.shitai]
    assert summary["station_count"] == 2
    assert home_summary(cast.admin)["station_count"] == 3
    assert home_summary(cast.deputy_user)["station_count"] == 1
    assert home_summary(cast.deputy_user)["scope"].deputy_id == cast.deputy.pk


def test_it_shows_unit_handlers_no_station_count(cast):
    assert home_summary(cast.unit_user)["station_count"] == 0
    # A village committee member who also handles the village committee's cases: the unit view wins.
    user = new_user("vc", (Role.VILLAGE_COMMITTEE, {"region": cast.yuanxi}), (Role.UNIT, {"unit": cast.village_unit}))
    assert codes(stations_visible_to(user)) == {cast.station.code}
    assert home_summary(user)["station_count"] == 0
