import datetime

import pytest
from django.utils import timezone

from liaison.events.models import Event
from liaison.opinions import services
from liaison.opinions.models import Mediation, Opinion, ReportBack, Visit
from tests.opinions.helpers import make_opinion

pytestmark = pytest.mark.django_db
S = Opinion.State


def test_it_registers_a_phone_call_and_shows_the_password_once(cast, client_for):
    client = client_for(cast.officer)
    form = client.get("/opinions/new/")
    assert form.status_code == 200
    assert cast.station.name in form.content.decode() and cast.other_station.name not in form.content.decode()
    response = client.post(
        "/opinions/new/",
        {
            "station": cast.station.pk,
            "channel": "phone",
            "title": "手机信号弱",
            "content": "五组山里手机信号很弱，打电话要爬到山坡上。",
            "resident_phone": "13900001111",
        },
        follow=True,
    )
    opinion = Opinion.objects.get()
    assert opinion.channel == "phone" and opinion.created_by == cast.officer
    assert "查询密码" in response.content.decode() and "时间线" in response.content.decode()
    assert "查询密码" not in client.get(f"/opinions/{opinion.code}/").content.decode()


def test_it_refuses_registration_for_roles_without_a_station(cast, client_for):
    assert client_for(cast.unit_user).get("/opinions/new/").status_code == 403
    assert client_for(cast.leader).get("/opinions/new/").status_code == 403


def test_it_shows_a_bad_registration_as_a_message(cast, client_for):
    response = client_for(cast.officer).post(
        "/opinions/new/", {"station": cast.station.pk, "channel": "phone", "content": "x" * 5001}
    )
    assert response.status_code == 200 and "不能超过 5000" in response.content.decode()
    assert Opinion.objects.count() == 0


def test_it_logs_a_visit_with_two_opinions(cast, client_for):
    client = client_for(cast.deputy_user)
    form = client.get("/opinions/visits/new/")
    assert form.status_code == 200 and cast.station.name in form.content.decode()
    data = {
        "station": cast.station.pk,
        "kind": "door",
        "date": timezone.localdate().isoformat(),
        "place": "缘溪村四组",
        "residents_met": "四组农户 8 户",
        "op-TOTAL_FORMS": "3",
        "op-INITIAL_FORMS": "0",
        "op-MIN_NUM_FORMS": "0",
        "op-MAX_NUM_FORMS": "10",
        "op-0-title": "富硒米加工",
        "op-0-content": "村里富硒米没有加工厂，只能卖稻谷，价格低。",
        "op-1-title": "老年助餐",
        "op-1-content": "独居老人吃饭困难，希望办老年食堂。",
        "op-1-resident_name": "刘奶奶",
    }
    response = client.post("/opinions/visits/new/", data, follow=True)
    assert "已登记走访及社情民意 2 条" in response.content.decode()
    visit = Visit.objects.get()
    assert visit.opinions.count() == 2 and set(visit.opinions.values_list("deputy", flat=True)) == {cast.deputy.pk}
    assert "缘溪村四组" in client.get("/opinions/visits/").content.decode()
    assert client_for(cast.officer).get("/opinions/visits/new/").status_code == 403


def test_it_walks_an_opinion_through_the_page_actions(cast, client_for):
    opinion = make_opinion(cast)[0]
    services.put_on_agenda(opinion=opinion, actor=cast.head)
    services.route_to_village(
        opinion=opinion, due_date=timezone.localdate() + datetime.timedelta(days=10), actor=cast.head
    )
    url = f"/opinions/{opinion.code}/"
    assert "登记办理结果" in client_for(cast.village).get(url).content.decode()
    client_for(cast.village).post(url + "outcome/", {"text": "已更换路灯"})
    opinion.refresh_from_db()
    assert opinion.state == S.OUTCOME_RECORDED
    deputy = client_for(cast.deputy2_user)
    deputy.post(url + "close/")
    assert "尚未回访" in deputy.get(url).content.decode()
    deputy.post(
        url + "reportback/", {"method": "phone", "at": timezone.localdate().isoformat(), "reaction": "satisfied"}
    )
    deputy.post(url + "close/")
    opinion.refresh_from_db()
    assert opinion.state == S.CLOSED and ReportBack.objects.get().deputy == cast.deputy2
    text = deputy.get(url).content.decode()
    assert "办结关闭" in text and "已电话告知群众办理结果" in text  # the timeline


def test_it_refuses_actions_out_of_role(cast, client_for):
    opinion = make_opinion(cast)[0]
    url = f"/opinions/{opinion.code}/"
    assert client_for(cast.leader).post(url + "answer/", {"answer": "好"}).status_code == 403
    assert client_for(cast.outsider).post(url + "answer/", {"answer": "好"}).status_code == 404
    assert client_for(cast.village).post(url + "refuse/", {"reason": "x"}).status_code == 403
    assert client_for(cast.officer).post(url + "nonsense/").status_code == 404
    opinion.refresh_from_db()
    assert opinion.state == S.REGISTERED


def test_it_shows_an_illegal_step_as_a_message(cast, client_for):
    opinion = make_opinion(cast)[0]
    response = client_for(cast.officer).post(f"/opinions/{opinion.code}/outcome/", {"text": "x"}, follow=True)
    assert response.status_code == 200 and "不能登记办理结果" in response.content.decode()
    assert Event.objects.filter(subject_id=opinion.code).count() == 1


def test_it_answers_on_the_spot_from_the_page(cast, client_for):
    opinion = make_opinion(cast)[0]
    client_for(cast.deputy_user).post(f"/opinions/{opinion.code}/answer/", {"answer": "已联系供电所", "told_now": "on"})
    opinion.refresh_from_db()
    assert opinion.state == S.REPORTED_BACK


def test_it_records_a_mediation_on_the_deputy_record(cast, client_for):
    client = client_for(cast.deputy_user)
    response = client.post(
        "/opinions/mediations/new/",
        {
            "station": cast.station.pk,
            "date": timezone.localdate().isoformat(),
            "parties": "张三丰，李四光",
            "subject": "宅基地边界纠纷",
            "steps": "实地查看后召集双方协商，划定界桩。",
            "result": "resolved",
        },
        follow=True,
    )
    text = response.content.decode()
    assert Mediation.objects.count() == 1
    assert "宅基地边界纠纷" in text and "张**" in text and "张三丰" not in text and "履职记录" in text
    staff_view = client_for(cast.staff).get(f"/opinions/deputies/{cast.deputy.code}/record/").content.decode()
    assert "宅基地边界纠纷" in staff_view
    assert client_for(cast.outsider).get(f"/opinions/deputies/{cast.deputy.code}/record/").status_code == 404
    assert client_for(cast.officer).get("/opinions/mediations/new/").status_code == 403
