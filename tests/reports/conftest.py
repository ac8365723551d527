import pytest

from . import history as h


@pytest.fixture
def march(cast):
    """March 2026 in 石台县 with known numbers (see test_metrics)."""
    c = cast
    s = {}
    s["a"] = h.suggestion(
        c,
        h.at(2026, 3, 2),
        state="closed",
        answers=[("A", True, 30, 1)],
        evaluations=[(1, "satisfied")],
        consulted=True,
    )
    s["b"] = h.suggestion(
        c, h.at(2026, 3, 3), state="closed", answers=[("B", True, 60, 1)], evaluations=[(1, "unsatisfied")]
    )
    s["c"] = h.suggestion(
        c,
        h.at(2026, 3, 4),
        state="closed",
        station=c.station_b,
        answers=[("C", False, 100, 1), ("A", True, 120, 2)],
        evaluations=[(1, "unsatisfied"), (2, "satisfied")],
    )
    s["d"] = h.suggestion(c, h.at(2026, 3, 5), state="handling", overdue=True, level="township", body=c.township_body)
    s["e"] = h.suggestion(c, h.at(2026, 3, 6), state="submitted")
    s["f"] = h.suggestion(c, h.at(2026, 3, 7), state="rejected")
    # Out of scope or period.
    s["other"] = h.suggestion(c, h.at(2026, 3, 8), state="closed", station=c.other_station, deputy=c.other_deputy)
    s["april"] = h.suggestion(c, h.at(2026, 4, 1), state="closed")
    o = {}
    o["visit"] = h.opinion(c.station, h.at(2026, 3, 1), channel="visit", state="closed", deputy=c.deputy)
    o["qr"] = h.opinion(c.station, h.at(2026, 3, 2), channel="qr", state="reported_back")
    o["phone"] = h.opinion(c.station_b, h.at(2026, 3, 3), channel="phone", state="outcome_recorded")
    o["reception"] = h.opinion(c.station, h.at(2026, 3, 31, 23), channel="reception", state="registered")
    o["other"] = h.opinion(c.other_station, h.at(2026, 3, 3), channel="qr", state="closed")
    o["feb"] = h.opinion(c.station, h.at(2026, 2, 28, 23), channel="qr", state="closed")
    h.meeting(c.station, 2026, 3, [(o["phone"], "village"), (o["reception"], "suggestion")])
    return {"s": s, "o": o}
