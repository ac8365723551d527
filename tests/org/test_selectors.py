import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from liaison.org.selectors import (
    access_deputy,
    access_station,
    body_for_level,
    deputies_visible_to,
    regions_visible_to,
    stations_visible_to,
    units_visible_to,
)

pytestmark = pytest.mark.django_db


def codes(qs):
    return set(qs.values_list("code", flat=True))


def test_it_scopes_stations_by_region_and_role(cast):
    shitai = {cast.station.code, cast.station_b.code}
    assert codes(stations_visible_to(cast.staff)) == shitai
    assert codes(stations_visible_to(cast.leader)) == shitai
    assert codes(stations_visible_to(cast.city_staff)) == shitai | {cast.other_station.code}
    assert codes(stations_visible_to(cast.outsider)) == {cast.other_station.code}
    assert codes(stations_visible_to(cast.head)) == {cast.station.code}
    assert codes(stations_visible_to(cast.deputy_user)) == {cast.station.code}
    assert codes(stations_visible_to(cast.village)) == {cast.station.code}
    assert codes(stations_visible_to(cast.unit_user)) == set()
    assert len(codes(stations_visible_to(cast.admin))) == 3


def test_it_answers_404_out_of_scope_and_403_for_read_only(cast):
    with pytest.raises(Http404):
        access_station(cast.outsider, cast.station.code)
    with pytest.raises(Http404):
        access_station(cast.unit_user, cast.station.code)
    assert access_station(cast.leader, cast.station.code) == cast.station
    with pytest.raises(PermissionDenied):
        access_station(cast.leader, cast.station.code, write=True)
    with pytest.raises(PermissionDenied):
        access_station(cast.deputy_user, cast.station.code, write=True)
    assert access_station(cast.head, cast.station.code, write=True) == cast.station
    assert access_station(cast.staff, cast.station.code, write=True) == cast.station
    with pytest.raises(Http404):
        access_station(cast.head, cast.station_b.code)


def test_it_scopes_deputies_units_and_regions(cast):
    assert codes(deputies_visible_to(cast.staff)) == {cast.deputy.code, cast.deputy2.code}
    assert codes(deputies_visible_to(cast.outsider)) == {cast.other_deputy.code}
    assert codes(deputies_visible_to(cast.unit_user)) == set()
    with pytest.raises(Http404):
        access_deputy(cast.outsider, cast.deputy.code)
    assert codes(units_visible_to(cast.unit_user)) == {cast.unit.code}
    assert cast.other_unit.code not in codes(units_visible_to(cast.staff))
    assert "341721" not in codes(regions_visible_to(cast.staff))
    assert codes(regions_visible_to(cast.head)) == {cast.yuanxi.code}


def test_it_routes_a_deputy_level_to_the_right_body(cast):
    assert body_for_level("county", cast.yuanxi) == cast.county_body
    assert body_for_level("township", cast.yuanxi) == cast.township_body
    assert body_for_level("provincial", cast.yuanxi) == cast.city_body


def test_it_shows_contacts_to_the_station_roles_of_that_station_only(cast):
    from liaison.org.selectors import can_see_contacts

    assert can_see_contacts(cast.head, cast.yuanxi.path)
    assert can_see_contacts(cast.officer, cast.yuanxi.path)
    assert not can_see_contacts(cast.head, cast.taokeng.path)
    assert not can_see_contacts(cast.deputy2_user, cast.yuanxi.path)
    assert not can_see_contacts(cast.unit_user, cast.yuanxi.path)
