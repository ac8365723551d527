"""Each lifecycle answer asked directly: who may take which step, what a refused user reads, who may be invited
and who signs. These are the rules the pages and the services both ask."""

import datetime as dt

import pytest

from liaison.lib.errors import NotAllowed
from liaison.org.models import Deputy, Stationing
from liaison.suggestions import services
from liaison.suggestions.lifecycles import assignment as assignment_lifecycle
from liaison.suggestions.lifecycles import commitment as commitment_lifecycle
from liaison.suggestions.lifecycles import cosignature
from liaison.suggestions.lifecycles import evaluation as evaluation_lifecycle
from liaison.suggestions.lifecycles import extension as extension_lifecycle
from liaison.suggestions.lifecycles import suggestion as suggestion_lifecycle
from liaison.suggestions.models import Assignment, Commitment, CoSigner, ExtensionRequest, State, Suggestion

from .helpers import answered, assigned, draft, signed, submitted

pytestmark = pytest.mark.django_db
SOON = dt.date.today() + dt.timedelta(days=5)


def _third_deputy(cast, *, active=True):
    d = Deputy.objects.create(code="D0000077", name="钱同站", phone="13900007777", home_region=cast.yuanxi)
    d.is_active = active
    d.save(update_fields=["is_active"])
    Stationing.objects.create(deputy=d, station=cast.station)
    return d


def test_it_offers_co_station_deputies_for_co_signing_but_not_the_lead_or_inactive_ones(cast):
    inactive = _third_deputy(cast, active=False)
    s = draft(cast)
    names = list(cosignature.invitable_deputies(s).values_list("name", flat=True))
    assert names == ["李秀英"]
    assert cast.deputy.name not in names and inactive.name not in names and cast.other_deputy.name not in names


def test_it_counts_the_lead_and_confirmed_co_signers_as_signing(cast):
    s = draft(cast)
    third = _third_deputy(cast)
    services.invite_cosigners(suggestion=s, actor=cast.deputy_user, deputies=[cast.deputy2, third], deadline=SOON)
    assert cosignature.signing_deputy_ids(s) == [cast.deputy.pk]
    services.respond_cosign(suggestion=s, actor=cast.deputy2_user, accept=True)
    other = draft(cast, title="另一条建议")
    CoSigner.objects.create(suggestion=other, deputy=third, state=CoSigner.State.CONFIRMED)
    assert cosignature.signing_deputy_ids(s) == [cast.deputy.pk, cast.deputy2.pk]


@pytest.mark.parametrize(
    "user,action,allowed",
    [
        ("staff", "accept", True),
        ("admin", "accept", True),
        ("leader", "accept", False),
        ("outsider", "accept", False),
        ("deputy_user", "accept", False),
        ("deputy_user", "withdraw", True),
        ("deputy2_user", "withdraw", False),
        ("leader", "supervision_note", True),
        ("staff", "supervision_note", True),
        ("unit_user", "supervision_note", False),
        ("outsider", "supervision_note", False),
    ],
)
def test_it_answers_who_may_act_on_a_suggestion(cast, user, action, allowed):
    s = submitted(cast)
    assert suggestion_lifecycle.may(getattr(cast, user), action, s) is allowed


@pytest.mark.parametrize(
    "user,action,allowed",
    [
        ("unit_user", "sign", True),
        ("unit_b_user", "sign", False),
        ("staff", "sign", False),
        ("staff", "reassign", True),
        ("leader", "reassign", False),
        ("unit_user", "reassign", False),
        ("leader", "remind", True),
        ("unit_user", "remind", False),
    ],
)
def test_it_answers_who_may_act_on_an_assignment(cast, user, action, allowed):
    _, lead, _ = assigned(cast)
    assert assignment_lifecycle.may(getattr(cast, user), action, lead) is allowed


def test_it_says_who_may_when_it_refuses(cast):
    s, lead, _ = assigned(cast)
    with pytest.raises(NotAllowed, match="只有受理该建议的人大机关工作人员"):
        suggestion_lifecycle.require(cast.leader, "close", s)
    with pytest.raises(NotAllowed, match="只有领衔代表"):
        suggestion_lifecycle.require(cast.staff, "submit", s)
    with pytest.raises(NotAllowed, match="督办"):
        suggestion_lifecycle.require(cast.unit_user, "supervision_note", s)
    with pytest.raises(NotAllowed, match="只有承办单位"):
        assignment_lifecycle.require(cast.staff, "sign", lead)
    with pytest.raises(NotAllowed, match="催办"):
        assignment_lifecycle.require(cast.unit_user, "remind", lead)
    with pytest.raises(NotAllowed, match="只有代表本人可以起草建议"):
        suggestion_lifecycle.require_own_draft(cast.staff, cast.deputy)
    suggestion_lifecycle.require_own_draft(cast.admin, cast.deputy)  # an administrator may enter one


def test_it_lets_only_the_invited_deputy_answer_an_invitation(cast):
    s = draft(cast)
    services.invite_cosigners(suggestion=s, actor=cast.deputy_user, deputies=[cast.deputy2], deadline=SOON)
    invitation = s.cosigners.get()
    assert cosignature.require_invited(cast.deputy2_user, invitation) == invitation
    for user, cosigner in ((cast.deputy_user, invitation), (cast.deputy2_user, None), (cast.staff, invitation)):
        with pytest.raises(NotAllowed, match="您没有收到该建议的附议邀请"):
            cosignature.require_invited(user, cosigner)


def test_it_lets_only_signing_deputies_evaluate_an_answered_suggestion(cast):
    s, _, _ = answered(cast)
    assert evaluation_lifecycle.require_signing_deputy(cast.deputy_user, s) == cast.deputy.pk
    assert evaluation_lifecycle.may_evaluate(cast.deputy_user, s)
    for user in (cast.deputy2_user, cast.staff, cast.unit_user):
        assert not evaluation_lifecycle.may_evaluate(user, s)
        with pytest.raises(NotAllowed, match="只有领衔代表和附议代表可以测评"):
            evaluation_lifecycle.require_signing_deputy(user, s)
    Suggestion.objects.filter(pk=s.pk).update(state=State.CLOSED)
    s.refresh_from_db()
    assert not evaluation_lifecycle.may_evaluate(cast.deputy_user, s)


def test_it_leaves_extension_decisions_to_staff_and_commitments_to_their_unit(cast):
    s, lead, _ = signed(cast)
    request = services.request_extension(assignment=lead, actor=cast.unit_user, months=1, reason="资金未到位")
    request = ExtensionRequest.objects.select_related("assignment__suggestion__body__region").get(pk=request.pk)
    extension_lifecycle.require_decider(cast.staff, request)
    for user in (cast.leader, cast.unit_user):
        with pytest.raises(NotAllowed, match="审批延期"):
            extension_lifecycle.require_decider(user, request)
    s2, _, _ = answered(cast, answer_class="B", title="承诺件")
    commitment = Commitment.objects.select_related("answer__assignment").get(suggestion=s2)
    commitment_lifecycle.require_unit(cast.unit_user, commitment)
    for user in (cast.unit_b_user, cast.staff):
        with pytest.raises(NotAllowed, match="作出承诺的承办单位"):
            commitment_lifecycle.require_unit(user, commitment)


def test_it_offers_a_co_handler_no_answer_and_a_closed_assignment_an_answer_only_in_follow_up(cast):
    s, lead, co = signed(cast)
    services.sign_assignment(assignment=co[0], actor=cast.unit_b_user)
    co_row = Assignment.objects.select_related("suggestion").get(pk=co[0].pk)
    assert assignment_lifecycle.allowed_actions(cast.unit_b_user, co_row) == {
        "return",
        "consult",
        "progress",
        "cohandler_opinion",
    }
    lead_row = Assignment.objects.select_related("suggestion").get(pk=lead.pk)
    assert assignment_lifecycle.allowed_actions(cast.unit_user, lead_row) == {
        "return",
        "consult",
        "progress",
        "request_extension",
        "answer",
    }
    Assignment.objects.filter(pk=lead.pk).update(state=Assignment.State.CLOSED)
    Suggestion.objects.filter(pk=s.pk).update(state=State.CLOSED)
    lead_row = Assignment.objects.select_related("suggestion").get(pk=lead.pk)
    # Closed: only the sealed scan of the 答复函 may still arrive.
    assert assignment_lifecycle.allowed_actions(cast.unit_user, lead_row) == {"reply_scan"}
    Suggestion.objects.filter(pk=s.pk).update(state=State.FOLLOW_UP)
    lead_row = Assignment.objects.select_related("suggestion").get(pk=lead.pk)
    assert assignment_lifecycle.allowed_actions(cast.unit_user, lead_row) == {"answer", "reply_scan"}
