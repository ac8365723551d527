"""The login log: each sign-in, failed sign-in and sign-out, with who, from where, which browser and when; and
the admin's read-only views of it, of Django's log of admin changes and of the event log."""

import pytest
from django.contrib.admin.models import LogEntry

from liaison.security.models import LoginRecord
from tests.cast import PASSWORD
from tests.opinions.helpers import make_opinion

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (Linux; Android 13) 测试手机"


def test_it_logs_sign_in_failure_and_sign_out_with_address_and_browser(cast, client):
    meta = {"REMOTE_ADDR": "10.1.2.3", "HTTP_USER_AGENT": BROWSER}
    client.post("/accounts/login/", {"username": cast.head.username, "password": "wrong"}, **meta)
    client.post("/accounts/login/", {"username": cast.head.username, "password": PASSWORD}, **meta)
    client.post("/accounts/logout/", **meta)
    rows = list(LoginRecord.objects.order_by("id"))
    assert [r.kind for r in rows] == ["failure", "success", "logout"]
    assert {r.username for r in rows} == {cast.head.username}
    assert {r.address for r in rows} == {"10.1.2.3"} and {r.user_agent for r in rows} == {BROWSER}
    assert rows[0].user is None and rows[1].user == cast.head
    assert rows[0].at <= rows[1].at <= rows[2].at


def test_it_logs_a_failed_sign_in_of_an_unknown_name(cast, client):
    client.post("/accounts/login/", {"username": "nobody", "password": "x"})
    assert LoginRecord.objects.get().username == "nobody"


def test_it_shows_the_login_log_read_only_in_the_admin_with_filters(cast, client, client_for):
    client.post("/accounts/login/", {"username": "nobody", "password": "x"}, REMOTE_ADDR="10.9.9.9")
    admin = client_for(cast.admin)
    page = admin.get("/admin/security/loginrecord/?kind__exact=failure").content.decode()
    assert "nobody" in page and "10.9.9.9" in page and "登录失败" in page
    row = LoginRecord.objects.get(username="nobody")
    assert admin.get("/admin/security/loginrecord/add/").status_code == 403
    assert admin.post(f"/admin/security/loginrecord/{row.pk}/delete/", {"post": "yes"}).status_code == 403
    assert LoginRecord.objects.filter(pk=row.pk).exists()
    assert client_for(cast.staff).get("/admin/security/loginrecord/").status_code == 302  # not staff: to login


def test_it_shows_admin_changes_and_events_read_only_in_the_admin(cast, client_for):
    admin = client_for(cast.admin)
    admin.post(
        f"/admin/org/region/{cast.taokeng.pk}/change/",
        {"code": cast.taokeng.code, "name": "桃坑村（更名）", "level": cast.taokeng.level, "parent": cast.renli.pk},
    )
    assert LogEntry.objects.filter(object_repr__contains="桃坑村").exists()
    page = admin.get("/admin/admin/logentry/").content.decode()
    assert "桃坑村（更名）" in page
    entry = LogEntry.objects.first()
    assert admin.post(f"/admin/admin/logentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    opinion, _ = make_opinion(cast)
    events = admin.get("/admin/events/event/?subject_type=opinion").content.decode()
    assert opinion.code in events
    assert admin.get("/admin/events/event/add/").status_code == 403
    assert admin.get("/admin/events/anchor/").status_code == 200
