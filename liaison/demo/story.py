"""Step 5 of the demo: items built through the real services, so each demo account finds work waiting, with
real events:

- shitai_staff: submissions to review, an extension request to approve;
- unit_zjj: assignments to sign for;
- deputy: an answer to evaluate, and a fully closed example (two opinions → … → closed) with its whole timeline;
- deputy2: a co-sign invitation.
"""

import datetime as dt

from django.utils import timezone

from liaison.opinions import services as opinion_services
from liaison.opinions.models import Opinion
from liaison.org.models import Category, HandlingUnit, Level, User
from liaison.suggestions import services
from liaison.suggestions.models import Assignment, Suggestion


def load_story() -> str:
    try:
        deputy_user = User.objects.get(username="deputy")
        deputy2_user = User.objects.get(username="deputy2")
        staff = User.objects.get(username="shitai_staff")
        unit_user = User.objects.get(username="unit_zjj")
        jtj_user = User.objects.get(username="unit_jtj")
    except User.DoesNotExist:
        return "演示账号不存在，跳过示范事项"
    deputy, deputy2 = deputy_user.deputy, deputy2_user.deputy
    zjj = HandlingUnit.objects.get(code="U341722-ZJJ")
    jtj = HandlingUnit.objects.get(code="U341722-JTJ")
    cat = Category.objects.get(parent=None, name="城乡建设")
    traffic = Category.objects.get(parent=None, name="交通运输")

    def make(title, category=cat, opinions=()):
        return services.create_draft(
            actor=deputy_user,
            deputy=deputy,
            title=title,
            cause=f"{title.removeprefix('关于').removesuffix('的建议')}，群众多次反映",
            reasons="月度会商时多名群众反映，存在安全隐患，影响出行。",
            proposals="建议县直有关部门实地调研，列入计划，尽快实施。",
            category=category,
            level=Level.COUNTY,
            opinions=opinions,
        )

    today = timezone.localdate()
    # 1. The whole loop, from two residents' opinions to closed (timeline shows every step).
    opinions = _two_opinions(deputy, deputy_user)
    s = make("关于维修缘溪村村口石桥并加装护栏的建议", opinions=opinions)
    services.invite_cosigners(
        suggestion=s, actor=deputy_user, deputies=[deputy2], deadline=today + dt.timedelta(days=7)
    )
    services.respond_cosign(suggestion=s, actor=deputy2_user, accept=True)
    services.submit_suggestion(suggestion=s, actor=deputy_user)
    services.accept_suggestion(suggestion=s, actor=staff)
    lead, co = services.assign_suggestion(suggestion=s, actor=staff, lead=jtj, co=[zjj])
    services.return_assignment(assignment=lead, actor=jtj_user, reason="石桥属住建部门管理，请改由住建局主办")
    services.return_assignment(assignment=co, actor=unit_user, reason="应由我局主办")
    lead = services.reassign_assignment(assignment=Assignment.objects.get(pk=lead.pk), actor=staff, unit=zjj)
    co = services.reassign_assignment(assignment=Assignment.objects.get(pk=co.pk), actor=staff, unit=jtj)
    services.sign_assignment(assignment=lead, actor=unit_user)
    services.sign_assignment(assignment=co, actor=jtj_user)
    services.record_consultation(
        assignment=lead, actor=unit_user, kind="visit", held_on=today, notes="与王代表到现场查看石桥"
    )
    services.send_cohandler_opinion(assignment=co, actor=jtj_user, text="施工期间我局配合设置交通警示标志")
    ext = services.request_extension(assignment=lead, actor=unit_user, months=1, reason="需列入年度维修资金计划")
    services.decide_extension(request=ext, actor=staff, approve=True)
    services.answer_assignment(
        assignment=Assignment.objects.get(pk=lead.pk),
        actor=unit_user,
        answer_class="B",
        text="已列入本年度农村桥梁维修计划，将于三个月内完成加固。",
        signer="住建局分管负责人",
        commitments=[(today + dt.timedelta(days=90), "完成石桥加固和护栏安装")],
    )
    s.refresh_from_db()
    services.evaluate_answer(
        suggestion=s, actor=deputy_user, process="basic", result="unsatisfied", comment="希望尽快施工"
    )
    services.evaluate_answer(suggestion=s, actor=deputy2_user, process="satisfied", result="basic")
    services.answer_assignment(
        assignment=Assignment.objects.get(pk=lead.pk),
        actor=unit_user,
        answer_class="A",
        text="石桥加固和护栏安装已完工，并经验收合格。",
        signer="住建局分管负责人",
    )
    s.refresh_from_db()
    services.evaluate_answer(suggestion=s, actor=deputy_user, process="satisfied", result="satisfied")
    services.evaluate_answer(suggestion=s, actor=deputy2_user, process="satisfied", result="satisfied")
    services.close_suggestion(suggestion=Suggestion.objects.get(pk=s.pk), actor=staff)

    # 2. An answer waiting for the deputy's evaluation.
    s2 = make("关于缘溪村主干道增设路灯的建议")
    services.submit_suggestion(suggestion=s2, actor=deputy_user)
    services.accept_suggestion(suggestion=s2, actor=staff)
    (a2,) = services.assign_suggestion(suggestion=s2, actor=staff, lead=zjj)
    services.sign_assignment(assignment=a2, actor=unit_user)
    services.answer_assignment(
        assignment=a2, actor=unit_user, answer_class="A", text="已安装太阳能路灯 24 盏。", signer="住建局分管负责人"
    )
    # 3. A co-sign invitation for deputy2.
    s3 = make("关于村道增设错车道的建议", category=traffic)
    services.invite_cosigners(
        suggestion=s3, actor=deputy_user, deputies=[deputy2], deadline=today + dt.timedelta(days=10)
    )
    # 4. Assignments for unit_zjj to sign for, submissions for shitai_staff to review, an extension to approve.
    for title in ("关于整治集镇排水管网的建议", "关于更换破损窨井盖的建议"):
        s4 = make(title)
        services.submit_suggestion(suggestion=s4, actor=deputy_user)
        services.accept_suggestion(suggestion=s4, actor=staff)
        services.assign_suggestion(suggestion=s4, actor=staff, lead=zjj)
    s5 = make("关于改善农村饮用水水质的建议")
    services.submit_suggestion(suggestion=s5, actor=deputy_user)
    s6 = make("关于农村危房改造补助的建议")
    services.submit_suggestion(suggestion=s6, actor=deputy_user)
    services.accept_suggestion(suggestion=s6, actor=staff)
    (a6,) = services.assign_suggestion(suggestion=s6, actor=staff, lead=zjj)
    services.sign_assignment(assignment=a6, actor=unit_user)
    services.request_extension(assignment=a6, actor=unit_user, months=2, reason="需省级补助资金下达")
    return f"示范建议 {s.case_number} 已走完全流程；演示账号各有待办事项"


def _two_opinions(deputy, actor):
    """Two residents' opinions on the bridge, decided at the meeting for the deputy to draft (or existing ones)."""
    ready = list(Opinion.objects.filter(state="to_suggestion", drafting_deputy=deputy).order_by("pk")[:2])
    if len(ready) == 2:
        return ready
    station = deputy.stations.order_by("code").first()
    out = []
    for name, phone, text in [
        ("刘桂英", "13955661234", "村口石桥护栏断裂，孩子上学经过很危险，希望尽快修好。"),
        ("陈德胜", "13855667788", "石桥桥面开裂，农用车通行有安全隐患，建议加固。"),
    ]:
        opinion, _ = opinion_services.register_opinion(
            station=station,
            channel="visit",
            title="村口石桥破损",
            content=text,
            actor=actor,
            category=Category.objects.get(parent=None, name="城乡建设"),
            deputy=deputy,
            resident_name=name,
            resident_phone=phone,
        )
        opinion_services.put_on_agenda(opinion=opinion, actor=actor)
        opinion_services.turn_into_suggestion(opinion=opinion, drafting_deputy=deputy, actor=actor)
        opinion.refresh_from_db()
        out.append(opinion)
    return out
