"""The rules of liaison/suggestions/selectors.py, mostly called directly with the shared cast: who reaches which
suggestion and assignment (and who may change it), whose identity a unit sees, how the 全过程记录 words each step,
what a resident is told of the suggestion their opinion fed, the monthly report-back, and which units and leaders
the forms offer."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from liaison.opinions import services as opinion_services
from liaison.org.models import Deputy, HandlingUnit, Level, Mandate, Membership, Role, Stationing, User
from liaison.suggestions import selectors, services
from tests.cast import PASSWORD
from tests.opinions.helpers import make_opinion

from .helpers import answered, assigned, draft, opinions_for_drafting, submitted

pytestmark = pytest.mark.django_db

ZJJ, JTJ, VC = "石台县住房和城乡建设局", "石台县交通运输局", "缘溪村村委会"
BODY = "石台县人大常委会"
CLASS_A, CLASS_B, CLASS_C = "A类（已解决或基本解决）", "B类（正在解决或列入计划解决）", "C类（因条件限制待以后解决）"


def fresh(user):
    """The user re-read, so scope_of (cached on the object) sees memberships added in the test."""
    return User.objects.get(pk=user.pk)


def grant(user, role, **where):
    Membership.objects.create(user=user, role=role, **where)
    return fresh(user)


def codes(qs):
    return {s.code for s in qs}


def at(y, m, d, hour=9):
    return time_machine.travel(dt.datetime(y, m, d, hour, tzinfo=dt.UTC), tick=False)


def steps(opinion):
    """What the opinion's status page lists of the suggestions it fed: (title, detail, unit), oldest first."""
    rows = selectors.resident_steps_for(opinion)
    assert [r[0] for r in rows] == sorted(r[0] for r in rows)
    return [(title, detail, unit) for _at, title, detail, unit in rows]


def commitment_day(days=60):
    return [(dt.date.today() + dt.timedelta(days=days), "完成石桥加固")]


def answer(assignment, user, answer_class="A", text="已安排维修。"):
    commitments = commitment_day() if answer_class in "BC" else []
    return services.answer_assignment(
        assignment=assignment,
        actor=user,
        answer_class=answer_class,
        text=text,
        signer="李局长",
        commitments=commitments,
    )


# --- who reaches which suggestion -------------------------------------------------------------------------


def test_it_shows_the_receiving_bodys_staff_a_suggestion_filed_from_a_station_in_another_county(cast):
    # 王建国 (a 石台县 deputy) also serves 东至县's 沙山村 station, whose code sorts first: the suggestion is filed there.
    Stationing.objects.create(deputy=cast.deputy, station=cast.other_station)
    s = submitted(cast)
    assert s.station == cast.other_station and s.body == cast.county_body

    assert s.code in codes(selectors.suggestions_visible_to(fresh(cast.staff)))
    assert selectors.access_suggestion(fresh(cast.staff), s.code) == s


def test_it_shows_a_staff_member_who_is_also_an_officer_elsewhere_his_stations_suggestions(cast):
    s = submitted(cast)
    assert s.code not in codes(selectors.suggestions_visible_to(fresh(cast.outsider)))

    outsider = grant(cast.outsider, Role.LIAISON_OFFICER, station=cast.station)
    assert s.code in codes(selectors.suggestions_visible_to(outsider))


def test_it_shows_a_unit_member_who_is_also_an_officer_the_stations_suggestions_not_only_the_assigned_ones(cast):
    s_assigned, _lead, _co = assigned(cast, co=False, title="已交办住建局的建议")
    waiting = submitted(cast, title="尚未交办的建议")
    assert codes(selectors.suggestions_visible_to(fresh(cast.unit_user))) == {s_assigned.code}

    unit_user = grant(cast.unit_user, Role.LIAISON_OFFICER, station=cast.station)
    assert codes(selectors.suggestions_visible_to(unit_user)) == {s_assigned.code, waiting.code}


@pytest.mark.parametrize("extra", ["officer", "leader", "admin"])
def test_it_shows_the_deputy_of_a_confidential_suggestion_to_a_unit_member_with_another_role(cast, client_for, extra):
    assigned(cast, co=False, confidential=True)
    page = client_for(cast.unit_user).get("/suggestions/").content.decode()
    assert "（保密）" in page and "王建国" not in page  # a unit only: the deputy is hidden

    where = {
        "officer": {"role": Role.LIAISON_OFFICER, "station": cast.station},
        "leader": {"role": Role.LEADER, "region": cast.shitai},
        "admin": {"role": Role.ADMIN},
    }[extra]
    user = grant(cast.unit_user, **where)
    assert not selectors.is_unit_only(user)
    page = client_for(user).get("/suggestions/").content.decode()
    assert "王建国" in page and "（保密）" not in page


def test_it_still_lists_a_units_assignments_for_a_member_who_also_leads_another_county(cast, client_for):
    _s, lead, _co = assigned(cast, co=False)
    unit_user = grant(cast.unit_user, Role.LEADER, region=cast.dongzhi)

    assert lead.code in {a.code for a in selectors.assignments_visible_to(unit_user)}
    assert lead.code in client_for(unit_user).get("/units/inbox/").content.decode()
    assert client_for(unit_user).get(f"/units/assignments/{lead.code}/").status_code == 200


# --- who may change it; the refusals' words ---------------------------------------------------------------


def test_it_lets_only_the_lead_deputy_and_the_bodys_staff_change_a_suggestion(cast):
    s = submitted(cast)
    assert selectors.access_suggestion(fresh(cast.deputy_user), s.code, write=True) == s
    assert selectors.access_suggestion(fresh(cast.staff), s.code, write=True) == s

    # 李秀英 (the station's other deputy) and the 县 leader see it, and may only look.
    for user in (cast.deputy2_user, cast.leader):
        assert selectors.access_suggestion(fresh(user), s.code) == s
        with pytest.raises(PermissionDenied) as refused:
            selectors.access_suggestion(fresh(user), s.code, write=True)
        assert str(refused.value) == "您对该建议只有查看权限"


def test_it_tells_a_unit_why_another_units_suggestion_is_not_found(cast, client_for):
    s, _lead, _co = assigned(cast, co=False)
    response = client_for(cast.unit_b_user).get(f"/suggestions/{s.code}/")
    assert response.status_code == 404
    assert "<p>建议不存在或不在您的权限范围内</p>" in response.content.decode()


def test_it_tells_why_an_assignment_is_not_found_or_not_to_be_handled(cast, client_for):
    _s, lead, _co = assigned(cast, co=False)
    response = client_for(cast.outsider).get(f"/units/assignments/{lead.code}/")
    assert response.status_code == 404
    assert "<p>交办事项不存在或不在您的权限范围内</p>" in response.content.decode()

    # The county's staff see the assignment, but only the unit signs it.
    assert client_for(cast.staff).get(f"/units/assignments/{lead.code}/").status_code == 200
    response = client_for(cast.staff).post(f"/units/assignments/{lead.code}/sign/")
    assert response.status_code == 403
    assert "<p>只有承办单位可以办理该事项</p>" in response.content.decode()
    lead.refresh_from_db()
    assert lead.state == "assigned"


# --- the 全过程记录 ---------------------------------------------------------------------------------------


def test_it_words_every_state_change_of_a_co_signed_and_returned_suggestion(cast):
    s = draft(cast)
    services.invite_cosigners(
        suggestion=s, actor=cast.deputy_user, deputies=[cast.deputy2], deadline=dt.date.today() + dt.timedelta(days=5)
    )
    services.respond_cosign(suggestion=s, actor=cast.deputy2_user, accept=True)
    s.refresh_from_db()
    services.submit_suggestion(suggestion=s, actor=cast.deputy_user)
    services.accept_suggestion(suggestion=s, actor=cast.staff)
    lead, _co = services.assign_suggestion(suggestion=s, actor=cast.staff, lead=cast.unit, co=[cast.unit_b])
    services.return_assignment(assignment=lead, actor=cast.unit_user, reason="不属于本单位职责")

    # What the page shows: the change of each event that changed a state.
    events = selectors.suggestion_timeline(cast.staff, s)
    changes = [(e.action, e.change) for e in events if e.from_state != e.to_state]
    assert changes == [
        ("created", "— → 草稿"),
        ("cosign_opened", "草稿 → 征集附议"),
        ("cosign_confirmed", "附议：已邀请 → 已附议"),
        ("submitted", "征集附议 → 已提交待审查"),
        ("accepted", "已提交待审查 → 已立案待交办"),
        ("assigned", "已立案待交办 → 已交办"),
        ("returned", f"{ZJJ}（主办）：待签收 → 已退回"),
        ("suggestion_returned", "已交办 → 已退回待重新交办"),
    ]


def test_it_shows_a_unit_the_signing_deputies_of_a_confidential_suggestion_as_代表(cast):
    # 赵同站 signed up after the cast: his account's id is not his deputy record's.
    user = User.objects.create_user(username="zhao", password=PASSWORD)
    zhao = Deputy.objects.create(
        code="D0000009", name="赵同站", phone="13900009999", home_region=cast.yuanxi, user=user
    )
    Mandate.objects.create(deputy=zhao, level=Level.COUNTY, region=cast.shitai, term="第十八届")
    Stationing.objects.create(deputy=zhao, station=cast.station)
    assert user.pk != zhao.pk
    s, _lead, _co = assigned(cast, co=False, confidential=True, deputy=zhao, user=user)

    events = selectors.suggestion_timeline(fresh(cast.unit_user), s)
    assert [(e.action, e.actor_label) for e in events] == [
        ("submitted", "代表"),
        ("accepted", "staff"),
        ("assigned", "staff"),
    ]
    # Staff see who it was.
    assert selectors.suggestion_timeline(fresh(cast.staff), s)[1].actor_label == str(user)


# --- what the resident is told --------------------------------------------------------------------------------


def test_it_tells_the_resident_each_public_step_of_a_suggestion_answered_twice(cast):
    (opinion,) = opinions_for_drafting(cast, 1)
    s, lead, _co = answered(cast, answer_class="C", opinions=[opinion])
    services.evaluate_answer(suggestion=s, actor=cast.deputy_user, process="unsatisfied", result="unsatisfied")
    lead.refresh_from_db()
    answer(lead, cast.unit_user, "A", text="已完成加固。")
    s.refresh_from_db()
    services.evaluate_answer(suggestion=s, actor=cast.deputy_user, process="satisfied", result="satisfied")
    services.close_suggestion(suggestion=s, actor=cast.staff)
    s.refresh_from_db()

    assert steps(opinion) == [
        ("代表建议已提交", f"代表将建议《{s.title}》提交{BODY}", BODY),
        ("代表建议已立案", f"案号 {s.case_number}", BODY),
        ("已交办", "", f"{ZJJ}（协办：{JTJ}）"),
        ("承办单位已答复", f"答复类别：{CLASS_C}", ZJJ),
        ("重新办理", "代表对答复不满意，承办单位重新办理", ZJJ),
        ("承办单位已答复", f"答复类别：{CLASS_A}", ZJJ),
        ("代表已测评", "", ""),
        ("已办结", "", BODY),
    ]


def test_it_names_the_unit_a_returned_assignment_was_handed_on_to(cast):
    (opinion,) = opinions_for_drafting(cast, 1)
    s, lead, _co = assigned(cast, co=False, opinions=[opinion])
    services.return_assignment(assignment=lead, actor=cast.unit_user, reason="不属于本单位职责")
    services.reassign_assignment(assignment=lead, actor=cast.staff, unit=cast.unit_b)

    assert steps(opinion)[2:] == [("已交办", "", ZJJ), ("已重新交办", "", JTJ)]
    assert selectors.current_units_text(s) == JTJ  # the SMS names who handles it now


def split_and_answered(cast, opinion):
    """Split between 住建局 (answers A) and 交通局 (answers B): the suggestion and the two assignments."""
    s = submitted(cast, opinions=[opinion])
    services.accept_suggestion(suggestion=s, actor=cast.staff)
    zjj, jtj = services.assign_suggestion(
        suggestion=s, actor=cast.staff, split=[(cast.unit, "维修石桥"), (cast.unit_b, "硬化进村道路")]
    )
    for a, user, cls in ((zjj, cast.unit_user, "A"), (jtj, cast.unit_b_user, "B")):
        services.sign_assignment(assignment=a, actor=user)
        answer(a, user, cls)
    s.refresh_from_db()
    return s, zjj, jtj


def answer_again(cast, s, zjj, jtj):
    """The deputy is not satisfied; 住建局 answers B, 交通局 C."""
    services.evaluate_answer(suggestion=s, actor=cast.deputy_user, process="unsatisfied", result="unsatisfied")
    for a, user, cls in ((zjj, cast.unit_user, "B"), (jtj, cast.unit_b_user, "C")):
        a.refresh_from_db()
        answer(a, user, cls, text="重新办理后的答复。")


def test_it_names_the_split_units_and_the_answers_of_each_round(cast):
    # Each round's answers are recorded in the same clock tick as its 已答复 step.
    with at(2026, 3, 2):
        (opinion,) = opinions_for_drafting(cast, 1)
        s, zjj, jtj = split_and_answered(cast, opinion)
        assert selectors.current_units_text(s) == f"{ZJJ}、{JTJ}"
    with at(2026, 3, 4):
        answer_again(cast, s, zjj, jtj)

    assert steps(opinion)[2:] == [
        ("已交办", "", f"{ZJJ}、{JTJ}"),
        ("承办单位已答复", f"答复类别：{CLASS_A}；答复类别：{CLASS_B}", f"{ZJJ}、{JTJ}"),
        ("重新办理", "代表对答复不满意，承办单位重新办理", f"{ZJJ}、{JTJ}"),
        ("承办单位已答复", f"答复类别：{CLASS_B}；答复类别：{CLASS_C}", f"{ZJJ}、{JTJ}"),
    ]


def test_it_still_names_the_latest_answer_when_both_rounds_share_one_clock_tick(cast):
    # A coarse clock: every row at the same instant, nothing tells the rounds apart but their order.
    with at(2026, 3, 2):
        (opinion,) = opinions_for_drafting(cast, 1)
        s, zjj, jtj = split_and_answered(cast, opinion)
        answer_again(cast, s, zjj, jtj)

    assert steps(opinion)[-1] == ("承办单位已答复", f"答复类别：{CLASS_C}", JTJ)


def test_it_tells_the_resident_when_a_missed_commitment_reopens_the_suggestion(cast):
    with at(2026, 3, 2):
        (opinion,) = opinions_for_drafting(cast, 1)
        s, _lead, _co = answered(cast, answer_class="B", opinions=[opinion])
        services.evaluate_answer(suggestion=s, actor=cast.deputy_user, process="satisfied", result="basic")
        services.close_suggestion(suggestion=s, actor=cast.staff)
    with at(2026, 5, 5):
        call_command("supervise", verbosity=0)
    with at(2026, 5, 6):
        services.fulfil_commitment(commitment=s.commitments.get(), actor=cast.unit_user, note="已完成加固")

    assert steps(opinion)[-3:] == [
        ("已办结", "", BODY),
        ("跟踪办理", "答复承诺的事项逾期未完成", ZJJ),
        ("承诺事项已兑现，办结", "", BODY),
    ]


def test_it_tells_the_resident_a_suggestion_was_withdrawn_without_naming_a_unit(cast):
    (opinion,) = opinions_for_drafting(cast, 1)
    s = submitted(cast, opinions=[opinion])
    services.withdraw_suggestion(suggestion=s, actor=cast.deputy_user)

    assert steps(opinion) == [
        ("代表建议已提交", f"代表将建议《{s.title}》提交{BODY}", BODY),
        ("代表已撤回建议", "", ""),
    ]


def test_it_words_the_units_handling_a_suggestion_for_the_residents_sms(cast):
    s = submitted(cast)
    services.accept_suggestion(suggestion=s, actor=cast.staff)
    services.assign_suggestion(suggestion=s, actor=cast.staff, lead=cast.unit, co=[cast.unit_b, cast.village_unit])

    assert selectors.current_units_text(s) == ZJJ  # 已由…答复, 已交…重新办理
    assert selectors.current_units_text(s, answering_only=False) == f"{ZJJ}（协办：{JTJ}、{VC}）"  # 已交…办理

    alone, _lead, _co = assigned(cast, co=False, title="只交住建局的建议")
    assert selectors.current_units_text(alone, answering_only=False) == ZJJ


# --- the monthly meeting's report-back --------------------------------------------------------------------


def test_it_reports_back_the_months_suggestions_from_the_stations_opinions_or_by_its_deputies(cast):
    # 王建国 also serves 桃坑村's station; one suggestion of his draws on an opinion from each station.
    Stationing.objects.create(deputy=cast.deputy, station=cast.station_b)

    def taokeng_opinion():
        opinion, _ = make_opinion(cast, station=cast.station_b, actor=cast.staff, title="桃坑村道路坑洼")
        opinion_services.put_on_agenda(opinion=opinion, actor=cast.staff)
        opinion_services.turn_into_suggestion(opinion=opinion, drafting_deputy=cast.deputy, actor=cast.staff)
        opinion.refresh_from_db()
        return opinion

    with at(2026, 2, 27):
        february = submitted(cast, title="二月的建议")
    with at(2026, 3, 10):
        both = submitted(
            cast, title="两站民意形成的建议", opinions=[*opinions_for_drafting(cast, 1), taokeng_opinion()]
        )
        own = submitted(cast, title="代表自己提出的建议")
        draft(cast, title="三月的草稿")
    with at(2026, 4, 1):
        april = submitted(cast, title="四月的建议")
    assert both.station == own.station == cast.station

    assert codes(selectors.suggestions_for_report_back(cast.station, 2026, 3)) == {both.code, own.code}
    assert codes(selectors.suggestions_for_report_back(cast.station_b, 2026, 3)) == {both.code}
    assert codes(selectors.suggestions_for_report_back(cast.station, 2026, 2)) == {february.code}
    assert codes(selectors.suggestions_for_report_back(cast.station, 2026, 4)) == {april.code}


# --- what the forms offer -----------------------------------------------------------------------------------


def test_it_offers_for_assignment_only_the_active_units_of_the_bodys_region_by_kind_and_code(cast):
    HandlingUnit.objects.create(code="U341722-GDGS", name="国网石台县供电公司", region=cast.shitai, kind="other")
    HandlingUnit.objects.create(code="U341722-AAA", name="石台县已撤并单位", region=cast.shitai, is_active=False)
    s = submitted(cast)

    assert [u.name for u in selectors.units_assignable_for(s)] == [JTJ, ZJJ, "国网石台县供电公司", VC]


def test_it_offers_as_supervising_leaders_those_of_the_bodys_region_and_above(cast):
    def leader(name, region):
        user = User.objects.create_user(username=name, password=PASSWORD)
        Membership.objects.create(user=user, role=Role.LEADER, region=region)
        return user

    city, _dongzhi, _renli = leader("city_leader", cast.city), leader("dz", cast.dongzhi), leader("rl", cast.renli)
    s = submitted(cast)

    assert set(selectors.leaders_for(s)) == {cast.leader, city}


# --- 已有类似建议 -------------------------------------------------------------------------------------------


def test_it_hints_five_similar_submitted_suggestions_even_when_own_drafts_match_better(cast):
    for _ in range(8):
        draft(cast)
    for i in range(6):
        submitted(cast, title=f"关于加固村口石桥护栏的建议{i}")
    text = "关于维修缘溪村村口石桥的建议。村口石桥护栏断裂，存在安全隐患。请县住建局尽快维修加固石桥并增设护栏"

    hints = selectors.similar_suggestions(fresh(cast.deputy_user), text)
    assert len(hints) == 5 and {h.state for h in hints} == {"submitted"}
