"""The suggestion loop's writes on an assignment in the API (liaison/api/assignment_writes.py): the unit's handling,
reassignment, extensions, commitments and reminders.

Each endpoint: the step done by a role that may, the other county's assignment (404 both ways: 石台 users against
东至住建局's, 东至 staff — cast.outsider — against 石台's), a wrong role (403), a wrong state (409) and invalid
input (422).
"""

import datetime as dt

import pytest
from django.utils import timezone

from liaison.suggestions import services
from liaison.suggestions.models import Assignment, Commitment, Consultation, ExtensionRequest, Progress, Reminder
from tests.api.test_opinion_writes import post
from tests.api.test_suggestion_writes import dongzhi_side
from tests.suggestions.helpers import answered, assigned, signed

pytestmark = pytest.mark.django_db
A = Assignment.State
TODAY = timezone.localdate()


@pytest.fixture
def dongzhi(cast):
    return dongzhi_side(cast)[1]


def url(assignment, step):
    return f"/api/v1/assignments/{assignment.code}/{step}"


def state(assignment) -> str:
    assignment.refresh_from_db()
    return assignment.state


def assert_out_of_scope(client_for, cast, shitai, dongzhi, step, body=None, mine=None):
    """The other county's assignment answers 404 both ways (`mine`: the 石台 user who may take the step)."""
    before = (state(shitai), state(dongzhi))
    assert post(client_for(cast.outsider), url(shitai, step), body).status_code == 404
    assert post(client_for(mine or cast.unit_user), url(dongzhi, step), body).status_code == 404
    assert (state(shitai), state(dongzhi)) == before


# --- 办 the unit's handling ----------------------------------------------------------------------------------


def test_it_signs_an_assignment(cast, client_for, dongzhi):
    s, lead, co = assigned(cast)
    assert post(client_for(cast.staff), url(lead, "sign")).status_code == 403
    assert post(client_for(cast.unit_b_user), url(lead, "sign")).status_code == 404  # another unit's
    assert_out_of_scope(client_for, cast, lead, dongzhi, "sign")
    response = post(client_for(cast.unit_user), url(lead, "sign"))
    assert response.status_code == 200
    assert response.json() == {
        "code": lead.code,
        "state": A.SIGNED,
        "state_label": "办理中",
        "suggestion": s.code,
        "suggestion_state": "handling",
    }
    assert post(client_for(cast.unit_user), url(lead, "sign")).status_code == 409


def test_it_returns_an_assignment_with_a_reason(cast, client_for, dongzhi):
    s, lead, _ = assigned(cast, co=False)
    assert post(client_for(cast.unit_user), url(lead, "return"), {"reason": ""}).status_code == 422
    assert post(client_for(cast.staff), url(lead, "return"), {"reason": "不属于本局"}).status_code == 403
    assert_out_of_scope(client_for, cast, lead, dongzhi, "return", {"reason": "不属于本局"})
    response = post(client_for(cast.unit_user), url(lead, "return"), {"reason": "不属于本局职责"})
    assert response.status_code == 200 and response.json()["suggestion_state"] == "returned"
    assert post(client_for(cast.unit_user), url(lead, "return"), {"reason": "再退"}).status_code == 409


def test_it_posts_progress_once_signed(cast, client_for, dongzhi):
    _, lead, _ = assigned(cast)
    body = {"text": "已完成设计"}
    assert post(client_for(cast.unit_user), url(lead, "progress"), body).status_code == 409  # not signed
    services.sign_assignment(assignment=lead, actor=cast.unit_user)
    assert post(client_for(cast.leader), url(lead, "progress"), body).status_code == 403
    assert post(client_for(cast.unit_user), url(lead, "progress"), {"text": "\x07"}).status_code == 422
    assert_out_of_scope(client_for, cast, lead, dongzhi, "progress", body)
    assert post(client_for(cast.unit_user), url(lead, "progress"), body).status_code == 201
    assert Progress.objects.get().text == "已完成设计"


def test_it_records_a_consultation_with_the_deputy(cast, client_for, dongzhi):
    _, lead, _ = assigned(cast)
    body = {"kind": "visit", "held_on": TODAY.isoformat(), "notes": "现场察看石桥"}
    assert post(client_for(cast.unit_user), url(lead, "consultations"), body).status_code == 409
    services.sign_assignment(assignment=lead, actor=cast.unit_user)
    later = {**body, "held_on": (TODAY + dt.timedelta(days=2)).isoformat()}
    assert post(client_for(cast.unit_user), url(lead, "consultations"), later).status_code == 422
    assert post(client_for(cast.unit_user), url(lead, "consultations"), {**body, "kind": "fax"}).status_code == 422
    assert post(client_for(cast.staff), url(lead, "consultations"), body).status_code == 403
    assert_out_of_scope(client_for, cast, lead, dongzhi, "consultations", body)
    assert post(client_for(cast.unit_user), url(lead, "consultations"), body).status_code == 201
    assert Consultation.objects.get().kind == "visit"


def test_it_sends_the_co_handlers_opinion(cast, client_for, dongzhi):
    _, lead, (co,) = signed(cast)
    body = {"text": "同意主办单位方案"}
    assert post(client_for(cast.unit_b_user), url(co, "cohandler-opinion"), body).status_code == 409  # not signed
    services.sign_assignment(assignment=co, actor=cast.unit_b_user)
    assert post(client_for(cast.unit_user), url(lead, "cohandler-opinion"), body).status_code == 422  # the lead's
    assert post(client_for(cast.unit_user), url(co, "cohandler-opinion"), body).status_code == 404  # another unit's
    assert post(client_for(cast.staff), url(co, "cohandler-opinion"), body).status_code == 403
    assert_out_of_scope(client_for, cast, co, dongzhi, "cohandler-opinion", body, mine=cast.unit_b_user)
    response = post(client_for(cast.unit_b_user), url(co, "cohandler-opinion"), body)
    assert response.status_code == 200 and response.json()["state"] == A.ANSWERED


def test_it_requests_an_extension(cast, client_for, dongzhi):
    _, lead, _ = assigned(cast)
    body = {"months": 1, "reason": "需要协调资金"}
    assert post(client_for(cast.unit_user), url(lead, "extension"), body).status_code == 409  # not signed
    services.sign_assignment(assignment=lead, actor=cast.unit_user)
    assert post(client_for(cast.unit_user), url(lead, "extension"), {**body, "months": 13}).status_code == 422
    assert post(client_for(cast.staff), url(lead, "extension"), body).status_code == 403
    assert_out_of_scope(client_for, cast, lead, dongzhi, "extension", body)
    assert post(client_for(cast.unit_user), url(lead, "extension"), body).status_code == 201
    assert ExtensionRequest.objects.get().state == "pending"
    assert post(client_for(cast.unit_user), url(lead, "extension"), body).status_code == 422  # one waiting already


def test_it_answers_with_its_class_and_commitments(cast, client_for, dongzhi):
    s, lead, _ = assigned(cast)
    due = (TODAY + dt.timedelta(days=60)).isoformat()
    body = {
        "answer_class": "B",
        "text": "已列入计划",
        "signer": "李局长",
        "commitments": [{"due_date": due, "text": "加固"}],
    }
    assert post(client_for(cast.unit_user), url(lead, "answer"), body).status_code == 409  # not signed
    services.sign_assignment(assignment=lead, actor=cast.unit_user)
    bare = post(client_for(cast.unit_user), url(lead, "answer"), {**body, "commitments": []})
    assert bare.status_code == 422  # B needs dated commitments
    assert post(client_for(cast.unit_user), url(lead, "answer"), {**body, "answer_class": "E"}).status_code == 422
    assert post(client_for(cast.staff), url(lead, "answer"), body).status_code == 403
    assert_out_of_scope(client_for, cast, lead, dongzhi, "answer", body)
    response = post(client_for(cast.unit_user), url(lead, "answer"), body)
    assert response.status_code == 200, response.json()
    out = response.json()
    assert out["state"] == A.ANSWERED and out["suggestion_state"] == "answered"
    (made,) = out["commitments"]
    assert Commitment.objects.get(code=made["code"]).text == "加固" and made["due_date"] == due


def test_it_records_a_commitment_kept(cast, client_for, dongzhi):
    _, lead, _ = answered(cast, answer_class="B")
    commitment = Commitment.objects.get()
    step = f"commitments/{commitment.code}/fulfil"
    assert post(client_for(cast.unit_user), url(lead, "commitments/C0000000/fulfil"), {"note": "x"}).status_code == 404
    assert post(client_for(cast.unit_user), url(lead, step), {"note": ""}).status_code == 422
    assert post(client_for(cast.staff), url(lead, step), {"note": "已完成"}).status_code == 403
    assert_out_of_scope(client_for, cast, lead, dongzhi, step, {"note": "已完成"})
    assert post(client_for(cast.unit_user), url(lead, step), {"note": "石桥已加固"}).status_code == 200
    commitment.refresh_from_db()
    assert commitment.state == Commitment.State.DONE
    assert post(client_for(cast.unit_user), url(lead, step), {"note": "再登记"}).status_code == 409


# --- the receiving body's steps -------------------------------------------------------------------------------


def test_it_reassigns_a_returned_assignment(cast, client_for, dongzhi):
    s, lead, _ = assigned(cast, co=False)
    body = {"unit": cast.unit_b.code, "note": "改由交通局办理"}
    assert post(client_for(cast.staff), url(lead, "reassign"), body).status_code == 409  # not returned
    services.return_assignment(assignment=lead, actor=cast.unit_user, reason="不属于本局")
    assert post(client_for(cast.unit_user), url(lead, "reassign"), body).status_code == 403
    other = post(client_for(cast.staff), url(lead, "reassign"), {"unit": cast.other_unit.code})
    assert other.status_code == 422 and other.json()["field"] == "unit"
    assert_out_of_scope(client_for, cast, lead, dongzhi, "reassign", body, mine=cast.staff)
    response = post(client_for(cast.staff), url(lead, "reassign"), body)
    assert response.status_code == 200 and response.json()["suggestion_state"] == "assigned"
    assert Assignment.objects.get(code=response.json()["replacement"]).unit == cast.unit_b


def test_it_decides_the_pending_extension(cast, client_for, dongzhi):
    _, lead, _ = signed(cast)
    assert post(client_for(cast.staff), url(lead, "extension/decision"), {"approve": True}).status_code == 409
    services.request_extension(assignment=lead, actor=cast.unit_user, months=1, reason="需要协调资金")
    assert post(client_for(cast.unit_user), url(lead, "extension/decision"), {"approve": True}).status_code == 403
    assert post(client_for(cast.leader), url(lead, "extension/decision"), {"approve": True}).status_code == 403
    assert_out_of_scope(client_for, cast, lead, dongzhi, "extension/decision", {"approve": True}, mine=cast.staff)
    assert (
        post(client_for(cast.staff), url(lead, "extension/decision"), {"approve": True, "note": "同意"}).status_code
        == 200
    )
    lead.refresh_from_db()
    assert lead.extension_months == 1 and ExtensionRequest.objects.get().state == "approved"


def test_it_reminds_the_unit(cast, client_for, dongzhi):
    _, lead, _ = signed(cast)
    assert post(client_for(cast.unit_user), url(lead, "remind"), {}).status_code == 403
    assert post(client_for(cast.deputy_user), url(lead, "remind"), {}).status_code == 404  # deputies see no assignments
    assert_out_of_scope(client_for, cast, lead, dongzhi, "remind", {}, mine=cast.leader)
    assert post(client_for(cast.leader), url(lead, "remind"), {"note": "请加快办理"}).status_code == 201
    assert Reminder.objects.get().created_by == cast.leader
    _, done, _ = answered(cast)
    assert post(client_for(cast.staff), url(done, "remind"), {}).status_code == 409
