"""Residents in the loop: one SMS per public step of their opinion and of the suggestion it became, each with a
signed link to the status page; told once, never after opting out, never without a phone."""

import datetime as dt
import logging
import re
import time

import pytest
from django.test import Client
from django.utils import timezone

from liaison.events.models import Event
from liaison.notify.models import Notification
from liaison.notify.services import deliver_pending
from liaison.opinions import services as opinion_services
from liaison.opinions.forms import form_token
from liaison.opinions.models import Opinion, ResidentMessage
from liaison.opinions.services import telling
from liaison.suggestions import services as suggestion_services
from tests.opinions.helpers import form_key, make_opinion
from tests.suggestions.helpers import draft

pytestmark = pytest.mark.django_db

PHONE = "13700002222"
SITE = "https://lz.example.cn"
LINK = re.compile(re.escape(SITE) + r"(/t/[^/\s]+/)")


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


def submit(client, station, *, phone=PHONE, seed="k"):
    data = {
        "key": form_key(seed),
        "token": form_token(station.code, time.time() - 60),
        "content": "村口石桥护栏断裂，雨季行人车辆通行存在安全隐患，希望尽快维修。",
        "title": "村口石桥护栏断裂",
        "resident_name": "赵大妈",
        "resident_phone": phone,
        "website": "",
    }
    response = client.post(f"/s/{station.code}/", data)
    assert response.status_code == 200 and "已收到" in response.content.decode()
    return Opinion.objects.get(idempotency_key=f"qr:{form_key(seed)}"), data


def sms(phone=PHONE):
    return list(Notification.objects.filter(phone=phone).order_by("id"))


def walk_to_suggestion(cast, opinion):
    """On the agenda, decided into a suggestion, drafted, submitted: the suggestion."""
    opinion_services.put_on_agenda(opinion=opinion, actor=cast.head)
    opinion_services.turn_into_suggestion(opinion=opinion, drafting_deputy=cast.deputy, actor=cast.head)
    opinion.refresh_from_db()
    suggestion = draft(cast, opinions=[opinion])
    suggestion_services.submit_suggestion(suggestion=suggestion, actor=cast.deputy_user)
    return suggestion


def accept_assign_answer(cast, suggestion):
    suggestion_services.accept_suggestion(suggestion=suggestion, actor=cast.staff)
    lead, _co = suggestion_services.assign_suggestion(
        suggestion=suggestion, actor=cast.staff, lead=cast.unit, co=[cast.unit_b]
    )
    suggestion_services.sign_assignment(assignment=lead, actor=cast.unit_user)
    suggestion_services.answer_assignment(
        assignment=lead, actor=cast.unit_user, answer_class="A", text="石桥已加固，护栏已更换。", signer="李局长"
    )
    suggestion.refresh_from_db()
    return lead


def test_it_tells_the_resident_at_each_step_from_the_qr_page_to_the_closed_suggestion(cast, caplog):
    opinion, _ = submit(Client(), cast.station)
    suggestion = walk_to_suggestion(cast, opinion)
    accept_assign_answer(cast, suggestion)
    suggestion_services.evaluate_answer(
        suggestion=suggestion, actor=cast.deputy_user, process="satisfied", result="satisfied"
    )
    suggestion_services.close_suggestion(suggestion=suggestion, actor=cast.staff)
    suggestion.refresh_from_db()

    messages = sms()
    steps = [n.key.split(":")[2] for n in messages]
    assert steps == [
        "registered",
        "put_on_agenda",
        "to_suggestion",
        "suggestion_accepted",
        "suggestion_assigned",
        "suggestion_answered",
        "suggestion_closed",
    ]
    texts = [n.subject for n in messages]
    assert "已登记" in texts[0] and opinion.code in texts[0] and "缘溪村人大代表联络站" in texts[0]
    assert "会商议题" in texts[1] and "代表建议" in texts[2]
    assert "已立案" in texts[3] and suggestion.case_number in texts[3]
    assert "已交石台县住房和城乡建设局（协办：石台县交通运输局）办理" in texts[4]
    assert "已由石台县住房和城乡建设局答复" in texts[5] and "已办结" in texts[6]
    assert all("您反映的“村口石桥护栏断裂”" in t for t in texts[1:]) and all("退订" in t for t in texts)
    assert all(len(t) <= 200 for t in texts)

    # Every link opens the status page in a fresh client, without the code and password.
    for text in texts:
        (path,) = LINK.findall(text)
        resident = Client()
        response = resident.get(path)
        assert response.status_code == 302 and response["Location"] == f"/track/{opinion.code}/"
        page = resident.get(response["Location"]).content.decode()
        assert "村口石桥护栏断裂" in page and "办理过程" in page

    # The phone is in the outbox rows only: not in an event, nor in the delivery log.
    events = Event.objects.all()
    assert not [e for e in events if PHONE in e.note or PHONE in str(e.data)]
    with caplog.at_level(logging.INFO, logger="liaison.notify"):
        assert deliver_pending() >= len(messages)
    assert "村口石桥" in caplog.text and PHONE not in caplog.text


def test_it_shows_the_suggestions_steps_with_the_units_on_the_timeline(cast):
    resident = Client()
    opinion, _ = submit(resident, cast.station)
    suggestion = walk_to_suggestion(cast, opinion)
    accept_assign_answer(cast, suggestion)

    page = resident.get(f"/track/{opinion.code}/").content.decode()
    timeline = page.split("办理过程")[1].split("</ol>")[0]
    for title in ("已登记受理", "列入会商议题", "会商决定：形成代表建议", "已形成代表建议", "代表建议已提交"):
        assert title in timeline
    assert "代表建议已立案" in timeline and suggestion.case_number in timeline
    assert "已交办" in timeline and "石台县住房和城乡建设局（协办：石台县交通运输局）" in timeline
    assert "承办单位已答复" in timeline and "A类（已解决或基本解决）" in timeline
    assert timeline.index("代表建议已立案") < timeline.index("已交办") < timeline.index("承办单位已答复")
    assert timezone.localdate().isoformat() in timeline
    # Plain Chinese: no raw state or action names, no staff-only steps.
    for raw in ("registered", "accepted", "assigned", "answered", "draft", "cosigning", "→", "签收", "signed"):
        assert raw not in timeline


def test_it_tells_the_resident_of_a_re_handling(cast):
    opinion, _ = submit(Client(), cast.station)
    suggestion = walk_to_suggestion(cast, opinion)
    lead = accept_assign_answer(cast, suggestion)
    suggestion_services.evaluate_answer(
        suggestion=suggestion, actor=cast.deputy_user, process="unsatisfied", result="unsatisfied"
    )
    suggestion.refresh_from_db()
    assert suggestion.state == "rehandling"
    lead.refresh_from_db()
    suggestion_services.answer_assignment(
        assignment=lead, actor=cast.unit_user, answer_class="A", text="已重新加固。", signer="李局长"
    )
    steps = [n.key.split(":")[2] for n in sms()]
    assert steps[-3:] == ["suggestion_answered", "suggestion_rehandling", "suggestion_answered"]
    assert "已交石台县住房和城乡建设局重新办理" in sms()[-2].subject


def test_it_tells_a_step_once_even_when_it_runs_again(cast):
    client = Client()
    opinion, data = submit(client, cast.station)
    # The same form sent again (a lost answer, a double tap): the same acknowledgement, no second SMS.
    assert client.post(f"/s/{cast.station.code}/", data).status_code == 200
    suggestion = walk_to_suggestion(cast, opinion)
    suggestion_services.accept_suggestion(suggestion=suggestion, actor=cast.staff)
    before = len(sms())

    telling.tell_resident(opinion, "put_on_agenda")
    assert telling.tell_residents_of(suggestion, "suggestion_accepted") == 0
    assert len(sms()) == before
    assert [n.key.split(":")[2] for n in sms()].count("registered") == 1


def test_it_sends_nothing_more_once_the_resident_opted_out(cast):
    resident = Client()
    opinion, _ = submit(resident, cast.station)
    page = resident.get(f"/track/{opinion.code}/").content.decode()
    assert "不再接收短信通知" in page

    response = resident.post(f"/track/{opinion.code}/sms/", {"stop": "on"}, follow=True)
    assert "已停止短信通知" in response.content.decode()
    suggestion = walk_to_suggestion(cast, opinion)
    accept_assign_answer(cast, suggestion)
    assert [n.key.split(":")[2] for n in sms()] == ["registered"]
    assert "您已停止接收本事项的短信通知" in resident.get(f"/track/{opinion.code}/").content.decode()

    # Unticked again: the next step is told.
    resident.post(f"/track/{opinion.code}/sms/", {})
    suggestion_services.evaluate_answer(
        suggestion=suggestion, actor=cast.deputy_user, process="satisfied", result="satisfied"
    )
    suggestion_services.close_suggestion(suggestion=suggestion, actor=cast.staff)
    assert [n.key.split(":")[2] for n in sms()] == ["registered", "suggestion_closed"]


def test_it_sends_nothing_to_a_resident_without_a_phone(cast):
    resident = Client()
    opinion, _ = submit(resident, cast.station, phone="")
    suggestion = walk_to_suggestion(cast, opinion)
    accept_assign_answer(cast, suggestion)
    assert not Notification.objects.filter(key__startswith="resident:").exists()
    assert "不再接收短信通知" not in resident.get(f"/track/{opinion.code}/").content.decode()


@pytest.mark.parametrize(
    ("decide", "step", "words"),
    [
        (
            lambda c, o: opinion_services.answer_on_spot(opinion=o, answer="已修好", actor=c.officer),
            "answered_on_spot",
            "当场答复",
        ),
        (
            lambda c, o: opinion_services.refuse_opinion(opinion=o, reason="属于诉讼事项", actor=c.officer),
            "not_accepted",
            "未予受理",
        ),
        (
            lambda c, o: opinion_services.route_to_village(
                opinion=o, due_date=timezone.localdate() + dt.timedelta(days=10), actor=c.head
            ),
            "village_handling",
            "由村两委办理，期限" + (timezone.localdate() + dt.timedelta(days=10)).isoformat(),
        ),
        (
            lambda c, o: opinion_services.refer_opinion(opinion=o, unit=c.unit_b, actor=c.head),
            "referred",
            "已转石台县交通运输局办理",
        ),
        (
            lambda c, o: opinion_services.mark_not_feasible(opinion=o, reason="资金不足", actor=c.head),
            "not_feasible",
            "暂不具备办理条件",
        ),
    ],
)
def test_it_tells_the_resident_the_decision(cast, decide, step, words):
    opinion, _ = make_opinion(cast, resident_phone=PHONE)
    if step not in ("answered_on_spot", "not_accepted"):
        opinion_services.put_on_agenda(opinion=opinion, actor=cast.head)
    decide(cast, opinion)
    last = sms()[-1]
    assert last.key == f"resident:{opinion.code}:{step}" and words in last.subject
    if step in ("village_handling", "referred"):
        opinion.refresh_from_db()
        opinion_services.record_outcome(opinion=opinion, text="护栏已修好", actor=cast.officer)
        assert "已有办理结果" in sms()[-1].subject


def test_it_tells_a_duplicate_and_a_resident_registered_by_the_station(cast):
    original, _ = make_opinion(cast, resident_phone="13900003333")
    opinion, _ = make_opinion(cast, resident_phone=PHONE)
    opinion_services.put_on_agenda(opinion=opinion, actor=cast.head)
    opinion_services.mark_duplicate(opinion=opinion, original=original, actor=cast.head)
    assert [n.key.split(":")[2] for n in sms()] == ["registered", "put_on_agenda", "duplicate"]
    assert "已合并办理" in sms()[-1].subject and len(sms("13900003333")) == 1


def test_it_takes_the_texts_from_the_admin_and_falls_back_to_the_defaults(cast):
    seeded = dict(ResidentMessage.objects.values_list("step", "text"))
    assert seeded == {str(k): v for k, v in telling.DEFAULTS.items()}

    ResidentMessage.objects.filter(step="registered").update(text="【{station}】收到，查询码{code}")
    ResidentMessage.objects.filter(step="footer").update(text="进度{link}")
    ResidentMessage.objects.filter(step="put_on_agenda").update(text="坏的模板 {phone}")
    opinion, _ = make_opinion(cast, resident_phone=PHONE)
    opinion_services.put_on_agenda(opinion=opinion, actor=cast.head)
    registered, agenda = sms()
    assert registered.subject.startswith(f"【缘溪村人大代表联络站】收到，查询码{opinion.code}进度{SITE}/t/")
    assert agenda.subject.startswith("您反映的“路灯不亮”已列入") and PHONE not in agenda.subject

    ResidentMessage.objects.all().delete()
    telling.tell_resident(opinion, "referred")
    assert "已转" in sms()[-1].subject and "退订" in sms()[-1].subject

    row = ResidentMessage(step="footer", text="{link} {phone}")
    with pytest.raises(Exception, match="不认识的占位符"):
        row.full_clean()


def test_it_forgets_the_phone_in_the_outbox_when_the_retention_purge_runs(cast):
    opinion, _ = make_opinion(cast, resident_phone=PHONE)
    opinion_services.answer_on_spot(opinion=opinion, answer="已修好", actor=cast.officer)
    opinion_services.close_opinion(opinion=opinion, actor=cast.officer)
    Opinion.objects.filter(pk=opinion.pk).update(closed_at=timezone.now() - dt.timedelta(days=1200))
    assert len(sms()) == 2
    opinion_services.purge_personal_data()
    assert sms() == [] and Notification.objects.filter(key__startswith=f"resident:{opinion.code}:").count() == 2
