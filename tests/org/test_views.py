import io

import pytest
from openpyxl import load_workbook

from liaison.org.models import Deputy, HandlingUnit, Level, Mandate, Region, Station, Stationing
from tests.cast import PASSWORD
from tests.queries import assert_flat_queries

pytestmark = pytest.mark.django_db


def test_it_shows_the_login_page_in_chinese(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "登录" in text and "用户名" in text
    assert 'lang="zh-hans"' in text


def test_it_redirects_anonymous_users_to_login(client):
    response = client.get("/org/stations/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_logs_in_and_shows_a_home_page_for_every_role(cast, client):
    for user in [
        cast.deputy_user,
        cast.head,
        cast.officer,
        cast.village,
        cast.staff,
        cast.unit_user,
        cast.leader,
        cast.admin,
    ]:
        client.logout()
        response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
        assert response.status_code == 302, user.username
        home = client.get("/")
        assert home.status_code == 200
        assert "暂无新通知" in home.content.decode()


def test_it_lists_only_stations_in_scope(cast, client_for):
    text = client_for(cast.staff).get("/org/stations/").content.decode()
    assert "缘溪村人大代表联络站" in text and "沙山村" not in text
    text = client_for(cast.outsider).get("/org/stations/").content.decode()
    assert "沙山村" in text and "缘溪村" not in text


def test_it_answers_404_for_guessed_urls_out_of_scope(cast, client_for):
    outsider = client_for(cast.outsider)
    assert outsider.get(f"/org/stations/{cast.station.code}/").status_code == 404
    assert outsider.get(f"/org/deputies/{cast.deputy.code}/").status_code == 404
    assert outsider.get(f"/org/regions/{cast.shitai.code}/").status_code == 404
    unit = client_for(cast.unit_user)
    assert unit.get(f"/org/stations/{cast.station.code}/").status_code == 404


def test_it_masks_deputy_phones_for_roles_that_do_not_need_them(cast, client_for):
    url = f"/org/stations/{cast.station.code}/"
    assert "139****5678" in client_for(cast.deputy2_user).get(url).content.decode()
    assert "13912345678" not in client_for(cast.deputy2_user).get(url).content.decode()
    assert "13912345678" in client_for(cast.staff).get(url).content.decode()


def test_it_keeps_import_for_admins(cast, client_for):
    assert client_for(cast.staff).get("/org/import/").status_code == 403
    page = client_for(cast.admin).get("/org/import/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "批量导入" in html and 'type="file"' in html and "/org/import/template/deputies.xlsx" in html


def test_it_serves_the_admin_in_chinese(cast, client_for):
    response = client_for(cast.admin).get("/admin/org/station/")
    assert response.status_code == 200
    assert "联络站" in response.content.decode()


def test_it_serves_every_admin_list_to_the_administrator(cast, client_for):
    from django.contrib import admin

    client = client_for(cast.admin)
    for model in admin.site._registry:
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        response = client.get(url)
        assert response.status_code == 200, url
        assert str(model._meta.verbose_name) in response.content.decode(), url  # e.g. "选择 联络站 来修改"


# --- query-count guards: each list renders with as many queries for 15 rows as for 3 -------------------------


def _villages_with_stations(cast, first, n):
    """n more villages of 仁里镇, each with its station, named 新村{i} / 新村{i}人大代表联络站."""
    for i in range(first, first + n):
        village = Region.objects.create(
            code=f"341722100{300 + i}", name=f"新村{i}", level=Region.Level.VILLAGE, parent=cast.renli
        )
        station = Station.objects.create(
            code=f"ST341722100{300 + i}", name=f"新村{i}人大代表联络站", region=village, reception_day=10
        )
        station.villages.set([village])


def _deputies(cast, first, n):
    """n more county and township deputies stationed at 缘溪村, named 代表{i}."""
    for i in range(first, first + n):
        d = Deputy.objects.create(code=f"D10{i:05d}", name=f"代表{i}", phone="13900000000", home_region=cast.yuanxi)
        Mandate.objects.create(deputy=d, level=Level.COUNTY, region=cast.shitai)
        Mandate.objects.create(deputy=d, level=Level.TOWNSHIP, region=cast.renli)
        Stationing.objects.create(deputy=d, station=cast.station)


def _units(cast, first, n):
    for i in range(first, first + n):
        unit = HandlingUnit.objects.create(code=f"U341722-X{i:02d}", name=f"石台县第{i}局", region=cast.shitai)
        unit.categories.set([cast.categories["城乡建设"], cast.categories["交通运输"]])


def _cities(first, n):
    for i in range(first, first + n):
        city = Region.objects.create(code=f"34{18 + i:02d}00", name=f"新市{i}", level=Region.Level.CITY)
        Region.objects.create(code=f"34{18 + i:02d}01", name=f"新市{i}一区", level=Region.Level.COUNTY, parent=city)


def test_it_lists_stations_without_a_query_per_station(cast, client_for):
    _villages_with_stations(cast, 0, 3)
    response = assert_flat_queries(
        client_for(cast.staff), "/org/stations/", grow=lambda: _villages_with_stations(cast, 3, 12)
    )
    html = response.content.decode()
    assert "共 17 个" in html and "新村0人大代表联络站" in html and "新村14人大代表联络站" in html


def test_it_lists_deputies_without_a_query_per_deputy(cast, client_for):
    _deputies(cast, 0, 3)
    response = assert_flat_queries(client_for(cast.staff), "/org/deputies/", grow=lambda: _deputies(cast, 3, 12))
    html = response.content.decode()
    assert "代表0" in html and "代表14" in html and "县级" in html


def test_it_lists_units_without_a_query_per_unit(cast, client_for):
    _units(cast, 0, 3)
    response = assert_flat_queries(client_for(cast.staff), "/org/units/", grow=lambda: _units(cast, 3, 12))
    html = response.content.decode()
    assert "石台县第0局" in html and "石台县第14局" in html and "城乡建设、交通运输" in html


def test_it_lists_regions_without_a_query_per_region(cast, client_for):
    _cities(0, 3)
    response = assert_flat_queries(client_for(cast.admin), "/org/regions/", grow=lambda: _cities(3, 12))
    html = response.content.decode()
    assert "池州市" in html and "新市0" in html and "新市14" in html and "下级 1" in html


def test_it_shows_a_township_with_its_villages_and_stations_without_a_query_per_row(cast, client_for):
    _villages_with_stations(cast, 0, 3)
    response = assert_flat_queries(
        client_for(cast.staff), f"/org/regions/{cast.renli.code}/", grow=lambda: _villages_with_stations(cast, 3, 12)
    )
    html = response.content.decode()
    assert "联络站 17 个" in html and "新村14" in html and "新村14人大代表联络站" in html


def test_it_shows_a_station_with_its_deputies_without_a_query_per_deputy(cast, client_for):
    _deputies(cast, 0, 3)
    response = assert_flat_queries(
        client_for(cast.staff), f"/org/stations/{cast.station.code}/", grow=lambda: _deputies(cast, 3, 12)
    )
    html = response.content.decode()
    assert "进站代表（17）" in html and "代表14" in html and "13900000000" in html


def test_it_shows_the_home_pages_notifications_without_a_query_per_notification(cast, client_for):
    from liaison.notify.services import queue_notification

    def notify(first, n):
        for i in range(first, first + n):
            queue_notification(recipient=cast.staff, subject=f"通知{i}", link="/suggestions/" if i % 2 else "")

    notify(0, 3)
    html = assert_flat_queries(client_for(cast.staff), "/", grow=lambda: notify(3, 12)).content.decode()
    assert "通知14" in html and "通知5" in html  # the newest ten


def test_it_shows_a_notice_received_twice_once_on_the_home_page(cast, client_for):
    from liaison.notify.services import queue_notification

    # A suggestion answered, evaluated unsatisfied and answered again: one notice per round, the same words.
    for round_ in (1, 2):
        queue_notification(
            recipient=cast.deputy_user,
            subject="建议《关于维修村口石桥的建议》已答复，请测评",
            link="/suggestions/S1/evaluate/",
            key=f"sugg:answered:S1:{round_}",
        )
    queue_notification(recipient=cast.deputy_user, subject="建议《关于增设路灯的建议》已答复，请测评", link="/x/")
    html = client_for(cast.deputy_user).get("/").content.decode()
    assert html.count("关于维修村口石桥的建议") == 1 and html.count("关于增设路灯的建议") == 1


@pytest.mark.parametrize("kind", ["regions", "stations", "deputies", "units"])
def test_it_exports_each_sheet_without_a_query_per_row(cast, client_for, kind):
    def grow(first, n):
        _villages_with_stations(cast, first, n)
        _deputies(cast, first, n)
        _units(cast, first, n)

    grow(0, 3)
    response = assert_flat_queries(client_for(cast.staff), f"/org/export/{kind}.xlsx", grow=lambda: grow(3, 12))
    rows = list(load_workbook(io.BytesIO(response.streamed)).active.iter_rows(values_only=True))
    names = {str(cell) for row in rows for cell in row}
    assert {"regions": "新村14", "stations": "新村14人大代表联络站", "deputies": "代表14", "units": "石台县第14局"}[
        kind
    ] in names
