"""The suggestion loop's writes on the suggestion in the API (liaison/api/suggestion_writes.py), the suggestions'
cursor and the integration keys' "suggestions:write".

Each endpoint: the step done by a role that may, the other county's suggestion (404 both ways: 石台 users against
a 东至 one, 东至 staff — cast.outsider — against 石台's), a wrong role (403), a wrong state (409) and invalid
input (422). The unit's steps on an assignment are tests/api/test_assignment_writes.py.
"""

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from liaison.api.models import IdempotentRequest
from liaison.api.services import create_integration_key
from liaison.org.models import Deputy, Membership, Role, User
from liaison.suggestions import services
from liaison.suggestions.models import CoSigner, Suggestion, SupervisionNote
from tests.api.test_opinion_writes import post
from tests.cast import PASSWORD
from tests.suggestions.helpers import accepted, answered, assigned, draft, opinions_for_drafting, submitted

pytestmark = pytest.mark.django_db
S = Suggestion.State
IN_A_WEEK = timezone.localdate() + dt.timedelta(days=7)
SOON = IN_A_WEEK.isoformat()


def dongzhi_side(cast):
    """东至's deputy and unit get accounts (the cast has none), and a suggestion of theirs assigned to 东至住建局."""
    user = User.objects.create_user(username="dz_deputy", password=PASSWORD, display_name="dz_deputy")
    Deputy.objects.filter(pk=cast.other_deputy.pk).update(user=user)
    cast.other_deputy.user = user
    unit_user = User.objects.create_user(username="dz_unit", password=PASSWORD, display_name="dz_unit")
    Membership.objects.create(user=unit_user, role=Role.UNIT, unit=cast.other_unit)
    s = draft(cast, title="关于东至修桥的建议", deputy=cast.other_deputy, user=user)
    services.submit_suggestion(suggestion=s, actor=user)
    services.accept_suggestion(suggestion=s, actor=cast.outsider)
    (row,) = services.assign_suggestion(suggestion=s, actor=cast.outsider, lead=cast.other_unit)
    s.refresh_from_db()
    return s, row, unit_user


@pytest.fixture
def dongzhi(cast):
    return dongzhi_side(cast)[0]


def url(suggestion, step):
    return f"/api/v1/suggestions/{suggestion.code}/{step}"


def state(suggestion) -> str:
    suggestion.refresh_from_db()
    return suggestion.state


def assert_out_of_scope(client_for, cast, shitai, dongzhi, step, body=None, mine=None):
    """The other county's suggestion answers 404 both ways (`mine`: the 石台 user who may take the step), and
    neither changes."""
    before = (state(shitai), state(dongzhi))
    assert post(client_for(cast.outsider), url(shitai, step), body).status_code == 404
    assert post(client_for(mine or cast.staff), url(dongzhi, step), body).status_code == 404
    assert (state(shitai), state(dongzhi)) == before


# --- 提 drafting ---------------------------------------------------------------------------------------------

DRAFT = {
    "title": "关于维修村口石桥的建议",
    "cause": "石桥护栏断裂",
    "proposals": "请住建局维修",
    "category": "城乡建设",
}


def test_it_creates_a_draft_from_the_opinions_the_meeting_gave_the_deputy(cast, client_for):
    opinions = opinions_for_drafting(cast)
    body = {**DRAFT, "opinions": [o.code for o in opinions], "confidential": True}
    response = post(client_for(cast.deputy_user), "/api/v1/suggestions", body)
    assert response.status_code == 201, response.json()
    s = Suggestion.objects.get(code=response.json()["code"])
    assert s.state == S.DRAFT and s.lead_deputy == cast.deputy and s.confidential
    assert {src.opinion_id for src in s.sources.all()} == {o.pk for o in opinions}


def test_it_refuses_a_draft_by_role_out_of_scope_and_with_bad_choices(cast, client_for):
    (opinion,) = opinions_for_drafting(cast, 1)
    assert post(client_for(cast.staff), "/api/v1/suggestions", DRAFT).status_code == 403  # not a deputy
    other = post(client_for(cast.deputy_user), "/api/v1/suggestions", {**DRAFT, "deputy": cast.other_deputy.code})
    assert other.status_code == 404  # 东至's deputy is out of scope
    assert (
        post(client_for(cast.deputy_user), "/api/v1/suggestions", {**DRAFT, "deputy": cast.deputy2.code}).status_code
        == 403
    )
    # Only the deputy the meeting named drafts from the opinion (deputy2 was not): as if it were unknown.
    theirs = post(client_for(cast.deputy2_user), "/api/v1/suggestions", {**DRAFT, "opinions": [opinion.code]})
    assert theirs.status_code == 422 and theirs.json()["field"] == "opinions"
    unknown = post(client_for(cast.deputy_user), "/api/v1/suggestions", {**DRAFT, "category": "没有这个分类"})
    assert unknown.status_code == 422 and unknown.json()["field"] == "category"
    binary = post(client_for(cast.deputy_user), "/api/v1/suggestions", {**DRAFT, "title": "石桥\x00"})
    assert binary.status_code == 422
    assert not Suggestion.objects.exists() and not IdempotentRequest.objects.exists()


def test_it_creates_a_draft_once_for_a_retry(cast, client_for):
    client, key = client_for(cast.deputy_user), uuid.uuid4().hex
    first = post(client, "/api/v1/suggestions", DRAFT, key=key)
    again = post(client, "/api/v1/suggestions", DRAFT, key=key)
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert Suggestion.objects.count() == 1


def test_it_edits_a_draft_until_it_is_submitted(cast, client_for, dongzhi):
    mine = draft(cast)
    response = post(client_for(cast.deputy_user), url(mine, "edit"), {"title": "关于加固石桥的建议"})
    assert response.status_code == 200 and response.json()["state"] == S.DRAFT
    mine.refresh_from_db()
    assert mine.title == "关于加固石桥的建议" and mine.cause == "村口石桥护栏断裂，存在安全隐患"
    assert post(client_for(cast.deputy_user), url(mine, "edit"), {"title": ""}).status_code == 422
    assert post(client_for(cast.deputy2_user), url(mine, "edit"), {"title": "x"}).status_code == 404  # private
    sent = submitted(cast)
    assert post(client_for(cast.staff), url(sent, "edit"), {"title": "x"}).status_code == 403
    assert post(client_for(cast.deputy_user), url(sent, "edit"), {"title": "x"}).status_code == 409
    assert_out_of_scope(client_for, cast, sent, dongzhi, "edit", {"title": "x"}, mine=cast.deputy_user)


def test_it_invites_co_signers_of_the_deputys_station_only(cast, client_for, dongzhi):
    mine = draft(cast)
    outside = post(
        client_for(cast.deputy_user), url(mine, "cosigners"), {"deputies": [cast.other_deputy.code], "deadline": SOON}
    )
    assert outside.status_code == 422 and outside.json()["field"] == "deputies"
    body = {"deputies": [cast.deputy2.code, cast.deputy2.code], "deadline": SOON}
    response = post(client_for(cast.deputy_user), url(mine, "cosigners"), body)
    assert response.status_code == 200 and response.json()["state"] == S.COSIGNING
    assert mine.cosigners.get().deputy == cast.deputy2
    sent = submitted(cast)
    assert post(client_for(cast.staff), url(sent, "cosigners"), body).status_code == 403
    assert post(client_for(cast.deputy_user), url(sent, "cosigners"), body).status_code == 409
    assert_out_of_scope(client_for, cast, sent, dongzhi, "cosigners", body, mine=cast.deputy_user)


def test_it_lets_an_invited_deputy_co_sign_or_decline(cast, client_for, dongzhi):
    mine, other = draft(cast), draft(cast, title="另一条建议")
    for s in (mine, other):
        services.invite_cosigners(suggestion=s, actor=cast.deputy_user, deputies=[cast.deputy2], deadline=IN_A_WEEK)
    assert post(client_for(cast.deputy_user), url(mine, "cosign"), {"accept": True}).status_code == 403  # not invited
    response = post(client_for(cast.deputy2_user), url(mine, "cosign"), {"accept": True})
    assert response.status_code == 200 and mine.cosigners.get().state == CoSigner.State.CONFIRMED
    assert post(client_for(cast.deputy2_user), url(mine, "cosign"), {"accept": False}).status_code == 409
    assert post(client_for(cast.deputy2_user), url(other, "cosign"), {"accept": False}).status_code == 200
    assert other.cosigners.get().state == CoSigner.State.DECLINED
    assert_out_of_scope(client_for, cast, mine, dongzhi, "cosign", {"accept": True}, mine=cast.deputy2_user)


def test_it_submits_a_draft(cast, client_for, dongzhi):
    mine = draft(cast)
    response = post(client_for(cast.deputy_user), url(mine, "submit"))
    assert response.status_code == 200 and response.json()["state"] == S.SUBMITTED
    assert post(client_for(cast.staff), url(mine, "submit")).status_code == 403
    assert post(client_for(cast.deputy_user), url(mine, "submit")).status_code == 409
    assert_out_of_scope(client_for, cast, mine, dongzhi, "submit", mine=cast.deputy_user)


def test_it_withdraws_a_suggestion_before_it_is_accepted(cast, client_for, dongzhi):
    sent = submitted(cast)
    assert post(client_for(cast.staff), url(sent, "withdraw"), {}).status_code == 403
    response = post(client_for(cast.deputy_user), url(sent, "withdraw"), {"note": "已由村里解决"})
    assert response.status_code == 200 and response.json()["state"] == S.WITHDRAWN
    assert post(client_for(cast.deputy_user), url(accepted(cast), "withdraw"), {}).status_code == 409
    assert_out_of_scope(client_for, cast, submitted(cast), dongzhi, "withdraw", {}, mine=cast.deputy_user)


# --- 交 review and assignment --------------------------------------------------------------------------------


def test_it_accepts_a_submitted_suggestion(cast, client_for, dongzhi):
    sent = submitted(cast)
    assert post(client_for(cast.deputy_user), url(sent, "accept"), {}).status_code == 403
    assert post(client_for(cast.leader), url(sent, "accept"), {}).status_code == 403  # supervises, does not review
    assert_out_of_scope(client_for, cast, sent, dongzhi, "accept", {})
    response = post(client_for(cast.staff), url(sent, "accept"), {"note": "同意立案"})
    assert response.status_code == 200 and response.json()["state"] == S.ACCEPTED
    sent.refresh_from_db()
    assert sent.case_number.startswith("石台县〔")
    assert post(client_for(cast.staff), url(sent, "accept"), {}).status_code == 409


def test_it_merges_into_an_accepted_suggestion_by_case_number(cast, client_for, dongzhi):
    target, sent = accepted(cast, title="先立案的建议"), submitted(cast)
    unknown = post(client_for(cast.staff), url(sent, "merge"), {"into": dongzhi.code})  # 东至's: not visible
    assert unknown.status_code == 422 and unknown.json()["field"] == "into"
    into_submitted = post(client_for(cast.staff), url(target, "merge"), {"into": sent.code})
    assert into_submitted.status_code == 422  # the service: only into an accepted one
    also = accepted(cast, title="也已立案的建议")
    assert post(client_for(cast.staff), url(target, "merge"), {"into": also.code}).status_code == 409
    assert post(client_for(cast.deputy_user), url(sent, "merge"), {"into": target.code}).status_code == 403
    assert_out_of_scope(client_for, cast, sent, dongzhi, "merge", {"into": target.code})
    response = post(client_for(cast.staff), url(sent, "merge"), {"into": target.case_number, "reason": "内容相同"})
    assert response.status_code == 200 and response.json()["state"] == S.MERGED
    sent.refresh_from_db()
    assert sent.merged_into == target


def test_it_rejects_with_a_reason(cast, client_for, dongzhi):
    sent = submitted(cast)
    assert post(client_for(cast.staff), url(sent, "reject"), {"reason": ""}).status_code == 422
    assert post(client_for(cast.staff), url(sent, "reject"), {"reason": "  "}).status_code == 422  # the service's
    assert post(client_for(cast.deputy_user), url(sent, "reject"), {"reason": "不属于"}).status_code == 403
    assert_out_of_scope(client_for, cast, sent, dongzhi, "reject", {"reason": "不属于"})
    response = post(client_for(cast.staff), url(sent, "reject"), {"reason": "不属于本级职权"})
    assert response.status_code == 200 and response.json()["state"] == S.REJECTED
    assert post(client_for(cast.staff), url(sent, "reject"), {"reason": "再拒"}).status_code == 409


def test_it_assigns_a_lead_unit_with_co_handlers(cast, client_for, dongzhi):
    s = accepted(cast)
    body = {"lead": cast.unit.code, "co": [cast.unit_b.code], "note": "请两周内签收"}
    assert post(client_for(cast.leader), url(s, "assign"), body).status_code == 403
    other = post(client_for(cast.staff), url(s, "assign"), {"lead": cast.other_unit.code})
    assert other.status_code == 422 and other.json()["field"] == "lead"
    twice = post(client_for(cast.staff), url(s, "assign"), {"split": [{"unit": cast.unit.code}] * 2})
    assert twice.status_code == 422 and state(s) == S.ACCEPTED  # the service refuses the repetition
    assert_out_of_scope(client_for, cast, s, dongzhi, "assign", body)
    response = post(client_for(cast.staff), url(s, "assign"), body)
    assert response.status_code == 200, response.json()
    out = response.json()
    assert out["state"] == S.ASSIGNED
    assert [(a["unit"], a["role"]) for a in out["assignments"]] == [(cast.unit.code, "lead"), (cast.unit_b.code, "co")]
    assert {a.code for a in s.assignments.all()} == {a["code"] for a in out["assignments"]}
    assert post(client_for(cast.staff), url(s, "assign"), body).status_code == 409


def test_it_splits_an_assignment(cast, client_for):
    s = accepted(cast)
    split = [{"unit": cast.unit.code, "part": "维修石桥"}, {"unit": cast.unit_b.code, "part": "设置警示标志"}]
    response = post(client_for(cast.staff), url(s, "assign"), {"split": split})
    assert response.status_code == 200 and [a["role"] for a in response.json()["assignments"]] == ["split"] * 2
    assert list(s.assignments.values_list("part", flat=True)) == ["维修石桥", "设置警示标志"]


# --- 评 evaluation, closing ----------------------------------------------------------------------------------

RATED = {"process": "satisfied", "result": "satisfied"}


def test_it_takes_the_deputys_evaluation(cast, client_for, dongzhi):
    s, _, _ = answered(cast)
    assert post(client_for(cast.staff), url(s, "evaluation"), RATED).status_code == 403  # staff enter paper forms
    assert post(client_for(cast.deputy_user), url(s, "evaluation"), {**RATED, "result": "meh"}).status_code == 422
    assert_out_of_scope(client_for, cast, s, dongzhi, "evaluation", RATED, mine=cast.deputy_user)
    response = post(client_for(cast.deputy_user), url(s, "evaluation"), {**RATED, "comment": "修得及时"})
    assert response.status_code == 200 and response.json()["state"] == S.EVALUATED
    assert post(client_for(cast.deputy_user), url(s, "evaluation"), RATED).status_code == 409
    early, _, _ = assigned(cast)
    assert post(client_for(cast.deputy_user), url(early, "evaluation"), RATED).status_code == 409


def test_it_sends_an_unsatisfied_answer_back_for_re_handling(cast, client_for):
    s, lead, _ = answered(cast)
    response = post(client_for(cast.deputy_user), url(s, "evaluation"), {**RATED, "result": "unsatisfied"})
    assert response.status_code == 200 and response.json()["state"] == S.REHANDLING
    lead.refresh_from_db()
    assert lead.state == "rehandling"


def test_it_lets_staff_enter_a_returned_paper_form(cast, client_for):
    s, _, _ = answered(cast)
    assert (
        post(client_for(cast.deputy_user), url(s, "evaluation"), {**RATED, "deputy": cast.deputy.code}).status_code
        == 403
    )
    stranger = post(client_for(cast.staff), url(s, "evaluation"), {**RATED, "deputy": cast.deputy2.code})
    assert stranger.status_code == 422 and stranger.json()["field"] == "deputy"  # not a signing deputy
    response = post(client_for(cast.staff), url(s, "evaluation"), {**RATED, "deputy": cast.deputy.code})
    assert response.status_code == 200 and response.json()["state"] == S.EVALUATED
    assert s.evaluations.get().source == "paper"


def test_it_closes_an_evaluated_suggestion(cast, client_for, dongzhi):
    s, _, _ = answered(cast)
    services.evaluate_answer(suggestion=s, actor=cast.deputy_user, process="satisfied", result="satisfied")
    assert post(client_for(cast.deputy_user), url(s, "close"), {}).status_code == 403
    assert post(client_for(cast.staff), url(submitted(cast), "close"), {}).status_code == 409
    assert_out_of_scope(client_for, cast, s, dongzhi, "close", {})
    response = post(client_for(cast.staff), url(s, "close"), {"note": "办结"})
    assert response.status_code == 200 and response.json()["state"] == S.CLOSED
    s.refresh_from_db()
    assert s.is_published  # publishing is no step of its own: closed, publishable, not confidential


# --- 督 supervision --------------------------------------------------------------------------------------------


def test_it_records_a_supervision_note(cast, client_for, dongzhi):
    s, _, _ = assigned(cast)
    assert post(client_for(cast.deputy_user), url(s, "supervision-notes"), {"text": "请加快"}).status_code == 403
    assert post(client_for(cast.unit_user), url(s, "supervision-notes"), {"text": "请加快"}).status_code == 403
    assert post(client_for(cast.leader), url(submitted(cast), "supervision-notes"), {"text": "早"}).status_code == 409
    assert_out_of_scope(client_for, cast, s, dongzhi, "supervision-notes", {"text": "请加快"})
    response = post(client_for(cast.leader), url(s, "supervision-notes"), {"text": "请月底前报告进展"})
    assert response.status_code == 201 and SupervisionNote.objects.get().created_by == cast.leader


def test_it_sets_and_lifts_key_supervision(cast, client_for, dongzhi):
    s, _, _ = assigned(cast)
    body = {"key": True, "leader": cast.leader.username, "note": "群众关注"}
    assert post(client_for(cast.deputy_user), url(s, "key-supervision"), body).status_code == 403
    missing = post(client_for(cast.staff), url(s, "key-supervision"), {"key": True})
    assert missing.status_code == 422  # the service: a leader is needed
    other = post(client_for(cast.staff), url(s, "key-supervision"), {**body, "leader": cast.outsider.username})
    assert other.status_code == 422 and other.json()["field"] == "leader"
    assert post(client_for(cast.staff), url(submitted(cast), "key-supervision"), body).status_code == 409
    assert_out_of_scope(client_for, cast, s, dongzhi, "key-supervision", body)
    assert post(client_for(cast.staff), url(s, "key-supervision"), body).status_code == 200
    s.refresh_from_db()
    assert s.key_supervised and s.supervising_leader == cast.leader
    assert post(client_for(cast.leader), url(s, "key-supervision"), {"key": False}).status_code == 200
    s.refresh_from_db()
    assert not s.key_supervised and s.supervising_leader is None


# --- the list's cursor, integration keys ----------------------------------------------------------------------


def test_it_walks_the_suggestions_by_cursor_newest_first(cast, client_for):
    made = [submitted(cast, title=f"建议{i}") for i in range(5)]
    Suggestion.objects.filter(pk__in=[s.pk for s in made[:2]]).update(created_at=made[0].created_at)  # a tie
    client, seen, cursor = client_for(cast.staff), [], ""
    while True:
        page = client.get("/api/v1/suggestions", {"page_size": 2, **({"cursor": cursor} if cursor else {})}).json()
        seen += [s["code"] for s in page["items"]]
        if not page["next"]:
            break
        cursor = page["next"]
    assert seen == list(Suggestion.objects.order_by("-created_at", "-id").values_list("code", flat=True))
    assert client.get("/api/v1/suggestions?cursor=forged").status_code == 422
    assert client.get("/api/v1/suggestions?page_size=100000").status_code == 422


def test_it_lets_an_integration_key_write_only_with_suggestions_write(cast, client):
    sent = submitted(cast)
    _, read_only = create_integration_key(
        name="只读", region=cast.shitai, endpoints=["suggestions:read"], actor=cast.admin
    )
    _, writer = create_integration_key(
        name="读写", region=cast.shitai, endpoints=["suggestions:read", "suggestions:write"], actor=cast.admin
    )

    def accept(token):
        headers = {"Idempotency-Key": uuid.uuid4().hex, "Authorization": f"Bearer {token}"}
        return client.post(url(sent, "accept"), "{}", content_type="application/json", headers=headers)

    assert accept(read_only).status_code == 403 and state(sent) == S.SUBMITTED
    assert accept(writer).status_code == 200 and state(sent) == S.ACCEPTED  # the key is the region's staff
