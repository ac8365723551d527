"""The demo organisation places every station plausibly: around its township, inside its county."""

import pytest

from liaison.demo.org import COUNTY_CENTRES, load_org
from liaison.open311.selectors import distance_km
from liaison.org.models import Station

pytestmark = pytest.mark.django_db


def test_every_demo_station_has_a_place_near_its_county_and_its_township():
    load_org()
    stations = list(Station.objects.select_related("region__parent"))
    assert len(stations) > 500 and all(s.latitude is not None and s.longitude is not None for s in stations)
    by_township: dict[str, list[tuple[float, float]]] = {}
    for s in stations:
        point = (float(s.latitude), float(s.longitude))
        assert distance_km(point, COUNTY_CENTRES[s.region.code[:6]]) < 25, s.name
        by_township.setdefault(s.region.parent.code, []).append(point)
    # A township's stations lie within a few kilometres of one another, not scattered over the county.
    for points in by_township.values():
        assert max(distance_km(a, b) for a in points for b in points) < 9
    assert len({(s.latitude, s.longitude) for s in stations}) == len(stations)
