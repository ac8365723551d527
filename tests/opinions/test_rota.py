import datetime as dt

import pytest
import time_machine

from liaison.lib.errors import DomainError
from liaison.opinions import rota
from liaison.opinions.models import ReceptionDuty
from liaison.opinions.services import log_visit
from liaison.org.models import Deputy, Stationing
from tests.queries import assert_flat_queries

pytestmark = pytest.mark.django_db


@time_machine.travel(dt.datetime(2026, 11, 28, 9, 0), tick=False)
def test_it_lists_the_next_reception_days_by_the_station_rule(cast):
    assert rota.upcoming_reception_days(cast.station) == [
        dt.date(2026, 12, 20),
        dt.date(2027, 1, 20),
        dt.date(2027, 2, 20),
    ]


@time_machine.travel(dt.datetime(2026, 11, 28, 9, 0), tick=False)
def test_it_puts_stationed_deputies_on_duty_and_refuses_others(cast):
    duty = rota.schedule_duty(station=cast.station, date=dt.date(2026, 12, 20), deputy=cast.deputy, actor=cast.officer)
    assert duty.deputy == cast.deputy
    with pytest.raises(DomainError, match="已排在"):
        rota.schedule_duty(station=cast.station, date=dt.date(2026, 12, 20), deputy=cast.deputy, actor=cast.head)
    with pytest.raises(DomainError, match="未进驻"):
        rota.schedule_duty(station=cast.station, date=dt.date(2026, 12, 20), deputy=cast.other_deputy, actor=cast.head)
    with pytest.raises(DomainError, match="站长"):
        rota.schedule_duty(
            station=cast.station, date=dt.date(2026, 12, 20), deputy=cast.deputy2, actor=cast.deputy_user
        )
    with pytest.raises(DomainError, match="过去"):
        rota.schedule_duty(station=cast.station, date=dt.date(2026, 11, 20), deputy=cast.deputy2, actor=cast.head)
    assert ReceptionDuty.objects.count() == 1


def test_it_marks_a_duty_served_once_the_deputy_logs_the_reception(cast):
    today = dt.date.today()
    with time_machine.travel(today - dt.timedelta(days=2)):
        rota.schedule_duty(station=cast.station, date=today, deputy=cast.deputy, actor=cast.head)
    day = next(d for d in rota.rota(cast.station) if d["date"] == today)
    assert day["duties"][0]["served"] is False
    log_visit(
        deputy=cast.deputy,
        station=cast.station,
        kind="reception",
        date=today,
        place="联络站",
        opinions=[],
        actor=cast.deputy_user,
    )
    day = next(d for d in rota.rota(cast.station) if d["date"] == today)
    assert day["duties"][0]["served"] is True


def test_it_serves_the_rota_page_in_scope_only(cast, client_for):
    url = f"/opinions/stations/{cast.station.code}/rota/"
    page = client_for(cast.head).get(url).content.decode()
    assert "坐堂接待排班" in page and "排班</button>" in page
    assert "排班</button>" not in client_for(cast.deputy_user).get(url).content.decode()
    assert client_for(cast.outsider).get(url).status_code == 404
    assert client_for(cast.unit_user).get(url).status_code == 404
    assert client_for(cast.deputy_user).post(url, {"date": "2099-01-20", "deputy": cast.deputy.code}).status_code == 403
    response = client_for(cast.head).post(url, {"date": "2099-01-20", "deputy": cast.deputy.code}, follow=True)
    assert "已安排" in response.content.decode()
    assert ReceptionDuty.objects.filter(station=cast.station, deputy=cast.deputy).count() == 1


def test_it_shows_the_rota_without_a_query_per_duty(cast, client_for):
    days = rota.upcoming_reception_days(cast.station)

    def grow(first, n):
        for i in range(first, first + n):
            deputy = Deputy.objects.create(code=f"D20{i:05d}", name=f"坐堂代表{i}", home_region=cast.yuanxi)
            Stationing.objects.create(deputy=deputy, station=cast.station)
            rota.schedule_duty(station=cast.station, date=days[i % len(days)], deputy=deputy, actor=cast.head)

    grow(0, 3)
    url = f"/opinions/stations/{cast.station.code}/rota/"
    html = assert_flat_queries(client_for(cast.head), url, grow=lambda: grow(3, 12)).content.decode()
    assert "坐堂代表0" in html and "坐堂代表14" in html
