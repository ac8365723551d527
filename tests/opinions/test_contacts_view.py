"""查看完整联系方式 on the opinion page: masked by default, unmasked for one response after a reason is given, and
every such view in the personal-data access log (read-only in the admin)."""

import pytest

from liaison.security.models import PersonalDataAccess
from tests.opinions.helpers import make_opinion

pytestmark = pytest.mark.django_db

PHONE, MASKED = "13800001111", "138****1111"


@pytest.fixture
def opinion(cast):
    return make_opinion(cast, deputy=cast.deputy)[0]


def test_it_shows_the_residents_contacts_masked_with_the_reveal_form(cast, client_for, opinion):
    page = client_for(cast.officer).get(f"/opinions/{opinion.code}/").content.decode()
    assert PHONE not in page and "陈桂花" not in page and MASKED in page and "陈**" in page
    assert "查看完整联系方式" in page and "查看理由" in page


def test_it_unmasks_them_for_one_response_and_logs_who_what_why_and_from_where(cast, client_for, opinion):
    client = client_for(cast.officer)
    url = f"/opinions/{opinion.code}/contacts/"
    response = client.post(url, {"reason": "电话回访群众"}, REMOTE_ADDR="10.0.0.8")
    page = response.content.decode()
    assert response.status_code == 200 and PHONE in page and "陈桂花" in page and "本次查看已记录" in page
    assert "no-store" in response["Cache-Control"]
    row = PersonalDataAccess.objects.get()
    assert (row.actor, row.subject_type, row.subject_code) == (cast.officer, "opinion", opinion.code)
    assert row.fields == "群众姓名、联系电话" and row.reason == "电话回访群众" and row.address == "10.0.0.8"
    # The next visit is masked again.
    assert PHONE not in client.get(f"/opinions/{opinion.code}/").content.decode()

    admin_page = client_for(cast.admin).get("/admin/security/personaldataaccess/").content.decode()
    assert opinion.code in admin_page and "电话回访群众" in admin_page and "10.0.0.8" in admin_page
    assert client_for(cast.admin).get("/admin/security/personaldataaccess/add/").status_code == 403


def test_it_wants_a_reason(cast, client_for, opinion):
    response = client_for(cast.head).post(f"/opinions/{opinion.code}/contacts/", {"reason": "  "}, follow=True)
    page = response.content.decode()
    assert "请填写查看理由" in page and PHONE not in page
    assert not PersonalDataAccess.objects.exists()


def test_it_lets_only_who_needs_the_contacts_reveal_them(cast, client_for, opinion):
    url = f"/opinions/{opinion.code}/contacts/"
    for user in (cast.staff, cast.deputy_user):  # the region's staff; the deputy who collected it
        assert PHONE in client_for(user).post(url, {"reason": "核实情况"}).content.decode(), user
    assert client_for(cast.leader).post(url, {"reason": "看看"}).status_code == 403
    assert client_for(cast.deputy2_user).post(url, {"reason": "看看"}).status_code == 403
    assert client_for(cast.unit_user).post(url, {"reason": "看看"}).status_code == 404
    assert client_for(cast.outsider).post(url, {"reason": "看看"}).status_code == 404
    assert PersonalDataAccess.objects.count() == 2
    # No form for those who may not.
    assert "查看完整联系方式" not in client_for(cast.leader).get(f"/opinions/{opinion.code}/").content.decode()


def test_it_masks_the_ledger_for_everyone_and_logs_an_export_with_contacts(cast, client_for, opinion):
    for user in (cast.staff, cast.head, cast.deputy_user, cast.leader):
        page = client_for(user).get("/opinions/").content.decode()
        assert PHONE not in page and MASKED in page, user
    client_for(cast.leader).get("/opinions/export.xlsx")  # masked for the leader: nothing to log
    assert not PersonalDataAccess.objects.exists()
    client_for(cast.staff).get("/opinions/export.xlsx?q=路灯")
    row = PersonalDataAccess.objects.get()
    assert (row.actor, row.subject_type, row.subject_code) == (cast.staff, "opinion_export", "q=路灯")
