import datetime as dt
import io

from django.core.management import call_command
from docx import Document
from openpyxl import load_workbook

from liaison.reports import bulletin, rollups
from liaison.reports import metrics as m
from liaison.reports.models import Bulletin

MARCH = dt.date(2026, 3, 1)


def test_it_generates_a_docx_whose_numbers_equal_the_dashboard(cast, march, client_for):
    rollups.rebuild()
    client = client_for(cast.staff)
    r = client.get(f"/reports/bulletin/region/{cast.shitai.code}/2026-03/file.docx")
    assert r.status_code == 200
    doc = Document(io.BytesIO(b"".join(r.streaming_content)))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = {row.cells[0].text: row.cells[1].text for row in doc.tables[0].rows}
    assert "石台县" in doc.paragraphs[0].text and "2026年3月" in doc.paragraphs[0].text
    figs = m.figures(m.Filters(m.Period.month(MARCH), region=cast.shitai))
    for key in ("closed_rate", "satisfaction", "feedback_rate", "on_time_rate"):
        num, den = figs.parts(key)
        assert cells[m.METRICS[key].label] == f"{m.fmt(key, figs.value(key))}（{num}/{den}）"
    assert cells["办结率"] == "75.0%（3/4）"
    assert "超期未办结事项" in text
    dashboard = client.get(f"/reports/region/{cast.shitai.code}/?from=2026-03&to=2026-03").content.decode()
    assert "75.0%" in dashboard
    x = client.get(f"/reports/bulletin/region/{cast.shitai.code}/2026-03/file.xlsx")
    ws = load_workbook(io.BytesIO(b"".join(x.streaming_content)))["主要指标"]
    values = {row[0]: row[1] for row in ws.iter_rows(min_row=3, values_only=True)}
    assert values["办结率"] == "75.0%"
    page = client.get(f"/reports/bulletin/region/{cast.shitai.code}/2026-03/").content.decode()
    assert "75.0%（3/4）" in page


def test_it_generates_station_bulletins_and_refuses_the_current_month(cast, march, client_for):
    rollups.rebuild()
    client = client_for(cast.head)
    page = client.get(f"/reports/bulletin/station/{cast.station.code}/2026-03/")
    assert page.status_code == 200
    html = page.content.decode()
    assert cast.station.name in html and "2026年3月" in html and "办结率" in html
    assert march["s"]["a"].code in html and march["s"]["other"].code not in html  # its own suggestions only
    assert Bulletin.objects.filter(station=cast.station, month=MARCH).exists()
    this = m.month_start(m.timezone.localdate())
    assert client.get(f"/reports/bulletin/station/{cast.station.code}/{this:%Y-%m}/").status_code == 404


def test_it_catches_up_missed_months_never_skipping(cast, march):
    rollups.rebuild()
    today = dt.date(2026, 6, 1)
    made = bulletin.generate_missing(today=today)
    months = sorted({b.month for b in Bulletin.objects.all()})
    assert months == [dt.date(2026, 2, 1), dt.date(2026, 3, 1), dt.date(2026, 4, 1), dt.date(2026, 5, 1)]
    assert made == 4 * 4  # 石台县, 东至县, 仁里镇, 洋湖镇 (counties and townships) × 4 months
    assert bulletin.generate_missing(today=today) == 0


def test_it_runs_the_command(cast, march):
    call_command("monthly_bulletin", "--since", "2026-03")
    assert Bulletin.objects.filter(month=MARCH, region=cast.shitai).exists()


def test_it_lists_only_bulletins_in_the_users_scope(cast, march, client_for):
    rollups.rebuild()
    bulletin.generate_missing(today=dt.date(2026, 4, 1))
    staff = client_for(cast.staff).get("/reports/bulletins/").content.decode()
    assert "石台县" in staff and "东至县" not in staff
    outsider = client_for(cast.outsider).get("/reports/bulletins/").content.decode()
    assert "东至县" in outsider and "石台县" not in outsider


def _stored(kind, month, **scope):
    return Bulletin(kind=kind, month=month, title=f"{kind}-{month:%Y-%m}", figures={}, **scope)


def test_it_pages_through_all_the_bulletins_down_to_the_city_one(cast, client_for):
    months = [dt.date(2021 + i // 12, i % 12 + 1, 1) for i in range(60)]
    Bulletin.objects.bulk_create([_stored(Bulletin.Kind.COUNTY, mth, region=cast.shitai) for mth in months])
    Bulletin.objects.bulk_create([_stored(Bulletin.Kind.CITY, months[0], region=cast.city)])
    client = client_for(cast.city_staff)
    first = client.get("/reports/bulletins/").content.decode()
    assert "共 61 份" in first and "第 1 / 2 页" in first and "city-2021-01" not in first
    assert "page=2" in first
    second = client.get("/reports/bulletins/?page=2").content.decode()
    assert "city-2021-01" in second and f"/reports/bulletin/region/{cast.city.code}/2021-01/" in second


def test_it_filters_the_bulletins_by_scope_and_region(cast, client_for):
    Bulletin.objects.bulk_create(
        [
            _stored(Bulletin.Kind.CITY, MARCH, region=cast.city),
            _stored(Bulletin.Kind.COUNTY, MARCH, region=cast.shitai),
            _stored(Bulletin.Kind.COUNTY, MARCH, region=cast.dongzhi),
            _stored(Bulletin.Kind.TOWNSHIP, MARCH, region=cast.renli),
            _stored(Bulletin.Kind.STATION, MARCH, station=cast.station),
        ]
    )
    client = client_for(cast.city_staff)
    city = client.get("/reports/bulletins/?kind=city").content.decode()
    assert "共 1 份" in city and "city-2026-03" in city
    shitai = client.get(f"/reports/bulletins/?region={cast.shitai.code}").content.decode()
    assert "共 3 份" in shitai and "city-2026-03" not in shitai  # 石台县, 仁里镇 and 缘溪村's station
    both = client.get(f"/reports/bulletins/?region={cast.shitai.code}&kind=county").content.decode()
    assert "共 1 份" in both and "page=" not in both
    # Another county's code is not a way out of one's scope.
    outsider = client_for(cast.outsider).get(f"/reports/bulletins/?region={cast.shitai.code}").content.decode()
    assert "共 1 份" in outsider and "东至县" in outsider
