import datetime as dt

import pytest
import time_machine

from liaison.events.models import Event
from liaison.lib.errors import DomainError, NotAllowed, TransitionError
from liaison.suggestions import services
from liaison.suggestions.models import Assignment, CoSigner, Evaluation, Suggestion

from .helpers import accepted, answered, assigned, draft, opinions_for_drafting, signed, submitted

pytestmark = pytest.mark.django_db


def reload(obj):
    obj.refresh_from_db()
    return obj


def test_it_walks_the_whole_loop_from_two_opinions_to_closed(cast):
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC), tick=False):
        opinions = opinions_for_drafting(cast, 2)
        # 提: the deputy drafts from the two opinions and invites deputy2 to co-sign.
        s = draft(cast, opinions=opinions)
        assert s.body == cast.county_body and s.state == "draft"
        assert {o.code for o in opinions} == set(s.sources.values_list("opinion__code", flat=True))
        assert all(reload(o).state == "in_suggestion" for o in opinions)
        services.invite_cosigners(
            suggestion=s, actor=cast.deputy_user, deputies=[cast.deputy2], deadline=dt.date(2026, 3, 6)
        )
        services.respond_cosign(suggestion=reload(s), actor=cast.deputy2_user, accept=True)
        services.submit_suggestion(suggestion=reload(s), actor=cast.deputy_user)
        # 交: staff accept with a case number, assign lead + co-handler.
        services.accept_suggestion(suggestion=reload(s), actor=cast.staff)
        assert reload(s).case_number == "石台县〔2026〕第1号"
        lead, co = services.assign_suggestion(suggestion=s, actor=cast.staff, lead=cast.unit_b, co=[cast.unit])
        # 3 months from 2026-03-02 → 2026-06-02 (a Tuesday, a working day)
        assert lead.due_date == dt.date(2026, 6, 2)
    with time_machine.travel(dt.datetime(2026, 3, 4, 9, tzinfo=dt.UTC), tick=False):
        # The lead unit (交通局) says it is not theirs: returns it; staff reassign to 住建局 two working days later.
        services.return_assignment(assignment=lead, actor=cast.unit_b_user, reason="石桥属住建部门管理")
        assert reload(s).state == "returned"
    with time_machine.travel(dt.datetime(2026, 3, 6, 9, tzinfo=dt.UTC), tick=False):
        # 住建局 was the co-handler: it returns that role, becomes the lead, and the village committee co-handles.
        services.return_assignment(assignment=co, actor=cast.unit_user, reason="应由我局主办")
        new_lead = services.reassign_assignment(assignment=reload(lead), actor=cast.staff, unit=cast.unit)
        assert new_lead.paused_days == 2  # the clock stood still on Mar 5 and Mar 6
        assert new_lead.due_date == dt.date(2026, 6, 4)
        assert reload(s).state == "assigned"
        new_co = services.reassign_assignment(assignment=reload(co), actor=cast.staff, unit=cast.village_unit)
        assert new_co.role == "co"
        # 办: sign, consult, progress, co-handler opinion, extension.
        services.sign_assignment(assignment=new_lead, actor=cast.unit_user)
    village_user = _unit_user(cast.village_unit, "vc")
    with time_machine.travel(dt.datetime(2026, 3, 10, 9, tzinfo=dt.UTC), tick=False):
        services.sign_assignment(assignment=reload(new_co), actor=village_user)
        services.record_consultation(
            assignment=reload(new_lead),
            actor=cast.unit_user,
            kind="visit",
            held_on=dt.date(2026, 3, 9),
            notes="实地查看",
        )
        services.post_progress(assignment=reload(new_lead), actor=cast.unit_user, text="已完成设计")
        services.send_cohandler_opinion(assignment=reload(new_co), actor=village_user, text="村里配合施工")
        ext = services.request_extension(
            assignment=reload(new_lead), actor=cast.unit_user, months=2, reason="需列入年度预算"
        )
        services.decide_extension(request=ext, actor=cast.staff, approve=True)
        assert reload(new_lead).due_date == dt.date(2026, 8, 4)
        # B answer with a commitment.
        services.answer_assignment(
            assignment=reload(new_lead),
            actor=cast.unit_user,
            answer_class="B",
            text="已列入计划，年内完成",
            signer="李局长",
            commitments=[(dt.date(2026, 9, 30), "完成石桥加固")],
        )
        assert reload(s).state == "answered"
        # 评: the lead deputy is unsatisfied, the co-signer basically satisfied → re-handling (once).
        services.evaluate_answer(suggestion=reload(s), actor=cast.deputy_user, process="basic", result="unsatisfied")
        assert reload(s).state == "answered"
        services.evaluate_answer(suggestion=reload(s), actor=cast.deputy2_user, process="satisfied", result="basic")
        assert reload(s).state == "rehandling" and reload(s).round == 2
        assert reload(new_lead).state == "rehandling"
        assert reload(new_lead).due_date == dt.date(2026, 4, 10)  # rehandle_months = 1
    with time_machine.travel(dt.datetime(2026, 4, 1, 9, tzinfo=dt.UTC), tick=False):
        services.answer_assignment(
            assignment=reload(new_lead), actor=cast.unit_user, answer_class="A", text="石桥已加固完毕", signer="李局长"
        )
        services.evaluate_answer(suggestion=reload(s), actor=cast.deputy_user, process="satisfied", result="satisfied")
        services.evaluate_answer(suggestion=reload(s), actor=cast.deputy2_user, process="satisfied", result="satisfied")
        assert reload(s).state == "evaluated"
        services.close_suggestion(suggestion=reload(s), actor=cast.staff)
    s = reload(s)
    assert s.state == "closed" and s.is_published
    for opinion in opinions:
        opinion = reload(opinion)
        assert opinion.state == "outcome_recorded" and "石桥已加固完毕" in opinion.outcome
    actions = list(Event.objects.filter(subject_type="suggestion", subject_id=s.code).values_list("action", flat=True))
    for step in [
        "created",
        "cosign_confirmed",
        "submitted",
        "accepted",
        "assigned",
        "returned",
        "reassigned",
        "signed",
        "consulted",
        "cohandler_opinion",
        "extension_approved",
        "answered",
        "rehandling",
        "evaluated",
        "closed",
    ]:
        assert step in actions, step
    assert Evaluation.objects.filter(suggestion=s).count() == 4


def _unit_user(unit, username):
    from liaison.org.models import Membership, Role, User

    user = User.objects.create_user(username=username, password="x-pass-12345")
    Membership.objects.create(user=user, role=Role.UNIT, unit=unit)
    return user


def test_it_numbers_cases_per_body_and_year(cast):
    a, b = accepted(cast), accepted(cast, title="关于增设路灯的建议")
    year = dt.date.today().year
    assert (reload(a).case_number, reload(b).case_number) == (f"石台县〔{year}〕第1号", f"石台县〔{year}〕第2号")


def test_it_routes_township_deputies_to_the_township_presidium(cast):
    s = draft(cast, deputy=cast.deputy2, user=cast.deputy2_user)
    assert s.body == cast.township_body


def test_it_refuses_drafts_for_someone_else(cast):
    with pytest.raises(NotAllowed):
        draft(cast, deputy=cast.deputy2, user=cast.deputy_user)


def test_it_refuses_opinions_not_decided_for_this_deputy(cast):
    opinions = opinions_for_drafting(cast, 1, deputy=cast.deputy2)
    with pytest.raises(DomainError):
        draft(cast, opinions=opinions)
    assert not Suggestion.objects.exists()


def test_it_lets_two_staff_race_and_exactly_one_assign(cast):
    s = accepted(cast)
    first, second = Suggestion.objects.get(pk=s.pk), Suggestion.objects.get(pk=s.pk)
    services.assign_suggestion(suggestion=first, actor=cast.staff, lead=cast.unit)
    with pytest.raises(TransitionError):
        services.assign_suggestion(suggestion=second, actor=cast.staff, lead=cast.unit_b)
    assert list(Assignment.objects.values_list("unit", flat=True)) == [cast.unit.pk]


def test_it_refuses_to_assign_a_rejected_suggestion_and_changes_nothing(cast):
    s = submitted(cast)
    services.reject_suggestion(suggestion=s, actor=cast.staff, reason="不属于本级职权范围")
    before = Event.objects.count()
    with pytest.raises(TransitionError):
        services.assign_suggestion(suggestion=reload(s), actor=cast.staff, lead=cast.unit)
    assert reload(s).state == "rejected" and not Assignment.objects.exists() and Event.objects.count() == before


def test_it_refuses_answering_a_returned_assignment(cast):
    s, lead, _ = signed(cast)
    services.return_assignment(assignment=lead, actor=cast.unit_user, reason="不属于我局职责")
    with pytest.raises(TransitionError):
        services.answer_assignment(
            assignment=reload(lead), actor=cast.unit_user, answer_class="A", text="x", signer="y"
        )
    assert not reload(lead).answers.exists() and reload(s).state == "returned"


def test_it_refuses_answering_before_signing(cast):
    s, lead, _ = assigned(cast)
    with pytest.raises(TransitionError):
        services.answer_assignment(assignment=lead, actor=cast.unit_user, answer_class="A", text="x", signer="y")


def test_it_refuses_evaluating_twice(cast):
    s, _lead, _ = answered(cast)
    CoSigner.objects.create(suggestion=s, deputy=cast.deputy2, state="confirmed")
    services.evaluate_answer(suggestion=s, actor=cast.deputy_user, process="satisfied", result="satisfied")
    with pytest.raises(TransitionError):
        services.evaluate_answer(
            suggestion=reload(s), actor=cast.deputy_user, process="satisfied", result="unsatisfied"
        )
    assert Evaluation.objects.filter(suggestion=s).count() == 1


def test_it_rehandles_only_once_per_rule(cast):
    s, lead, _ = answered(cast)
    services.evaluate_answer(suggestion=s, actor=cast.deputy_user, process="basic", result="unsatisfied")
    assert reload(s).state == "rehandling"
    services.answer_assignment(
        assignment=reload(lead),
        actor=cast.unit_user,
        answer_class="C",
        text="条件不具备",
        signer="李局长",
        commitments=[(dt.date.today() + dt.timedelta(days=400), "纳入明年计划")],
    )
    services.evaluate_answer(suggestion=reload(s), actor=cast.deputy_user, process="basic", result="unsatisfied")
    assert reload(s).state == "evaluated"


def test_it_requires_commitments_for_b_and_c_answers(cast):
    s, lead, _ = signed(cast)
    with pytest.raises(DomainError):
        services.answer_assignment(
            assignment=lead, actor=cast.unit_user, answer_class="B", text="计划中", signer="李局长"
        )
    with pytest.raises(DomainError):
        services.answer_assignment(
            assignment=reload(lead), actor=cast.unit_user, answer_class="E", text="x", signer="y"
        )


def test_it_honours_configurable_answer_classes(cast):
    cast.county_body.answer_classes = "ABC"
    cast.county_body.save()
    s, lead, _ = signed(cast)
    with pytest.raises(DomainError):
        services.answer_assignment(assignment=lead, actor=cast.unit_user, answer_class="D", text="参考", signer="y")


def test_it_caps_extensions_at_the_body_maximum(cast):
    s, lead, _ = signed(cast)
    with pytest.raises(DomainError):
        services.request_extension(assignment=lead, actor=cast.unit_user, months=4, reason="工程量大")
    ext = services.request_extension(assignment=lead, actor=cast.unit_user, months=3, reason="工程量大")
    services.decide_extension(request=ext, actor=cast.staff, approve=True)
    with pytest.raises(DomainError):
        services.request_extension(assignment=reload(lead), actor=cast.unit_user, months=1, reason="再延")


def test_it_refuses_returns_after_the_return_window(cast):
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC), tick=False):
        s, lead, _ = assigned(cast)
    with time_machine.travel(dt.datetime(2026, 3, 12, 9, tzinfo=dt.UTC), tick=False):  # 8 working days later
        with pytest.raises(DomainError):
            services.return_assignment(assignment=lead, actor=cast.unit_user, reason="不是我们的")
    assert reload(lead).state == "assigned"


def test_it_keeps_other_units_and_roles_out(cast):
    s, lead, _ = assigned(cast)
    with pytest.raises(NotAllowed):
        services.sign_assignment(assignment=lead, actor=cast.unit_b_user)
    with pytest.raises(NotAllowed):
        services.accept_suggestion(suggestion=draft(cast, title="另一条"), actor=cast.outsider)
    with pytest.raises(NotAllowed):
        services.reject_suggestion(suggestion=submitted(cast, title="第三条"), actor=cast.deputy_user, reason="x")


def test_it_merges_into_an_accepted_suggestion_and_moves_the_sources(cast):
    target = accepted(cast)
    opinions = opinions_for_drafting(cast, 1)
    s = submitted(cast, title="同一座桥", opinions=opinions)
    services.merge_suggestion(suggestion=s, actor=cast.staff, into=target, reason="同一事项")
    assert reload(s).state == "merged" and reload(s).merged_into == target
    assert target.sources.filter(opinion=opinions[0]).exists()


def test_it_withdraws_a_draft_and_refuses_later_withdrawal(cast):
    s = draft(cast)
    services.withdraw_suggestion(suggestion=s, actor=cast.deputy_user)
    assert reload(s).state == "withdrawn"
    s2 = accepted(cast, title="另一条")
    with pytest.raises(TransitionError):
        services.withdraw_suggestion(suggestion=s2, actor=cast.deputy_user)


def test_it_keeps_cosign_deadlines(cast):
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC), tick=False):
        s = draft(cast)
        services.invite_cosigners(
            suggestion=s, actor=cast.deputy_user, deputies=[cast.deputy2], deadline=dt.date(2026, 3, 3)
        )
    with time_machine.travel(dt.datetime(2026, 3, 5, 9, tzinfo=dt.UTC), tick=False):
        with pytest.raises(DomainError):
            services.respond_cosign(suggestion=reload(s), actor=cast.deputy2_user, accept=True)
        services.submit_suggestion(suggestion=reload(s), actor=cast.deputy_user)
    assert s.cosigners.get().state == "expired"


def test_it_closes_only_after_evaluation_or_the_receipt_window(cast):
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC), tick=False):
        s, _lead, _ = answered(cast)
        with pytest.raises(DomainError):
            services.close_suggestion(suggestion=s, actor=cast.staff)
    with time_machine.travel(dt.datetime(2026, 4, 10, 9, tzinfo=dt.UTC), tick=False):
        services.close_suggestion(suggestion=reload(s), actor=cast.staff)
    assert reload(s).state == "closed"


def test_it_records_key_supervision_notes_and_reminders(cast):
    s, lead, _ = assigned(cast)
    services.set_key_supervision(suggestion=s, actor=cast.leader, key=True, leader=cast.leader, note="群众关注")
    services.add_supervision_note(suggestion=s, actor=cast.leader, text="请月底前报告进展")
    services.remind_unit(assignment=lead, actor=cast.staff, note="请尽快签收")
    assert reload(s).key_supervised and reload(s).supervising_leader == cast.leader
    assert cast.unit_user.notifications.filter(subject__contains="催办").exists()
    with pytest.raises(NotAllowed):
        services.add_supervision_note(suggestion=s, actor=cast.unit_user, text="x")
