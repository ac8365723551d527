import pytest

from liaison.reports import metrics as m
from liaison.reports import rollups

MARCH = m.Period.month(m.dt.date(2026, 3, 1))

EXPECTED = {
    "opinions": 4,
    "op_visit": 1,
    "op_qr": 1,
    "op_phone": 1,
    "op_reception": 1,
    "dec_village": 1,
    "dec_suggestion": 1,
    "raised": 6,
    "accepted": 4,
    "answered": 3,
    "closed": 3,
    "closed_rate": 3 / 4,
    "on_time_rate": 2 / 3,
    "satisfaction": 2 / 3,
    "first_satisfaction": 1 / 3,
    "solved_rate": 2 / 3,
    "consult_rate": 1 / 3,
    "feedback_rate": 2 / 3,
    "avg_days": (30 + 60 + 100) / 3,
    "p90_days": 100,
    "overdue": 1,
}


def _check(figs):
    for key, value in EXPECTED.items():
        assert figs.value(key) == pytest.approx(value), key


def test_it_computes_the_known_history_from_source(cast, march):
    _check(m.figures_from_source(m.Filters(MARCH, region=cast.shitai)))


def test_it_computes_the_same_from_rollups(cast, march):
    rollups.rebuild()
    figs = m.figures(m.Filters(MARCH, region=cast.shitai))
    _check(figs)
    assert figs.value("closed_rate") == 0.75  # 4 accepted, 3 closed → 75%
    assert m.fmt("closed_rate", figs.value("closed_rate")) == "75.0%"


def test_it_lists_exactly_the_counted_items(cast, march):
    f = m.Filters(MARCH, region=cast.shitai)
    s = march["s"]
    closed = {x.code for x in m.items(m.METRICS["closed_rate"], f, "num")}
    accepted = {x.code for x in m.items(m.METRICS["closed_rate"], f)}
    assert closed == {s["a"].code, s["b"].code, s["c"].code}
    assert accepted == closed | {s["d"].code}
    sat = {x.code for x in m.items(m.METRICS["satisfaction"], f, "num")}
    assert sat == {s["a"].code, s["c"].code}
    fb = {x.code for x in m.items(m.METRICS["feedback_rate"], f, "num")}
    assert fb == {march["o"]["visit"].code, march["o"]["qr"].code}
    assert list(m.items(m.METRICS["overdue"], f)) == [s["d"]]


def test_it_filters_by_station_level_body_and_deputy(cast, march):
    rollups.rebuild()
    st = m.figures(m.Filters(MARCH, station=cast.station_b))
    assert st.value("raised") == 1 and st.value("opinions") == 1
    township = m.figures(m.Filters(MARCH, region=cast.shitai, level="township", body_id=cast.township_body.pk))
    assert township.value("accepted") == 1 and township.value("opinions") == 4
    mine = m.figures_from_source(m.Filters(MARCH, deputy=cast.deputy))
    assert mine.value("raised") == 6 and mine.value("opinions") == 1


def test_it_parses_periods():
    today = m.dt.date(2026, 5, 17)
    assert m.parse_period({"period": "2026-Q2"}, today).months[0] == m.dt.date(2026, 4, 1)
    assert len(m.parse_period({"period": "2025"}, today).months) == 12
    p = m.parse_period({}, today)
    assert p.start == m.dt.date(2025, 6, 1) and p.end == m.dt.date(2026, 6, 1)
    assert p.previous().end == p.start
    c = m.parse_period({"from": "2026-01", "to": "2026-03"}, today)
    assert len(c.months) == 3
