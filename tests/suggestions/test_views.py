import datetime as dt
import io

import pytest
from docx import Document

from liaison.suggestions import services
from liaison.suggestions.models import Assignment, Suggestion

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
