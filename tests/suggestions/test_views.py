import datetime as dt
import io

import pytest
from docx import Document

from liaison.suggestions import services
from liaison.suggestions.models import Assignment, Suggestion
from tests.queries import assert_flat_queries

from .helpers import (
    BYSTANDERS,
    accepted,
    answered,
    assigned,
    draft,
    opinions_for_drafting,
    private_and_submitted,
    signed,
    submitted,
)

pytestmark = pytest.mark.django_db


def text(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_it_walks_the_key_steps_through_the_web(cast, client_for):
    deputy, deputy2, staff, unit = (
        client_for(cast.deputy_user),
        client_for(cast.deputy2_user),
        client_for(cast.staff),
        client_for(cast.unit_user),
    )
    opinions = opinions_for_drafting(cast, 2)
    form = text(deputy.get("/suggestions/new/?opinions=" + ",".join(o.code for o in opinions)))
    assert 'id="similar-hint"' in form and opinions[0].code in form
    response = deputy.post(
        "/suggestions/new/",
        {
            "title": "关于维修缘溪村村口石桥的建议",
            "cause": "石桥护栏断裂",
            "reasons": "安全隐患",
            "proposals": "尽快维修",
            "category": cast.categories["城乡建设"].pk,
            "level": "county",
            "publishable": "on",
            "opinions": [o.code for o in opinions],
        },
    )
    s = Suggestion.objects.get()
    assert response.status_code == 302 and s.sources.count() == 2
    deadline = (dt.date.today() + dt.timedelta(days=5)).isoformat()
    deputy.post(f"/suggestions/{s.code}/invite/", {"deputies": [cast.deputy2.code], "deadline": deadline})
    assert "附议邀请" in text(deputy2.get(f"/suggestions/{s.code}/"))
    deputy2.post(f"/suggestions/{s.code}/cosign/", {"accept": "1"})
    deputy.post(f"/suggestions/{s.code}/submit/")
    assert s.code in text(staff.get("/suggestions/review/"))
    staff.post(f"/suggestions/{s.code}/review/", {"decision": "accept"})
    s.refresh_from_db()
    assert s.state == "accepted" and s.case_number
    page = text(staff.get(f"/suggestions/{s.code}/assign/"))
    assert "石台县住房和城乡建设局" in page  # proposed from the category's usual handlers
    staff.post(f"/suggestions/{s.code}/assign/", {"mode": "lead", "lead": cast.unit.pk, "co": [cast.unit_b.pk]})
    lead = Assignment.objects.get(suggestion=s, role="lead")
    assert lead.unit == cast.unit
    assert lead.code in text(unit.get("/units/inbox/"))
    unit.post(f"/units/assignments/{lead.code}/sign/")
    unit.post(
        f"/units/assignments/{lead.code}/consult/",
        {"kind": "meeting", "held_on": dt.date.today().isoformat(), "notes": "座谈"},
    )
    commit_day = (dt.date.today() + dt.timedelta(days=90)).isoformat()
    unit.post(
        f"/units/assignments/{lead.code}/answer/",
        {"answer_class": "B", "text": "列入计划", "signer": "李局长", "commitments": f"{commit_day} 完成维修"},
    )
    s.refresh_from_db()
    assert s.state == "answered"
    for client in (deputy, deputy2):
        client.post(f"/suggestions/{s.code}/evaluate/", {"process": "satisfied", "result": "satisfied"})
    s.refresh_from_db()
    assert s.state == "evaluated"
    staff.post(f"/suggestions/{s.code}/close/")
    s.refresh_from_db()
    assert s.state == "closed"
    page = text(deputy.get(f"/suggestions/{s.code}/"))
    for words in ["起草建议", "提交建议", "立案", "交办", "签收", "面商", "测评", "办结"]:
        assert words in page, words


def test_it_shows_domain_errors_as_messages(cast, client_for):
    s, lead, _ = signed(cast)
    services.return_assignment(assignment=lead, actor=cast.unit_user, reason="不是我们")
    unit = client_for(cast.unit_user)
    response = unit.post(
        f"/units/assignments/{lead.code}/answer/", {"answer_class": "A", "text": "x", "signer": "y"}, follow=True
    )
    assert "不允许此操作" in text(response)
    assert not lead.answers.exists()


def test_it_answers_404_for_another_units_assignment(cast, client_for):
    s, lead, co = assigned(cast)
    other = client_for(cast.unit_b_user)  # 交通局 is the co-handler, not the lead
    assert other.get(f"/units/assignments/{lead.code}/").status_code == 404
    assert other.post(f"/units/assignments/{lead.code}/sign/").status_code == 404
    own = text(other.get(f"/units/assignments/{co[0].code}/"))
    assert s.title in own and "协办" in own and "石台县交通运输局" in own and ">签收</button>" in own
    outsider = client_for(cast.outsider)
    assert outsider.get(f"/suggestions/{s.code}/").status_code == 404
    assert outsider.get(f"/units/assignments/{lead.code}/").status_code == 404
    lone = accepted(cast, title="另一条建议")
    assert client_for(cast.unit_user).get(f"/suggestions/{lone.code}/").status_code == 404


def test_it_never_shows_residents_phones_or_names_to_units(cast, client_for):
    opinions = opinions_for_drafting(cast, 2, phone="13712345678")
    s, lead, _ = assigned(cast, opinions=opinions)
    unit = client_for(cast.unit_user)
    for url in [f"/units/assignments/{lead.code}/", f"/suggestions/{s.code}/", "/units/inbox/", "/suggestions/"]:
        page = text(unit.get(url))
        assert "13712345678" not in page and "张三" not in page, url
    docx = unit.get(f"/suggestions/{s.code}/form.docx")
    assert b"13712345678" not in docx.content
    staff_page = text(client_for(cast.staff).get(f"/suggestions/{s.code}/"))
    assert opinions[0].code in staff_page


def test_it_hides_the_deputy_of_confidential_suggestions_from_units(cast, client_for):
    s, lead, _ = assigned(cast, confidential=True)
    unit = client_for(cast.unit_user)
    for url in [f"/units/assignments/{lead.code}/", f"/suggestions/{s.code}/", "/suggestions/"]:
        assert "王建国" not in text(unit.get(url)), url
    doc = Document(io.BytesIO(unit.get(f"/suggestions/{s.code}/form.docx").content))
    body = "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    assert "王建国" not in body and "申请保密" in body
    assert "王建国" in text(client_for(cast.staff).get(f"/suggestions/{s.code}/"))


def test_it_prints_the_formal_suggestion_form(cast, client_for):
    s = accepted(cast)
    response = client_for(cast.deputy_user).get(f"/suggestions/{s.code}/form.docx")
    assert response.status_code == 200 and "wordprocessingml" in response["Content-Type"]
    doc = Document(io.BytesIO(response.content))
    body = "\n".join(p.text for p in doc.paragraphs) + "\n".join(
        c.text for t in doc.tables for row in t.rows for c in row.cells
    )
    assert "代表建议纸" in body and s.case_number in body and "王建国" in body and "尽快维修加固" in body


def test_it_dates_the_formal_suggestion_form_on_the_beijing_date(cast, client_for):
    s = submitted(cast)
    early = dt.datetime(2026, 3, 10, 6, 48, tzinfo=dt.timezone(dt.timedelta(hours=8)))  # 2026-03-09 22:48 UTC
    Suggestion.objects.filter(pk=s.pk).update(submitted_at=early)
    doc = Document(io.BytesIO(client_for(cast.deputy_user).get(f"/suggestions/{s.code}/form.docx").content))
    signature = doc.paragraphs[-1].text
    assert "2026年03月10日" in signature and "09日" not in signature


def test_it_publishes_closed_publishable_suggestions_redacted(cast, client):
    s, lead, _ = answered(cast)
    services.evaluate_answer(suggestion=s, actor=cast.deputy_user, process="satisfied", result="satisfied")
    services.close_suggestion(suggestion=s, actor=cast.staff)
    Suggestion.objects.filter(pk=s.pk).update(proposals="请联系 13712345678 协调")
    hidden = accepted(cast, title="机密事项甲", confidential=True)
    Suggestion.objects.filter(pk=hidden.pk).update(state="closed")
    page = text(client.get(f"/public/{cast.shitai.code}/suggestions/"))
    assert s.title in page and "已安排维修" in page
    assert "13712345678" not in page and "137****5678" in page
    assert "机密事项甲" not in page
    assert s.title not in text(client.get(f"/public/{cast.dongzhi.code}/suggestions/"))


def test_it_hints_similar_suggestions_within_scope(cast, client_for):
    submitted(cast, title="关于维修缘溪村村口石桥的建议")
    page = text(client_for(cast.staff).get("/suggestions/similar/", {"text": "村口石桥维修"}))
    assert "已有类似建议" in page
    assert "已有类似建议" not in text(client_for(cast.outsider).get("/suggestions/similar/", {"text": "村口石桥维修"}))


def test_it_lists_suggestions_with_a_bounded_number_of_queries(cast, client_for, django_assert_max_num_queries):
    for i in range(12):
        assigned(cast, title=f"建议{i}")
    staff, unit = client_for(cast.staff), client_for(cast.unit_user)
    with django_assert_max_num_queries(12):
        page = text(staff.get("/suggestions/"))
    assert "建议11" in page
    with django_assert_max_num_queries(12):
        page = text(unit.get("/units/inbox/"))
    assert page.count("/units/assignments/") == 12
    with django_assert_max_num_queries(12):
        text(staff.get("/suggestions/review/"))
    with django_assert_max_num_queries(12):
        text(staff.get("/suggestions/?flag=red&state=open&q=建议"))


def test_it_shows_waiting_items_on_the_home_page(cast, client_for):
    s, lead, _ = assigned(cast)
    draft(cast, title="还在写的草稿")
    assert s.title in text(client_for(cast.unit_user).get("/"))
    assert "还在写的草稿" in text(client_for(cast.deputy_user).get("/"))
    submitted(cast, title="待审查的建议")
    assert "待审查的建议" in text(client_for(cast.staff).get("/"))
    services.set_key_supervision(suggestion=s, actor=cast.staff, key=True, leader=cast.leader)
    assert s.title in text(client_for(cast.leader).get("/"))


def test_it_keeps_staff_pages_for_staff(cast, client_for):
    s = submitted(cast)
    deputy = client_for(cast.deputy_user)
    assert deputy.get("/suggestions/review/").status_code == 403
    assert deputy.get(f"/suggestions/{s.code}/assign/").status_code == 403
    response = deputy.post(f"/suggestions/{s.code}/review/", {"decision": "accept"})
    assert response.status_code == 403 and "工作人员" in response.content.decode()
    s.refresh_from_db()
    assert s.state == "submitted"


def test_it_keeps_deputies_drafts_from_staff_and_station_roles(cast, client_for):
    mine, cosigning, sent = private_and_submitted(cast)
    for name in BYSTANDERS:
        client = client_for(getattr(cast, name))
        page = text(client.get("/suggestions/"))
        assert sent.title in page, name  # they do see submitted suggestions in their scope
        assert mine.title not in page and cosigning.title not in page, name
        assert mine.code not in page and cosigning.code not in page, name
        for s in (mine, cosigning):
            assert client.get(f"/suggestions/{s.code}/").status_code == 404, name
            assert client.get(f"/suggestions/{s.code}/form.docx").status_code == 404, name
    lead = text(client_for(cast.deputy_user).get("/suggestions/"))
    assert mine.title in lead and cosigning.title in lead


def test_it_masks_the_deputys_phone_on_a_handling_units_pages(cast, client_for):
    s, lead, (co,) = assigned(cast)
    for user, assignment in ((cast.unit_user, lead), (cast.unit_b_user, co)):
        unit = client_for(user)
        page = text(unit.get(f"/units/assignments/{assignment.code}/"))
        assert "王建国（139****5678）" in page and "13912345678" not in page, user
        for url in ("/units/inbox/", f"/suggestions/{s.code}/", "/suggestions/"):
            assert "13912345678" not in text(unit.get(url)), (user, url)
    # Staff of the body need the number to call the deputy.
    assert "王建国（13912345678）" in text(client_for(cast.staff).get(f"/units/assignments/{lead.code}/"))


def test_it_tells_a_handling_unit_how_many_opinions_fed_the_suggestion_but_not_which(cast, client_for):
    opinions = opinions_for_drafting(cast, 2)
    s, lead, (co,) = assigned(cast, opinions=opinions)
    for user, assignment in ((cast.unit_user, lead), (cast.unit_b_user, co)):
        unit = client_for(user)
        detail = text(unit.get(f"/suggestions/{s.code}/"))
        assert "本建议由 2 条群众反映汇总形成" in detail, user
        for url in (f"/units/assignments/{assignment.code}/", f"/suggestions/{s.code}/", "/units/inbox/"):
            page = text(unit.get(url))
            for o in opinions:
                assert o.code not in page and o.title not in page, (user, url, o.code)
    staff = text(client_for(cast.staff).get(f"/suggestions/{s.code}/"))
    assert all(o.code in staff and o.title in staff for o in opinions)


# --- query-count guards: each list renders with as many queries for 15 rows as for 3 -------------------------


def _grow(make):
    """grow(first, n): make(i) for each i; the rows a guard adds between its two renders."""

    def grow(first, n):
        for i in range(first, first + n):
            make(i)

    return grow


def _mixed(cast):
    """Suggestions at several stages, every third one confidential: 建议{i}."""

    def make(i):
        kw = {"title": f"建议{i}", "confidential": i % 3 == 0}
        [submitted, accepted, lambda cast, **kw: assigned(cast, co=i % 2 == 0, **kw)][i % 3](cast, **kw)

    return _grow(make)


def _flat(client, url, grow, **kw):
    grow(0, 3)
    return text(assert_flat_queries(client, url, grow=lambda: grow(3, 12), **kw))


@pytest.mark.parametrize("who", ["staff", "deputy_user", "leader"])
def test_it_lists_suggestions_without_a_query_per_suggestion(cast, client_for, who):
    page = _flat(client_for(getattr(cast, who)), "/suggestions/", _mixed(cast))
    assert "共 15 件" in page and "建议0" in page and "建议14" in page and "王建国" in page


def test_it_lists_a_units_suggestions_without_a_query_per_suggestion(cast, client_for):
    page = _flat(
        client_for(cast.unit_user),
        "/suggestions/",
        _grow(lambda i: assigned(cast, title=f"建议{i}", co=False, confidential=i % 2 == 0)),
    )
    assert "共 15 件" in page and "建议14" in page and "（保密）" in page


def test_it_shows_the_review_queue_without_a_query_per_suggestion(cast, client_for):
    def make(i):
        (submitted if i % 2 else accepted)(cast, title=f"建议{i}")

    page = _flat(client_for(cast.staff), "/suggestions/review/", _grow(make))
    assert "共 7 件" in page and "建议13" in page  # submitted: the odd ones
    assert "建议14" in page and "交办期限" in page  # accepted, waiting to be assigned


def test_it_shows_the_extension_queue_without_a_query_per_request(cast, client_for):
    def make(i):
        _s, lead, _co = signed(cast, title=f"建议{i}", co=False)
        services.request_extension(assignment=lead, actor=cast.unit_user, months=2, reason=f"需列入预算{i}")

    page = _flat(client_for(cast.staff), "/suggestions/extensions/", _grow(make))
    assert "建议0" in page and "需列入预算14" in page and "石台县住房和城乡建设局" in page


@pytest.mark.parametrize("tab", ["open", "all"])
def test_it_shows_the_inbox_without_a_query_per_assignment(cast, client_for, tab):
    def make(i):
        (assigned if i % 2 else signed)(cast, title=f"建议{i}", co=i % 3 == 0)

    page = _flat(client_for(cast.unit_user), "/units/inbox/", _grow(make), data={"tab": tab})
    assert "共 15 件" in page and "建议0" in page and "建议14" in page


def test_it_shows_the_public_list_without_a_query_per_suggestion(cast, client):
    def make(i):
        s, _lead, _co = answered(cast, title=f"公开建议{i}", co=False)
        services.evaluate_answer(suggestion=s, actor=cast.deputy_user, process="satisfied", result="satisfied")
        services.close_suggestion(suggestion=s, actor=cast.staff)

    page = _flat(client, f"/public/{cast.shitai.code}/suggestions/", _grow(make))
    assert "共 15 件" in page and "公开建议0" in page and "公开建议14" in page and "已安排维修" in page


def test_it_shows_a_suggestions_assignments_without_a_query_per_assignment(cast, client_for):
    """One suggestion handled by many units (a lead and co-handlers): its page lists them all."""
    from liaison.org.models import HandlingUnit

    def units(first, n):
        return [
            HandlingUnit.objects.create(code=f"U341722-C{i:02d}", name=f"石台县协办局{i}", region=cast.shitai)
            for i in range(first, first + n)
        ]

    s = accepted(cast)
    services.assign_suggestion(suggestion=s, actor=cast.staff, lead=cast.unit, co=units(0, 2))
    staff = client_for(cast.staff)

    def grow():
        for unit in units(2, 12):
            Assignment.objects.create(
                suggestion=s,
                unit=unit,
                role=Assignment.Role.CO,
                start_date=dt.date.today(),
                assigned_on=dt.date.today(),
                due_date=dt.date.today() + dt.timedelta(days=90),
            )

    page = text(assert_flat_queries(staff, f"/suggestions/{s.code}/", grow=grow))
    assert "石台县协办局0" in page and "石台县协办局13" in page


def test_it_shows_the_lead_units_page_without_a_query_per_co_handler(cast, client_for):
    """The lead unit's assignment page lists every co-handler with its opinion (fixed: cohandler_opinion joined)."""
    from liaison.org.models import HandlingUnit
    from liaison.suggestions.models import CoHandlerOpinion

    s = accepted(cast)
    lead = services.assign_suggestion(suggestion=s, actor=cast.staff, lead=cast.unit, co=[cast.unit_b])[0]

    def co(first, n):
        for i in range(first, first + n):
            unit = HandlingUnit.objects.create(code=f"U341722-C{i:02d}", name=f"石台县协办局{i}", region=cast.shitai)
            a = Assignment.objects.create(
                suggestion=s,
                unit=unit,
                role=Assignment.Role.CO,
                state=Assignment.State.SIGNED,
                start_date=dt.date.today(),
                assigned_on=dt.date.today(),
                due_date=dt.date.today() + dt.timedelta(days=90),
            )
            CoHandlerOpinion.objects.create(assignment=a, text=f"协办意见{i}", created_by=cast.staff)

    co(0, 2)
    url = f"/units/assignments/{lead.code}/"
    page = text(assert_flat_queries(client_for(cast.unit_user), url, grow=lambda: co(2, 12)))
    assert "石台县协办局13" in page and "协办意见0" in page and "协办意见13" in page


# The home page's suggestion panels (each capped at a few items; 3 vs 15 still shows a per-item query).


def test_it_shows_the_staff_panels_without_a_query_per_item(cast, client_for):
    def make(i):
        submitted(cast, title=f"待审查{i}")
        _s, lead, _co = signed(cast, title=f"延期{i}", co=False)
        services.request_extension(assignment=lead, actor=cast.unit_user, months=2, reason="预算")
        _s, late, _co = assigned(cast, title=f"超期{i}", co=False)
        Assignment.objects.filter(pk=late.pk).update(flag="red")

    page = _flat(client_for(cast.staff), "/", _grow(make))
    assert "待审查0" in page and "延期申请：延期0" in page and "超期0" in page


def test_it_shows_the_unit_panel_without_a_query_per_item(cast, client_for):
    page = _flat(client_for(cast.unit_user), "/", _grow(lambda i: assigned(cast, title=f"待办{i}", co=False)))
    assert "待办理的交办建议" in page and "待办0" in page and "待签收" in page


def test_it_shows_the_leader_panel_without_a_query_per_item(cast, client_for):
    def make(i):
        s = accepted(cast, title=f"重点{i}")
        services.set_key_supervision(suggestion=s, actor=cast.staff, key=True, leader=cast.leader)

    page = _flat(client_for(cast.leader), "/", _grow(make))
    assert "重点督办建议" in page and "重点14" in page  # the newest first


def test_it_shows_the_deputy_panel_without_a_query_per_item(cast, client_for):
    invitee_user = cast.deputy2_user

    def make(i):
        draft(cast, title=f"草稿{i}")
        s, _lead, _co = answered(cast, title=f"待测评{i}", co=False)
        cosigning = draft(cast, title=f"附议{i}", deputy=cast.deputy2, user=invitee_user)
        services.invite_cosigners(
            suggestion=cosigning,
            actor=invitee_user,
            deputies=[cast.deputy],
            deadline=dt.date.today() + dt.timedelta(days=5),
        )

    page = _flat(client_for(cast.deputy_user), "/", _grow(make))
    assert "附议邀请：附议0" in page and "待测评：待测评0" in page  # the panel is capped: drafts come last
