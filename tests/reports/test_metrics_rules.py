"""The metric rules of PRODUCT.md "Metrics" as a reader of the dashboards meets them: which months a URL selects,
how a figure is shown, what each scope counts and which items a drill-down lists."""

import datetime as dt
from collections import Counter
from types import SimpleNamespace

import pytest
from django.utils import timezone

from liaison.reports import metrics as m
from liaison.reports import rollups
from liaison.suggestions.models import Assignment, Suggestion

from . import history as h

D = dt.date
TODAY = D(2026, 5, 17)
LAST_12 = (D(2025, 6, 1), D(2026, 6, 1), "近12个月（2025年6月—2026年5月）")


def _march():
    return m.Period.month(D(2026, 3, 17))


def _period(params):
    p = m.parse_period(params, TODAY)
    return p.start, p.end, p.label


def _codes(qs):
    return {x.code for x in qs}


# --- the period a URL selects ---------------------------------------------------------------------------------


def test_it_selects_one_calendar_month_for_any_day_in_it():
    p = _march()
    assert (p.start, p.end, p.label) == (D(2026, 3, 1), D(2026, 4, 1), "2026年3月")
    assert p.months == [D(2026, 3, 1)]


@pytest.mark.parametrize(
    "value, want",
    [
        ("2026-05", (D(2026, 5, 1), D(2026, 6, 1), "2026年5月")),
        (" 2026-03 ", (D(2026, 3, 1), D(2026, 4, 1), "2026年3月")),
        ("2026-q2", (D(2026, 4, 1), D(2026, 7, 1), "2026年第2季度")),
        ("2025-Q4", (D(2025, 10, 1), D(2026, 1, 1), "2025年第4季度")),
        ("2025", (D(2025, 1, 1), D(2026, 1, 1), "2025年")),
        ("2000", (D(2000, 1, 1), D(2001, 1, 1), "2000年")),
        ("2100", (D(2100, 1, 1), D(2101, 1, 1), "2100年")),
    ],
)
def test_it_reads_the_period_parameter(value, want):
    assert _period({"period": value}) == want


def test_it_reads_an_inclusive_from_to_range():
    assert _period({"from": "2026-01", "to": "2026-03"}) == (D(2026, 1, 1), D(2026, 4, 1), "2026年1月—2026年3月")
    # A date picker's full dates select their months.
    assert _period({"from": "2026-01-15", "to": "2026-02-03"}) == (D(2026, 1, 1), D(2026, 3, 1), "2026年1月—2026年2月")
    assert _period({"from": "2026-03", "to": "2026-03"}) == (D(2026, 3, 1), D(2026, 4, 1), "2026年3月")
    assert len(m.parse_period({"from": "2001-01", "to": "2020-12"}, TODAY).months) == 240


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"period": "12m"},
        {"period": "1999"},
        {"period": "2101"},
        {"period": "abcd"},
        {"period": "garbage"},
        {"period": "2026-QX"},
        {"period": "2026-Q5"},
        {"period": "2026-5"},
        {"period": "2026-13"},
        {"from": "2026-03"},
        {"to": "2026-03"},
        {"from": "2026-04", "to": "2026-03"},
        {"from": "2000-01", "to": "2020-01"},
        {"from": "x", "to": "2026-03"},
    ],
)
def test_it_falls_back_to_the_last_12_months(params):
    assert _period(params) == LAST_12


def test_it_labels_the_previous_period_for_comparison():
    prev = _march().previous()
    assert (prev.start, prev.end, prev.label) == (D(2026, 2, 1), D(2026, 3, 1), "上期（2026年2月）")
    prev = m.parse_period({"period": "2026-Q2"}, TODAY).previous()
    assert (prev.start, prev.end, prev.label) == (D(2026, 1, 1), D(2026, 4, 1), "上期（2026年1月—2026年3月）")


def test_it_links_each_figure_to_its_items_with_the_same_scope():
    march = _march()
    region = SimpleNamespace(code="341722")
    station = SimpleNamespace(code="ST341722100201")
    deputy = SimpleNamespace(code="D0000001")
    assert m.Filters(march).query() == "from=2026-03&to=2026-03"
    assert m.Filters(march, region=region).query() == "from=2026-03&to=2026-03&region=341722"
    assert m.Filters(march, region=region, station=station).query() == "from=2026-03&to=2026-03&station=ST341722100201"
    assert m.Filters(march, region=region, station=station, deputy=deputy).query() == (
        "from=2026-03&to=2026-03&deputy=D0000001"
    )
    assert m.Filters(march, category_id=7, level="township", body_id=3).query() == (
        "from=2026-03&to=2026-03&category=7&level=township&body=3"
    )
    # The comparison with the previous period keeps the scope.
    f = m.Filters(march, region=region, level="county")
    prev = f.with_period(march.previous())
    assert prev.query() == "from=2026-02&to=2026-02&region=341722&level=county"
    assert prev.region is region and f.period == march


# --- how figures are shown ------------------------------------------------------------------------------------


def test_it_shows_each_kind_of_figure_in_its_unit():
    assert m.fmt("closed_rate", 2 / 3) == "66.7%"
    assert m.fmt("avg_days", 12.345) == "12.3 天"
    assert m.fmt("p90_days", 9) == "9 天"
    assert m.fmt("raised", 12345) == "12,345"
    assert m.fmt("overdue", 3) == "3"
    assert m.fmt("avg_days", None) == m.fmt("closed_rate", None) == "—"


def test_it_computes_a_rate_only_when_there_is_a_denominator():
    assert m.rate({"sg_closed": 3, "sg_accepted": 4}, "closed_rate") == 0.75
    assert m.rate({"sg_closed": 0, "sg_accepted": 1}, "closed_rate") == 0.0
    assert m.rate({"op_concluded": 2}, "feedback_rate") == 0.0
    assert m.rate({"sg_closed": 0, "sg_accepted": 0}, "closed_rate") is None
    assert m.rate({}, "satisfaction") is None
    assert m.fmt("closed_rate", m.rate({"sg_closed": 0, "sg_accepted": 0}, "closed_rate")) == "—"


def test_it_shows_the_numerator_and_denominator_of_a_rate():
    figs = m.Figures({"sg_closed": 3, "sg_accepted": 4}, Counter())
    assert figs.parts("closed_rate") == (3, 4)
    assert figs.as_dict()["closed_rate"] == 0.75
    empty = m.Figures({}, Counter())
    assert empty.parts("closed_rate") == (0, 0)
    assert empty.parts("satisfaction") == (0, 0)
    assert empty.as_dict()["closed_rate"] is None


def test_it_averages_answer_days_including_same_day_answers():
    assert m.Figures({"sg_days_n": 2, "sg_days_sum": 0}, Counter({0: 2})).value("avg_days") == 0.0
    assert m.Figures({"sg_days_n": 0, "sg_days_sum": 0}, Counter()).value("avg_days") is None


@pytest.mark.parametrize(
    "hist, want",
    [
        (Counter({d: 1 for d in range(1, 11)}), 9),  # 10 answers: the 9th fastest
        (Counter({1: 5, 2: 5, 3: 1}), 2),  # 11 answers: the 10th fastest
        (Counter({d: 1 for d in range(1, 120)}), 108),  # 119 answers: ⌈107.1⌉ = the 108th fastest
        (Counter({7: 1}), 7),
        (Counter(), None),
    ],
)
def test_it_reports_the_90th_percentile_of_answer_days_by_nearest_rank(hist, want):
    assert m.Figures({}, hist).value("p90_days") == want


# --- what each scope counts, and the items behind it ----------------------------------------------------------


@pytest.fixture
def wider(cast, march):
    """The March history plus items just outside the period, of another category, not yet due, and decisions."""
    c, o = cast, march["o"]
    build = c.categories["城乡建设"]
    x = {}
    x["feb"] = h.suggestion(c, h.at(2026, 2, 20), state="closed")
    x["apr_op"] = h.opinion(c.station, h.at(2026, 4, 1, 0), channel="qr", state="closed")
    x["build"] = h.suggestion(c, h.at(2026, 3, 9), state="handling", category=build, overdue=True)
    x["build_op"] = h.opinion(c.station, h.at(2026, 3, 9), channel="phone", category=build)
    x["not_due"] = h.suggestion(c, h.at(2026, 3, 10), state="handling", assigned_on=timezone.localdate())
    Assignment.objects.filter(suggestion=x["not_due"]).update(state="signed")
    h.meeting(c.station, 2026, 3, [(o["visit"], "refer"), (x["build_op"], "village")])
    h.meeting(c.station, 2026, 2, [(o["feb"], "suggestion")])
    h.meeting(c.station, 2026, 4, [(x["apr_op"], "suggestion")])
    for year, month in ((2025, 5), (2027, 2)):
        op = h.opinion(c.station, h.at(year, month, 5))
        h.meeting(c.station, year, month, [(op, "suggestion")])
    return {**march["s"], **x, "o": o}


def _source(**scope):
    f = m.figures_from_source(m.Filters(_march(), **scope))
    keys = ("raised", "opinions", "op_qr", "dec_refer", "dec_village", "dec_suggestion", "overdue")
    return {k: f.value(k) for k in keys}


def test_it_counts_a_region_by_the_months_of_its_items(cast, wider):
    assert _source(region=cast.shitai) == {
        "raised": 8,  # not the February suggestion
        "opinions": 5,  # not the one registered at midnight on 1 April
        "op_qr": 1,
        "dec_refer": 1,
        "dec_village": 2,
        "dec_suggestion": 1,  # not February's, April's, May 2025's or February 2027's
        "overdue": 2,  # not the open assignment still within its limit
    }


def test_it_counts_a_station_only(cast, wider):
    assert _source(station=cast.station_b) == {
        "raised": 1,
        "opinions": 1,
        "op_qr": 0,
        "dec_refer": 0,
        "dec_village": 0,  # its opinion was decided at the other station's meeting
        "dec_suggestion": 0,
        "overdue": 0,
    }
    assert _source(station=cast.station, region=cast.city) == {
        "raised": 7,
        "opinions": 4,
        "op_qr": 1,
        "dec_refer": 1,
        "dec_village": 2,
        "dec_suggestion": 1,
        "overdue": 2,
    }


def test_it_counts_a_category_only(cast, wider):
    build = cast.categories["城乡建设"].pk
    assert _source(region=cast.shitai, category_id=build) == {
        "raised": 1,
        "opinions": 1,
        "op_qr": 0,
        "dec_refer": 0,
        "dec_village": 1,
        "dec_suggestion": 0,
        "overdue": 1,
    }


def test_it_counts_what_a_deputy_collected_and_leads(cast, wider):
    assert _source(deputy=cast.deputy) == {
        "raised": 8,
        "opinions": 1,
        "op_qr": 0,
        "dec_refer": 1,  # the decision on the opinion they collected
        "dec_village": 0,
        "dec_suggestion": 0,
        "overdue": 2,
    }


def test_it_counts_suggestions_of_a_level_or_body(cast, wider):
    township = cast.township_body.pk
    assert _source(region=cast.shitai, level="township")["raised"] == 1
    assert _source(region=cast.shitai, body_id=township)["raised"] == 1
    assert _source(region=cast.shitai, level="township")["overdue"] == 1
    rollups.rebuild()
    # Level and body together: both must hold; opinions have neither and stay in.
    both = m.figures(m.Filters(_march(), region=cast.shitai, level="county", body_id=township))
    assert both.value("raised") == 0 and both.value("opinions") == 5


def test_it_lists_the_items_behind_decision_and_overdue_figures(cast, wider):
    f = m.Filters(_march(), region=cast.shitai)
    refer = m.items(m.METRICS["dec_refer"], f)
    assert [a.opinion.code for a in refer] == [wider["o"]["visit"].code]
    village = {a.opinion.code for a in m.items(m.METRICS["dec_village"], f)}
    assert village == {wider["o"]["phone"].code, wider["build_op"].code}
    assert _codes(m.items(m.METRICS["overdue"], f)) == {wider["d"].code, wider["build"].code}
    assert _codes(m.items(m.METRICS["raised"], f)) == _codes(Suggestion.objects.filter(submitted_at__month=3)) - {
        wider["other"].code
    }


def test_it_refuses_deputy_figures_from_rollups(cast):
    with pytest.raises(ValueError, match=r"^deputy figures come from the source tables \(figures_from_source\)$"):
        m.figures(m.Filters(_march(), deputy=cast.deputy))


# --- grouped rows (per station, month, category, level, body) -------------------------------------------------


COLS = ["sg_raised", "sg_accepted", "sg_closed", "op_received", "op_qr"]


def _grouped(filters, by, columns=None):
    """grouped() with each group's sums only (its rows also carry the group value)."""
    return {key: {k: v for k, v in sums.items() if k != by} for key, sums in m.grouped(filters, by, columns).items()}


def test_it_groups_figures_per_station_with_their_rates(cast, march):
    rollups.rebuild()
    f = m.Filters(_march(), region=cast.shitai)
    groups = _grouped(f, "station_id", COLS)
    assert groups == {
        cast.station.pk: {"sg_raised": 5, "sg_accepted": 3, "sg_closed": 2, "op_received": 3, "op_qr": 1},
        cast.station_b.pk: {"sg_raised": 1, "sg_accepted": 1, "sg_closed": 1, "op_received": 1, "op_qr": 0},
    }
    assert m.rate(groups[cast.station.pk], "closed_rate") == 2 / 3
    everything = _grouped(f, "station_id")
    assert set(everything[cast.station.pk]) == set(m.COLUMNS)
    assert everything[cast.station.pk]["sg_raised"] == 5


def test_it_groups_figures_per_month_in_calendar_order(cast, march):
    rollups.rebuild()
    f = m.Filters(m.Period(D(2026, 2, 1), D(2026, 5, 1), "2-4"), region=cast.shitai)
    groups = _grouped(f, "month", ["sg_raised", "op_received"])
    assert list(groups) == [D(2026, 2, 1), D(2026, 3, 1), D(2026, 4, 1)]
    assert groups[D(2026, 3, 1)] == {"sg_raised": 6, "op_received": 4}
    assert groups[D(2026, 2, 1)] == {"sg_raised": 0, "op_received": 1}


def test_it_groups_figures_per_category_level_and_body(cast, march):
    rollups.rebuild()
    f = m.Filters(_march(), region=cast.shitai)
    transport = cast.categories["交通运输"].pk
    by_category = _grouped(f, "category_id", ["sg_raised", "op_received"])
    assert by_category[transport] == {"sg_raised": 6, "op_received": 0}
    assert by_category[None] == {"sg_raised": 0, "op_received": 4}
    by_level = _grouped(f, "level", ["sg_raised", "sg_accepted"])
    assert by_level["township"] == {"sg_raised": 1, "sg_accepted": 1}
    assert by_level["county"] == {"sg_raised": 5, "sg_accepted": 3}
    by_body = _grouped(f, "body_id", ["sg_raised"])
    assert by_body[cast.township_body.pk] == {"sg_raised": 1}
    assert by_body[cast.county_body.pk] == {"sg_raised": 5}


# --- answer days, the latest answer's class ---------------------------------------------------------------------


def test_it_counts_answer_days_from_assignment_else_acceptance(cast):
    c = cast
    h.suggestion(c, h.at(2025, 6, 2), state="answered", assigned_on=D(2025, 6, 7), answers=[("B", True, 10, 1)])
    by_acceptance = h.suggestion(c, h.at(2025, 6, 3), state="answered", answers=[("B", True, 20, 1)])
    Suggestion.objects.filter(pk=by_acceptance.pk).update(assigned_on=None)
    neither = h.suggestion(c, h.at(2025, 6, 4), state="answered", answers=[("B", True, 7, 1)])
    Suggestion.objects.filter(pk=neither.pk).update(assigned_on=None, accepted_at=None)
    h.suggestion(c, h.at(2025, 6, 5), state="answered", answers=[("B", True, 0, 1)])  # answered the same day
    f = m.Filters(m.Period.month(D(2025, 6, 1)), region=c.shitai)
    rollups.rebuild()
    for figs in (m.figures_from_source(f), m.figures(f)):
        assert figs.value("answered") == 4
        assert m.fmt("avg_days", figs.value("avg_days")) == "10.0 天"  # (10 + 20 + 0) ÷ 3
        assert figs.value("p90_days") == 20


def test_it_merges_answer_days_across_stations_for_the_90th_percentile(cast):
    c = cast
    for i in range(9):
        station = c.station if i < 5 else c.station_b
        h.suggestion(c, h.at(2025, 5, 2 + i), state="answered", station=station, answers=[("B", True, 5, 1)])
    h.suggestion(c, h.at(2025, 5, 20), state="answered", answers=[("B", True, 50, 1)])
    f = m.Filters(m.Period.month(D(2025, 5, 1)), region=c.shitai)
    rollups.rebuild()
    for figs in (m.figures_from_source(f, with_overdue=False), m.figures(f, with_overdue=False)):
        assert figs.value("p90_days") == 5  # 9 of the 10 answers took 5 days
        assert m.fmt("p90_days", figs.value("p90_days")) == "5 天"
        assert figs.value("avg_days") == pytest.approx(9.5)
        assert m.fmt("overdue", figs.value("overdue")) == "—"  # not computed for a comparison period


def test_it_classes_a_suggestion_by_its_latest_answer(cast):
    c = cast
    later_a = h.suggestion(c, h.at(2025, 7, 2), state="answered", answers=[("A", True, 50, 1), ("C", True, 10, 1)])
    same_day = h.suggestion(c, h.at(2025, 7, 3), state="answered", answers=[("C", True, 10, 1), ("A", True, 10, 1)])
    h.suggestion(c, h.at(2025, 7, 4), state="answered", answers=[("A", True, 10, 1), ("C", True, 20, 2)])
    f = m.Filters(m.Period.month(D(2025, 7, 1)), region=c.shitai)
    assert _codes(m.items(m.METRICS["solved_rate"], f, "num")) == {later_a.code, same_day.code}
    rollups.rebuild()
    for figs in (m.figures_from_source(f), m.figures(f)):
        assert m.fmt("solved_rate", figs.value("solved_rate")) == "66.7%"
        assert figs.parts("solved_rate") == (2, 3)
