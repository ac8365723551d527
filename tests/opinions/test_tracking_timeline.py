"""What the resident's status page says at each step (`tracking_timeline`): the title in plain Chinese, what
the step said, and who did it — the station, the village committee, the handling unit the opinion was referred to;
only public steps, oldest first, the suggestion's own steps merged in by date."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from liaison.events.services import record_event
from liaison.opinions import services
from liaison.opinions.models import ReportBack
from liaison.opinions.selectors import tracking_timeline
from liaison.opinions.services import telling
from liaison.suggestions import services as suggestion_services
from tests.opinions.helpers import make_opinion
from tests.suggestions.helpers import draft

pytestmark = pytest.mark.django_db


def steps(opinion):
    return [(s.title, s.detail, s.unit) for s in tracking_timeline(opinion)]


def report_back(cast, opinion):
    services.record_report_back(
        opinion=opinion,
        method=ReportBack.Method.PHONE,
        at=timezone.localdate(),
        reaction=ReportBack.Reaction.SATISFIED,
        actor=cast.officer,
    )


def test_a_referred_opinion_names_the_unit_for_the_referral_and_its_outcome(cast):
    opinion, _ = make_opinion(cast)
    services.put_on_agenda(opinion=opinion, actor=cast.head)
    services.refer_opinion(opinion=opinion, unit=cast.unit, actor=cast.head)
    services.record_outcome(opinion=opinion, text="三盏路灯已更换", actor=cast.officer)
    opinion.refresh_from_db()
    report_back(cast, opinion)
    services.close_opinion(opinion=opinion, actor=cast.officer)
    station, unit = cast.station.name, cast.unit.name
    assert steps(opinion) == [
        ("已登记受理", f"电话登记，{station}受理", station),
        ("列入会商议题", "列入本月会商议题", station),
        ("会商决定：转办（民情直通车）", f"会商决定通过民情直通车转{unit}办理", unit),
        ("办理结果", "三盏路灯已更换", unit),
        ("已回访", "已电话告知群众办理结果", station),
        ("已关闭", "办结关闭", station),
    ]


def test_a_village_opinion_names_the_village_committee(cast):
    opinion, _ = make_opinion(cast)
    services.put_on_agenda(opinion=opinion, actor=cast.head)
    due = timezone.localdate() + dt.timedelta(days=10)
    services.route_to_village(opinion=opinion, due_date=due, actor=cast.head)
    services.record_outcome(opinion=opinion, text="村里已修好", actor=cast.officer)
    assert steps(opinion)[2:] == [
        ("会商决定：由村两委办理", f"会商决定由村两委办理，期限 {due:%Y-%m-%d}", "村两委"),
        ("办理结果", "村里已修好", "村两委"),
    ]


@pytest.mark.parametrize(
    "decide, title, detail",
    [
        (
            lambda c, o: services.answer_on_spot(opinion=o, answer="已当场说明", actor=c.officer, told_now=False),
            "当场答复",
            "已当场说明",
        ),
        (
            lambda c, o: services.refuse_opinion(opinion=o, reason="属于诉讼事项", actor=c.officer),
            "不予受理",
            "属于诉讼事项",
        ),
    ],
)
def test_a_decision_at_the_station_is_the_stations(cast, decide, title, detail):
    opinion, _ = make_opinion(cast)
    decide(cast, opinion)
    assert steps(opinion)[1:] == [(title, detail, cast.station.name)]


def test_the_meetings_other_decisions_are_the_stations(cast):
    original, _ = make_opinion(cast, title="路灯坏了")
    duplicate, _ = make_opinion(cast)
    services.put_on_agenda(opinion=duplicate, actor=cast.head)
    services.mark_duplicate(opinion=duplicate, original=original, actor=cast.head)
    infeasible, _ = make_opinion(cast, title="修建体育馆")
    services.put_on_agenda(opinion=infeasible, actor=cast.head)
    services.mark_not_feasible(opinion=infeasible, reason="超出本级财力", actor=cast.head)
    station = cast.station.name
    assert steps(duplicate)[-1] == (
        "会商决定：与已登记的问题合并办理",
        f"与 {original.code} 反映的问题相同，合并办理",
        station,
    )
    assert steps(infeasible)[-1] == ("会商决定：暂不可行", "经会商暂不可行：超出本级财力", station)


def test_a_suggestion_step_carries_its_number_and_no_unit_and_merges_in_by_date(cast):
    opinion, _ = make_opinion(cast)
    services.put_on_agenda(opinion=opinion, actor=cast.head)
    services.turn_into_suggestion(opinion=opinion, drafting_deputy=cast.deputy, actor=cast.head)
    opinion.refresh_from_db()
    suggestion = draft(cast, opinions=[opinion])
    suggestion_services.submit_suggestion(suggestion=suggestion, actor=cast.deputy_user)
    opinion.refresh_from_db()
    services.record_suggestion_outcome(opinion=opinion, text="路灯已纳入改造计划", actor=cast.staff)
    timeline = steps(opinion)
    assert timeline[2] == ("会商决定：形成代表建议", "会商决定由代表形成代表建议", cast.station.name)
    assert timeline[3] == ("已形成代表建议", f"建议编号 {suggestion.code}", "")
    titles = [t for t, _, _ in timeline]
    # The suggestion's submission comes between the opinion's link to it and the answer recorded afterwards.
    assert titles.index("已形成代表建议") < titles.index("代表建议已提交") < titles.index("办理结果")
    assert timeline[titles.index("办理结果")] == ("办理结果", "路灯已纳入改造计划", "")


def test_an_imported_link_without_a_suggestion_number_shows_no_number(cast):
    opinion, _ = make_opinion(cast)
    # The demo history writes this step with its title as the note and without the suggestion's code.
    record_event(
        subject_type="opinion", subject_id=opinion.code, action="in_suggestion", note="已形成代表建议", public=True
    )
    assert steps(opinion)[-1] == ("已形成代表建议", "", "")


def test_a_note_repeating_the_title_is_not_shown_twice_and_an_untitled_step_reads_progress(cast):
    opinion, _ = make_opinion(cast)
    record_event(subject_type="opinion", subject_id=opinion.code, action="reported_back", note="已回访", public=True)
    record_event(subject_type="opinion", subject_id=opinion.code, action="explained", note="已向群众说明", public=True)
    assert steps(opinion)[1:] == [("已回访", "", cast.station.name), ("办理进展", "已向群众说明", "")]


def test_staff_only_records_stay_off_the_page(cast):
    opinion, _ = make_opinion(cast)
    telling.set_sms_opt_out(opinion=opinion, stop=True)
    assert [t for t, _, _ in steps(opinion)] == ["已登记受理"]
    resident = Client()
    resident.get(f"/t/{telling.link_token(opinion)}/")
    page = resident.get(f"/track/{opinion.code}/").content.decode()
    timeline = page.split("办理过程")[1].split("</ol>")[0]
    assert "已登记受理" in timeline and f"· {cast.station.name}" in timeline and "不再接收" not in timeline


def test_a_referral_whose_unit_was_cleared_in_the_admin_still_shows_without_a_unit(cast):
    opinion, _ = make_opinion(cast)
    services.put_on_agenda(opinion=opinion, actor=cast.head)
    services.refer_opinion(opinion=opinion, unit=cast.unit, actor=cast.head)
    opinion.referred_unit = None  # the admin's raw-id field left blank
    opinion.save(update_fields=["referred_unit"])
    assert steps(opinion)[-1] == ("会商决定：转办（民情直通车）", f"会商决定通过民情直通车转{cast.unit.name}办理", "")
    resident = Client()
    resident.get(f"/t/{telling.link_token(opinion)}/")
    page = resident.get(f"/track/{opinion.code}/")
    assert page.status_code == 200 and "会商决定：转办（民情直通车）" in page.content.decode()
