import pytest

from tests.cast import PASSWORD

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
