"""Small builders for suggestion tests: opinions ready for drafting, and suggestions at each stage."""

import datetime as dt

from liaison.org.models import Deputy, Stationing
from liaison.suggestions import services
from liaison.suggestions.models import Assignment, Suggestion


def opinions_for_drafting(cast, n=2, *, deputy=None, phone="13800001111"):
    from liaison.opinions import services as opinion_services

    deputy = deputy or cast.deputy
    out = []
    for i in range(n):
        opinion, _password = opinion_services.register_opinion(
            station=cast.station,
            channel="visit",
            title=f"村口桥梁破损需维修{i}",
            content="村口通往集镇的石桥护栏断裂，雨季行人车辆通行存在安全隐患，希望尽快维修加固。",
            actor=cast.officer,
            category=cast.categories["城乡建设"],
            deputy=cast.deputy,
            resident_name=f"张三{i}",
            resident_phone=phone,
        )
        opinion_services.put_on_agenda(opinion=opinion, actor=cast.head)
        opinion_services.turn_into_suggestion(opinion=opinion, drafting_deputy=deputy, actor=cast.head)
        opinion.refresh_from_db()
        out.append(opinion)
    return out


def draft(cast, *, title="关于维修缘溪村村口石桥的建议", opinions=(), confidential=False, deputy=None, user=None):
    return services.create_draft(
        actor=user or cast.deputy_user,
        deputy=deputy or cast.deputy,
        title=title,
        cause="村口石桥护栏断裂，存在安全隐患",
        reasons="雨季通行量大，多名群众反映",
        proposals="请县住建局尽快维修加固石桥并增设护栏",
        category=cast.categories["城乡建设"],
        opinions=opinions,
        confidential=confidential,
    )


def submitted(cast, **kw) -> Suggestion:
    s = draft(cast, **kw)
    services.submit_suggestion(suggestion=s, actor=kw.get("user") or cast.deputy_user)
    return s


def accepted(cast, **kw) -> Suggestion:
    s = submitted(cast, **kw)
    services.accept_suggestion(suggestion=s, actor=cast.staff)
    return s


def assigned(cast, *, co=True, **kw) -> tuple[Suggestion, Assignment, list[Assignment]]:
    s = accepted(cast, **kw)
    rows = services.assign_suggestion(suggestion=s, actor=cast.staff, lead=cast.unit, co=[cast.unit_b] if co else [])
    return s, rows[0], rows[1:]


def signed(cast, **kw):
    s, lead, co = assigned(cast, **kw)
    services.sign_assignment(assignment=lead, actor=cast.unit_user)
    return s, lead, co


def answered(cast, answer_class="A", **kw):
    s, lead, co = signed(cast, **kw)
    commitments = [(dt.date.today() + dt.timedelta(days=60), "完成石桥加固")] if answer_class in "BC" else []
    services.answer_assignment(
        assignment=lead,
        actor=cast.unit_user,
        answer_class=answer_class,
        text="已安排维修。",
        signer="李局长",
        commitments=commitments,
    )
    s.refresh_from_db()
    return s, lead, co


# Everyone who reaches a station's or a region's suggestions but neither leads nor was invited to co-sign them.
BYSTANDERS = ("staff", "township_staff", "city_staff", "leader", "head", "officer", "village", "deputy2_user")


def private_and_submitted(cast) -> tuple[Suggestion, Suggestion, Suggestion]:
    """The lead deputy's draft, a draft out for co-signing (invited: a third deputy of the station, without an
    account, so every cast user stays a bystander) and a submitted one."""
    mine = draft(cast, title="尚未提交的草稿甲")
    cosigning = draft(cast, title="征集附议中的草稿乙")
    invitee = Deputy.objects.create(code="D0000009", name="赵同站", phone="13900009999", home_region=cast.yuanxi)
    Stationing.objects.create(deputy=invitee, station=cast.station)
    services.invite_cosigners(
        suggestion=cosigning,
        actor=cast.deputy_user,
        deputies=[invitee],
        deadline=dt.date.today() + dt.timedelta(days=5),
    )
    cosigning.refresh_from_db()
    assert (mine.state, cosigning.state) == ("draft", "cosigning")
    return mine, cosigning, submitted(cast, title="已提交的建议丙")
