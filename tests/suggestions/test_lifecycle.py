"""The rules that used to live in views and forms hold when a service is called directly (as the API,
commands and the demo do), and the lifecycle tables agree with what the pages offer."""

import datetime as dt

import pytest

from liaison.events.audit import verify_audit
from liaison.events.models import Event
from liaison.lib.errors import DomainError, NotAllowed
from liaison.lib.masking import redact
from liaison.suggestions import services
from liaison.suggestions.lifecycles import assignment as assignment_lifecycle
from liaison.suggestions.lifecycles import suggestion as suggestion_lifecycle
from liaison.suggestions.models import Assignment, CoSigner, State, Suggestion
from liaison.suggestions.selectors import suggestion_timeline

from .helpers import accepted, assigned, draft, submitted

pytestmark = pytest.mark.django_db


def test_it_lists_only_steps_the_tables_allow():
    for action, (sources, _) in suggestion_lifecycle.ACTIONS.items():
        assert set(sources) <= set(suggestion_lifecycle.TRANSITIONS), action
    for action, (sources, _) in assignment_lifecycle.ACTIONS.items():
        assert set(sources) <= set(assignment_lifecycle.TRANSITIONS), action


def test_it_refuses_a_split_with_a_single_unit(cast):
    s = accepted(cast)
    with pytest.raises(DomainError, match="分办至少选择两个单位"):
        services.assign_suggestion(suggestion=s, actor=cast.staff, split=[(cast.unit, "全部")])
    s.refresh_from_db()
    assert s.state == State.ACCEPTED and not s.assignments.exists()
    rows = services.assign_suggestion(
        suggestion=s, actor=cast.staff, split=[(cast.unit, "桥梁"), (cast.unit_b, "道路")]
    )
    assert [a.role for a in rows] == [Assignment.Role.SPLIT, Assignment.Role.SPLIT]


def test_it_never_makes_the_lead_unit_its_own_co_handler(cast):
    s = accepted(cast)
    rows = services.assign_suggestion(suggestion=s, actor=cast.staff, lead=cast.unit, co=[cast.unit, cast.unit_b])
    assert [(a.unit, a.role) for a in rows] == [(cast.unit, "lead"), (cast.unit_b, "co")]


def test_it_invites_only_deputies_of_the_lead_deputys_stations(cast):
    s = draft(cast)
    deadline = dt.date.today() + dt.timedelta(days=5)
    with pytest.raises(DomainError, match="张伟"):
        services.invite_cosigners(suggestion=s, actor=cast.deputy_user, deputies=[cast.other_deputy], deadline=deadline)
    assert not CoSigner.objects.exists()
    services.invite_cosigners(suggestion=s, actor=cast.deputy_user, deputies=[cast.deputy2], deadline=deadline)
    assert list(s.cosigners.values_list("deputy__name", flat=True)) == ["李秀英"]


def test_it_lets_only_the_lead_deputy_submit_and_only_staff_accept(cast):
    s = draft(cast)
    with pytest.raises(NotAllowed):
        services.submit_suggestion(suggestion=s, actor=cast.deputy2_user)
    services.submit_suggestion(suggestion=s, actor=cast.deputy_user)
    for user in (cast.deputy_user, cast.head, cast.unit_user, cast.outsider):
        with pytest.raises(NotAllowed):
            services.accept_suggestion(suggestion=s, actor=user)
    assert Suggestion.objects.get(pk=s.pk).state == State.SUBMITTED


def test_it_expires_unconfirmed_co_signers_with_one_event_each(cast):
    s = draft(cast)
    deadline = dt.date.today() + dt.timedelta(days=5)
    services.invite_cosigners(suggestion=s, actor=cast.deputy_user, deputies=[cast.deputy2], deadline=deadline)
    services.submit_suggestion(suggestion=s, actor=cast.deputy_user)
    assert s.cosigners.get().state == CoSigner.State.EXPIRED
    expired = Event.objects.filter(subject_id=s.code, action="cosign_expired")
    assert [(e.from_state, e.to_state) for e in expired] == [("invited", "expired")]
    assert "李秀英" in expired.get().note
    assert verify_audit().ok


def test_it_offers_each_role_its_own_steps(cast):
    s = submitted(cast)
    assert suggestion_lifecycle.allowed_actions(cast.staff, s) == {"accept", "merge", "reject"}
    assert suggestion_lifecycle.allowed_actions(cast.deputy_user, s) == {"withdraw"}
    assert suggestion_lifecycle.allowed_actions(cast.unit_user, s) == set()
    s2, lead, co = assigned(cast, title="另一条")
    assert assignment_lifecycle.allowed_actions(cast.unit_user, lead) == {"sign", "return"}
    assert assignment_lifecycle.allowed_actions(cast.unit_b_user, lead) == set()
    assert assignment_lifecycle.allowed_actions(cast.staff, lead) == {"remind"}
    services.sign_assignment(assignment=co[0], actor=cast.unit_b_user)
    co[0].refresh_from_db()
    assert "cohandler_opinion" in assignment_lifecycle.allowed_actions(cast.unit_b_user, co[0])
    assert "answer" not in assignment_lifecycle.allowed_actions(cast.unit_b_user, co[0])


def test_it_hides_drafting_steps_and_confidential_deputies_from_units(cast):
    s, lead, _ = assigned(cast, confidential=True)
    staff_actions = [e.action for e in suggestion_timeline(cast.staff, s)]
    unit_events = suggestion_timeline(cast.unit_user, s)
    assert "created" in staff_actions and "created" not in [e.action for e in unit_events]
    submitted_event = next(e for e in suggestion_timeline(cast.staff, s) if e.action == "submitted")
    assert submitted_event.actor_label != "代表"
    assert all(e.actor_label != str(cast.deputy_user) for e in unit_events)


@pytest.mark.parametrize(
    "state,publishable,confidential", [(st, p, c) for st in State.values for p in (True, False) for c in (True, False)]
)
def test_it_publishes_by_one_rule(cast, state, publishable, confidential):
    s = draft(cast)
    Suggestion.objects.filter(pk=s.pk).update(state=state, publishable=publishable, confidential=confidential)
    s.refresh_from_db()
    assert Suggestion.objects.filter(Suggestion.published_q(), pk=s.pk).exists() == s.is_published
    assert s.is_published == (state == State.CLOSED and publishable and not confidential)


def test_it_redacts_phones_and_identity_numbers_in_public_text():
    text = redact("联系13912345678，身份证34172219800101123X，门牌12号")
    assert "13912345678" not in text and "139****5678" in text
    assert "34172219800101123X" not in text and "门牌12号" in text
