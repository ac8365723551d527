"""The opinion loop's writes in the API (liaison/api/opinion_writes.py), their idempotency and the opinions' cursor.

Each endpoint: the step done by a role that may, the other county's object (404), a wrong role (403) or a wrong
state (409), and invalid input (422). 石台 users against 东至 objects (cast.other_station), and 东至 staff
(cast.outsider) against 石台 ones.
"""

import datetime as dt
import json
import uuid

import pytest
from django.utils import timezone

from liaison.api import idempotency
from liaison.api.models import IdempotentRequest
from liaison.lib.codes import check_query_password
from liaison.meetings import services as meeting_services
from liaison.opinions import services
from liaison.opinions.models import Opinion, ReportBack, Visit

pytestmark = pytest.mark.django_db
S = Opinion.State


def post(client, url, body=None, key=None):
    data = json.dumps(body) if body is not None else ""
    headers = {"Idempotency-Key": key or uuid.uuid4().hex}
    return client.post(url, data, content_type="application/json", headers=headers)


def opinion_at(station, actor, **kw) -> Opinion:
    return services.register_opinion(
        station=station, channel="phone", title="路灯", content="村口路灯坏了一个月", actor=actor, **kw
    )[0]


@pytest.fixture
def shitai(cast):
    return opinion_at(cast.station, cast.officer)


@pytest.fixture
def dongzhi(cast):
    return opinion_at(cast.other_station, cast.outsider)


def on_agenda(opinion, actor):
    services.put_on_agenda(opinion=opinion, actor=actor)
    opinion.refresh_from_db()
    return opinion


def state(opinion) -> str:
    opinion.refresh_from_db()
    return opinion.state


def url(opinion, step):
    return f"/api/v1/opinions/{opinion.code}/{step}"


def assert_out_of_scope(client_for, cast, shitai, dongzhi, step, body=None):
    """The other county's opinion answers 404 both ways, and neither changes."""
    assert post(client_for(cast.outsider), url(shitai, step), body).status_code == 404
    assert post(client_for(cast.staff), url(dongzhi, step), body).status_code == 404
    assert (state(shitai), state(dongzhi)) == (shitai.state, dongzhi.state)


# --- intake ---------------------------------------------------------------------------------------------------

REGISTER = {"channel": "phone", "title": "路灯", "content": "村口路灯坏了一个月", "resident_phone": "13900001111"}


def test_it_registers_an_opinion_and_shows_its_query_password_once(cast, client_for):
    response = post(client_for(cast.officer), "/api/v1/opinions", {**REGISTER, "station": cast.station.code})
    assert response.status_code == 201, response.json()
    body = response.json()
    opinion = Opinion.objects.get(code=body["code"])
    assert opinion.station == cast.station and opinion.created_by == cast.officer and body["state"] == S.REGISTERED
    assert len(body["password"]) == 6 and check_query_password(body["password"], opinion.query_password_hash)
    assert IdempotentRequest.objects.get().body["password"] is None  # never stored in clear


def test_it_refuses_registration_out_of_scope_by_role_and_with_bad_input(cast, client_for):
    other = {**REGISTER, "station": cast.other_station.code}
    assert post(client_for(cast.staff), "/api/v1/opinions", other).status_code == 404
    assert (
        post(client_for(cast.unit_user), "/api/v1/opinions", {**REGISTER, "station": cast.station.code}).status_code
        == 404
    )
    assert (
        post(client_for(cast.leader), "/api/v1/opinions", {**REGISTER, "station": cast.station.code}).status_code == 403
    )
    qr = post(client_for(cast.officer), "/api/v1/opinions", {**REGISTER, "station": cast.station.code, "channel": "qr"})
    assert qr.status_code == 422 and qr.json()["detail"][0]["loc"][-1] == "channel"
    unknown = {**REGISTER, "station": cast.station.code, "category": "没有这个分类"}
    answer = post(client_for(cast.officer), "/api/v1/opinions", unknown)
    assert answer.status_code == 422 and answer.json()["field"] == "category"
    assert not Opinion.objects.exists() and not IdempotentRequest.objects.exists()


VISIT = {"kind": "door", "place": "缘溪村三组", "opinions": [{"content": "路灯坏了"}, {"content": "垃圾清运不及时"}]}


def test_it_logs_a_visit_with_its_opinions(cast, client_for):
    body = {**VISIT, "station": cast.station.code, "date": timezone.localdate().isoformat()}
    response = post(client_for(cast.deputy_user), "/api/v1/visits", body)
    assert response.status_code == 201, response.json()
    out = response.json()
    visit = Visit.objects.get(code=out["code"])
    assert visit.deputy == cast.deputy and visit.opinions.count() == 2
    for item in out["opinions"]:
        opinion = Opinion.objects.get(code=item["code"])
        assert opinion.channel == "visit" and check_query_password(item["password"], opinion.query_password_hash)
    assert out["opinions"][0]["password"] != out["opinions"][1]["password"]


def test_it_refuses_a_visit_out_of_scope_by_role_and_in_the_future(cast, client_for):
    today = timezone.localdate()
    body = {**VISIT, "station": cast.other_station.code, "date": today.isoformat()}
    assert post(client_for(cast.deputy_user), "/api/v1/visits", body).status_code == 404
    body["station"] = cast.station.code
    assert post(client_for(cast.head), "/api/v1/visits", body).status_code == 403  # a deputy's own record
    future = post(client_for(cast.deputy_user), "/api/v1/visits", {**body, "date": str(today + dt.timedelta(days=3))})
    assert future.status_code == 422
    assert not Visit.objects.exists() and not Opinion.objects.exists()


# --- at the station -------------------------------------------------------------------------------------------


def test_it_answers_on_the_spot(cast, client_for, shitai, dongzhi):
    response = post(client_for(cast.deputy_user), url(shitai, "answer"), {"answer": "已联系电工", "told_now": False})
    assert response.status_code == 200 and response.json()["state"] == S.ANSWERED_ON_SPOT
    told = opinion_at(cast.station, cast.officer)
    assert post(client_for(cast.head), url(told, "answer"), {"answer": "已联系电工"}).json()["state"] == S.REPORTED_BACK
    assert (
        post(
            client_for(cast.leader), url(opinion_at(cast.station, cast.officer), "answer"), {"answer": "好"}
        ).status_code
        == 403
    )
    again = post(client_for(cast.head), url(shitai, "answer"), {"answer": "再答一次"})
    assert again.status_code == 409 and "detail" in again.json()
    assert_out_of_scope(client_for, cast, shitai, dongzhi, "answer", {"answer": "越界"})


def test_it_refuses_an_opinion_with_its_reason(cast, client_for, shitai, dongzhi):
    body = {"reason": "属于诉讼事项", "redirect_to": "人民法院"}
    response = post(client_for(cast.officer), url(shitai, "refuse"), body)
    assert response.status_code == 200 and response.json()["state"] == S.NOT_ACCEPTED
    assert post(client_for(cast.officer), url(shitai, "refuse"), body).status_code == 409
    blank = post(client_for(cast.officer), url(opinion_at(cast.station, cast.officer), "refuse"), {"reason": " "})
    assert blank.status_code == 422
    assert_out_of_scope(client_for, cast, shitai, dongzhi, "refuse", body)


def test_it_puts_an_opinion_on_the_agenda(cast, client_for, shitai, dongzhi):
    assert post(client_for(cast.deputy_user), url(shitai, "agenda")).status_code == 403
    response = post(client_for(cast.officer), url(shitai, "agenda"))
    assert response.status_code == 200 and response.json() == {
        "code": shitai.code,
        "state": S.ON_AGENDA,
        "state_label": "待会商",
    }
    assert post(client_for(cast.officer), url(shitai, "agenda")).status_code == 409
    assert_out_of_scope(client_for, cast, shitai, dongzhi, "agenda")


# --- the meeting's decisions ----------------------------------------------------------------------------------

DUE = (timezone.localdate() + dt.timedelta(days=10)).isoformat()


@pytest.mark.parametrize(
    "step, body, to",
    [
        ("village", lambda c: {"due_date": DUE, "note": "村里修"}, S.VILLAGE_HANDLING),
        ("refer", lambda c: {"unit": c.unit.code}, S.REFERRED),
        ("suggestion", lambda c: {"deputy": c.deputy.code}, S.TO_SUGGESTION),
        ("not-feasible", lambda c: {"reason": "资金不足"}, S.NOT_FEASIBLE),
    ],
)
def test_it_takes_a_meeting_decision(cast, client_for, shitai, dongzhi, step, body, to):
    on_agenda(shitai, cast.head), on_agenda(dongzhi, cast.outsider)
    registered = opinion_at(cast.station, cast.officer)
    assert post(client_for(cast.deputy_user), url(shitai, step), body(cast)).status_code == 403  # the chair's
    assert post(client_for(cast.head), url(registered, step), body(cast)).status_code == 409
    assert_out_of_scope(client_for, cast, shitai, dongzhi, step, body(cast))
    response = post(client_for(cast.head), url(shitai, step), body(cast))
    assert response.status_code == 200 and response.json()["state"] == to


def test_it_marks_a_duplicate_of_the_same_stations_opinion_only(cast, client_for, shitai, dongzhi):
    on_agenda(shitai, cast.head), on_agenda(dongzhi, cast.outsider)
    original = opinion_at(cast.station, cast.officer)
    other = post(client_for(cast.head), url(shitai, "duplicate"), {"original": dongzhi.code})
    assert other.status_code == 422 and other.json()["field"] == "original"
    assert_out_of_scope(client_for, cast, shitai, dongzhi, "duplicate", {"original": original.code})
    response = post(client_for(cast.head), url(shitai, "duplicate"), {"original": original.code})
    assert response.status_code == 200 and response.json()["state"] == S.DUPLICATE
    shitai.refresh_from_db()
    assert shitai.duplicate_of == original


def test_the_station_merges_a_registered_opinion_at_intake(cast, client_for, shitai):
    """Before the meeting the station's officer may merge a repeat; the deputy may not."""
    original = opinion_at(cast.station, cast.officer)
    refused = post(client_for(cast.deputy_user), url(shitai, "duplicate"), {"original": original.code})
    assert refused.status_code == 403 and state(shitai) == S.REGISTERED
    response = post(client_for(cast.officer), url(shitai, "duplicate"), {"original": original.code})
    assert response.status_code == 200 and response.json()["state"] == S.DUPLICATE
    assert original.duplicates.get() == shitai


def test_it_refuses_choices_the_meeting_form_would_not_offer(cast, client_for, shitai):
    on_agenda(shitai, cast.head)
    for step, body, field in [
        ("refer", {"unit": cast.other_unit.code}, "unit"),  # another county's department
        ("refer", {"unit": cast.village_unit.code}, "unit"),  # a village committee is not a referral
        ("suggestion", {"deputy": cast.other_deputy.code}, "deputy"),
    ]:
        response = post(client_for(cast.staff), url(shitai, step), body)
        assert response.status_code == 422 and response.json()["field"] == field, (step, body)
    past = post(client_for(cast.head), url(shitai, "village"), {"due_date": "2020-01-01"})
    assert past.status_code == 422 and state(shitai) == S.ON_AGENDA


def test_it_records_a_decision_on_the_open_meetings_agenda_item(cast, client_for, shitai):
    today = timezone.localdate()
    meeting = meeting_services.open_meeting(station=cast.station, year=today.year, month=today.month, actor=cast.head)
    item = meeting.items.get(opinion=shitai)
    response = post(client_for(cast.head), url(shitai, "refer"), {"unit": cast.unit.code, "note": "请住建局"})
    assert response.status_code == 200 and response.json()["state"] == S.REFERRED
    item.refresh_from_db()
    assert item.decision == "refer" and item.decided_by == cast.head and cast.unit.name in item.decision_note


# --- after the decision ---------------------------------------------------------------------------------------


def village_handling(opinion, head):
    on_agenda(opinion, head)
    services.route_to_village(opinion=opinion, due_date=timezone.localdate() + dt.timedelta(days=5), actor=head)
    opinion.refresh_from_db()
    return opinion


def test_it_records_the_outcome(cast, client_for, shitai, dongzhi):
    assert post(client_for(cast.head), url(shitai, "outcome"), {"text": "已修好"}).status_code == 409  # registered
    village_handling(shitai, cast.head), village_handling(dongzhi, cast.outsider)
    assert post(client_for(cast.leader), url(shitai, "outcome"), {"text": "已修好"}).status_code == 403
    assert post(client_for(cast.village), url(shitai, "outcome"), {"text": ""}).status_code == 422
    assert_out_of_scope(client_for, cast, shitai, dongzhi, "outcome", {"text": "已修好"})
    response = post(client_for(cast.village), url(shitai, "outcome"), {"text": "已更换灯泡"})
    assert response.status_code == 200 and response.json()["state"] == S.OUTCOME_RECORDED


def test_it_records_the_report_back_and_closes(cast, client_for, shitai, dongzhi):
    back = {"method": "phone", "at": timezone.localdate().isoformat(), "reaction": "satisfied"}
    assert post(client_for(cast.deputy_user), url(shitai, "report-back"), back).status_code == 409  # not answered
    for opinion, actor in ((shitai, cast.head), (dongzhi, cast.outsider)):
        village_handling(opinion, actor)
        services.record_outcome(opinion=opinion, text="已修好", actor=actor)
    assert post(client_for(cast.deputy_user), url(shitai, "close")).status_code == 409  # not reported back
    assert post(client_for(cast.leader), url(shitai, "report-back"), back).status_code == 403
    assert post(client_for(cast.deputy_user), url(shitai, "report-back"), {**back, "method": "fax"}).status_code == 422
    assert_out_of_scope(client_for, cast, shitai, dongzhi, "report-back", back)
    response = post(client_for(cast.deputy_user), url(shitai, "report-back"), {**back, "note": "群众满意"})
    assert response.status_code == 200 and response.json()["state"] == S.REPORTED_BACK
    assert ReportBack.objects.get(opinion=shitai).deputy == cast.deputy
    services.record_report_back(
        opinion=dongzhi, method="phone", at=timezone.localdate(), reaction="none", actor=cast.outsider
    )
    assert post(client_for(cast.leader), url(shitai, "close")).status_code == 403
    assert_out_of_scope(client_for, cast, shitai, dongzhi, "close")
    response = post(client_for(cast.officer), url(shitai, "close"))
    assert response.status_code == 200 and response.json()["state"] == S.CLOSED


# --- idempotency ----------------------------------------------------------------------------------------------


def test_it_replays_the_first_answer_for_a_retry_with_the_same_key(cast, client_for):
    client, key = client_for(cast.officer), uuid.uuid4().hex
    body = {**REGISTER, "station": cast.station.code}
    first = post(client, "/api/v1/opinions", body, key=key)
    again = post(client, "/api/v1/opinions", body, key=key)
    assert (again.status_code, again.json()) == (first.status_code, first.json())
    assert Opinion.objects.count() == 1
    other = post(client, "/api/v1/opinions", {**body, "content": "另一件事"}, key=key)
    assert other.status_code == 422 and other.json()["field"] == "Idempotency-Key"
    assert post(client_for(cast.staff), "/api/v1/opinions", body, key=key).status_code == 201  # per user
    assert Opinion.objects.count() == 2


def test_it_replays_a_state_change_instead_of_answering_409(cast, client_for, shitai):
    client, key = client_for(cast.head), uuid.uuid4().hex
    first = post(client, url(shitai, "agenda"), key=key)
    again = post(client, url(shitai, "agenda"), key=key)
    assert first.status_code == again.status_code == 200 and again.json()["state"] == S.ON_AGENDA
    # The same key for another opinion is another request.
    other = opinion_at(cast.station, cast.officer)
    assert post(client, url(other, "agenda"), key=key).status_code == 422
    assert state(other) == S.REGISTERED


def test_it_stores_nothing_for_a_refused_write_and_needs_a_key(cast, client_for, shitai):
    assert post(client_for(cast.leader), url(shitai, "agenda")).status_code == 403
    assert post(client_for(cast.outsider), url(shitai, "agenda")).status_code == 404
    missing = client_for(cast.head).post(url(shitai, "agenda"), content_type="application/json")
    assert missing.status_code == 422 and missing.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]
    assert not IdempotentRequest.objects.exists() and state(shitai) == S.REGISTERED


def test_it_answers_a_retry_that_raced_past_the_check_with_the_first_answer(cast, client_for, monkeypatch):
    client, key = client_for(cast.officer), uuid.uuid4().hex
    body = {**REGISTER, "station": cast.station.code}
    first = post(client, "/api/v1/opinions", body, key=key)
    real, calls = idempotency._find, []

    def not_yet_committed(*args):
        calls.append(args)
        return None if len(calls) == 1 else real(*args)

    monkeypatch.setattr(idempotency, "_find", not_yet_committed)
    retry = post(client, "/api/v1/opinions", body, key=key)
    assert len(calls) == 2, "the retry never reached the unique constraint"
    assert (retry.status_code, retry.json()) == (first.status_code, first.json())
    assert Opinion.objects.count() == 1


# --- the cursor -----------------------------------------------------------------------------------------------


def test_it_walks_the_opinions_by_cursor_newest_first(cast, client_for):
    made = [opinion_at(cast.station, cast.officer) for _ in range(5)]
    Opinion.objects.filter(pk__in=[o.pk for o in made[:2]]).update(created_at=made[0].created_at)  # a tie
    client, seen, cursor = client_for(cast.staff), [], ""
    while True:
        page = client.get("/api/v1/opinions", {"page_size": 2, **({"cursor": cursor} if cursor else {})}).json()
        seen += [o["code"] for o in page["items"]]
        if len(seen) == 2:
            opinion_at(cast.station, cast.officer)  # a new one does not shift the pages being walked
        if not page["next"]:
            break
        cursor = page["next"]
    expected = Opinion.objects.order_by("-created_at", "-id").values_list("code", flat=True)
    assert seen == [c for c in expected if c in {o.code for o in made}]


@pytest.mark.parametrize("query", ["cursor=forged", "cursor=" + "x" * 300, "page_size=100000", "page_size=0"])
def test_it_answers_a_bad_cursor_or_page_size_with_a_field_error(cast, client_for, query):
    response = client_for(cast.staff).get(f"/api/v1/opinions?{query}")
    assert response.status_code == 422 and query.split("=")[0] in str(response.json())
