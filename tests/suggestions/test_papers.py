"""The loop's papers: the unit's signed, sealed scan of the 答复函, and the deputy's 征求意见表 (printed per
signing deputy, entered by staff when returned on paper — the same evaluation as online)."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document

from liaison.events.models import Event
from liaison.lib.errors import DomainError, NotAllowed
from liaison.suggestions import services
from liaison.suggestions.models import Evaluation, ReplyLetterScan
from tests.suggestions.helpers import answered, draft

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n"


def pdf(name="答复函.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _scan_post(client, assignment, answer, upload):
    return client.post(
        f"/units/assignments/{assignment.code}/scan/", {"answer": answer.pk, "scan": upload}, follow=True
    )


# --- the sealed scan of the 答复函 -----------------------------------------------------------------------------


def test_it_takes_the_units_sealed_scan_and_shows_the_deputy_both_the_letter_and_the_scan(cast, client_for):
    s, lead, _co = answered(cast)
    answer = s.answers.get()
    unit = client_for(cast.unit_user)
    page = unit.get(f"/units/assignments/{lead.code}/").content.decode()
    assert "上传扫描件" in page
    assert "已上传盖章答复函扫描件" in _scan_post(unit, lead, answer, pdf()).content.decode()
    scan = ReplyLetterScan.objects.get(answer=answer)
    assert scan.file.name.endswith(".pdf") and "答复函" not in scan.file.name  # random storage name
    assert Event.objects.filter(subject_id=s.code, action="reply_scan").count() == 1

    deputy = client_for(cast.deputy_user)
    detail = deputy.get(f"/suggestions/{s.code}/").content.decode()
    assert f"/suggestions/{s.code}/answers/{answer.pk}/letter.docx" in detail
    assert f"/suggestions/{s.code}/answers/{answer.pk}/scan/" in detail
    response = deputy.get(f"/suggestions/{s.code}/answers/{answer.pk}/scan/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == PDF
    assert deputy.get(f"/suggestions/{s.code}/answers/{answer.pk}/letter.docx").status_code == 200

    # A second upload replaces the first.
    _scan_post(unit, lead, answer, pdf("重扫.pdf"))
    assert ReplyLetterScan.objects.filter(answer=answer).count() == 1


def test_it_refuses_what_is_not_a_pdf_or_jpg_scan(cast):
    s, lead, _co = answered(cast)
    answer = s.answers.get()
    html = SimpleUploadedFile("答复函.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf")
    with pytest.raises(DomainError):
        services.upload_reply_scan(answer=answer, actor=cast.unit_user, scan=html)
    png = SimpleUploadedFile("x.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, content_type="image/png")
    with pytest.raises(DomainError, match="PDF 或 JPG"):
        services.upload_reply_scan(answer=answer, actor=cast.unit_user, scan=png)
    assert not ReplyLetterScan.objects.exists()


def test_it_lets_only_the_answering_unit_upload_and_out_of_scope_is_404(cast, client_for):
    s, lead, (co,) = answered(cast)
    answer = s.answers.get()
    # Another unit (the co-handler of this very suggestion): not its assignment, not its answer.
    with pytest.raises(NotAllowed):
        services.upload_reply_scan(answer=answer, actor=cast.unit_b_user, scan=pdf())
    other = client_for(cast.unit_b_user)
    assert other.post(f"/units/assignments/{lead.code}/scan/", {"answer": answer.pk, "scan": pdf()}).status_code == 404
    assert other.post(f"/units/assignments/{co.code}/scan/", {"answer": answer.pk, "scan": pdf()}).status_code == 404
    # Staff may read the assignment, not upload for the unit.
    staff = client_for(cast.staff)
    assert staff.post(f"/units/assignments/{lead.code}/scan/", {"answer": answer.pk, "scan": pdf()}).status_code == 403
    assert not ReplyLetterScan.objects.exists()

    services.upload_reply_scan(answer=answer, actor=cast.unit_user, scan=pdf())
    url = f"/suggestions/{s.code}/answers/{answer.pk}/scan/"
    assert client_for(cast.outsider).get(url).status_code == 404
    assert client_for(cast.staff).get(url).status_code == 200


# --- the 征求意见表 --------------------------------------------------------------------------------------------


def _cosigned_answered(cast, title="关于维修缘溪村村口石桥的建议"):
    """Answered, with 李秀英 as a confirmed co-signer: two signing deputies."""
    s = draft(cast, title=title)
    services.invite_cosigners(
        suggestion=s, actor=cast.deputy_user, deputies=[cast.deputy2], deadline=dt.date.today() + dt.timedelta(days=5)
    )
    services.respond_cosign(suggestion=s, actor=cast.deputy2_user, accept=True)
    services.submit_suggestion(suggestion=s, actor=cast.deputy_user)
    services.accept_suggestion(suggestion=s, actor=cast.staff)
    (lead,) = services.assign_suggestion(suggestion=s, actor=cast.staff, lead=cast.unit)
    services.sign_assignment(assignment=lead, actor=cast.unit_user)
    services.answer_assignment(
        assignment=lead, actor=cast.unit_user, answer_class="A", text="已维修。", signer="李局长"
    )
    s.refresh_from_db()
    return s


def _docx_text(content: bytes) -> tuple[list[str], list[list[list[str]]]]:
    doc = Document(io.BytesIO(content))
    tables = [[[cell.text for cell in row.cells] for row in t.rows] for t in doc.tables]
    return [p.text for p in doc.paragraphs], tables


def test_it_prints_a_feedback_form_per_signing_deputy_with_the_items_to_rate(cast, client_for):
    s = _cosigned_answered(cast)
    staff = client_for(cast.staff)
    detail = staff.get(f"/suggestions/{s.code}/").content.decode()
    for d in (cast.deputy, cast.deputy2):
        assert f"/suggestions/{s.code}/feedback/{d.code}.docx" in detail
    response = staff.get(f"/suggestions/{s.code}/feedback/{cast.deputy2.code}.docx")
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")
    paragraphs, (facts, grid, comments) = _docx_text(response.content)
    assert paragraphs[0] == "代表建议办理情况征求意见表"
    facts = dict(row for row in facts)
    assert facts["征求意见代表"] == "李秀英" and facts["领衔代表"] == "王建国" and facts["附议代表"] == "李秀英"
    assert facts["建议标题"] == s.title and facts["建议案号"] == s.case_number
    assert facts["承办单位"] == "石台县住房和城乡建设局（主办）" and facts["答复类别"].startswith("A类")
    assert grid[0] == ["测评项目", "满意", "基本满意", "不满意"]
    assert [row[0] for row in grid[1:]] == ["对办理过程的意见（联系沟通、面商情况）", "对办理结果的意见"]
    assert all(cell == "□" for row in grid[1:] for cell in row[1:])
    assert comments[0][0].startswith("意见和建议：")
    assert any("代表（签名）" in p for p in paragraphs)

    # The deputy prints their own, not the co-signer's; the unit none; out of scope 404.
    deputy = client_for(cast.deputy_user)
    assert deputy.get(f"/suggestions/{s.code}/feedback/{cast.deputy.code}.docx").status_code == 200
    assert deputy.get(f"/suggestions/{s.code}/feedback/{cast.deputy2.code}.docx").status_code == 403
    assert client_for(cast.unit_user).get(f"/suggestions/{s.code}/feedback/{cast.deputy.code}.docx").status_code == 403
    assert client_for(cast.outsider).get(f"/suggestions/{s.code}/feedback/{cast.deputy.code}.docx").status_code == 404
    assert staff.get(f"/suggestions/{s.code}/feedback/{cast.other_deputy.code}.docx").status_code == 404


def _trail(s):
    return [(e.action, e.from_state, e.to_state) for e in Event.objects.filter(subject_id=s.code).order_by("at", "id")]


def test_it_enters_returned_paper_forms_and_the_item_moves_on_as_online(cast, client_for):
    online = _cosigned_answered(cast, title="网上测评的建议")
    services.evaluate_answer(suggestion=online, actor=cast.deputy_user, process="satisfied", result="satisfied")
    services.evaluate_answer(suggestion=online, actor=cast.deputy2_user, process="basic", result="satisfied")

    paper = _cosigned_answered(cast, title="纸质测评的建议")
    staff = client_for(cast.staff)
    url = f"/suggestions/{paper.code}/evaluate/paper/"
    assert "交回意见表的代表" in staff.get(url).content.decode()
    for deputy, process in ((cast.deputy, "satisfied"), (cast.deputy2, "basic")):
        response = staff.post(url, {"deputy": deputy.pk, "process": process, "result": "satisfied", "comment": "好"})
        assert response.status_code == 302
    online.refresh_from_db()
    paper.refresh_from_db()
    assert paper.state == online.state == "evaluated"
    assert _trail(paper)[-3:] == _trail(online)[-3:]
    assert set(paper.evaluations.values_list("source", flat=True)) == {"paper"}
    assert set(online.evaluations.values_list("source", flat=True)) == {"online"}
    assert Event.objects.filter(subject_id=paper.code, action="evaluation").first().actor == cast.staff
    assert "纸质征求意见表" in staff.get(f"/suggestions/{paper.code}/").content.decode()
    # A deputy who has evaluated is not offered again; nobody is left.
    assert staff.post(url, {"deputy": cast.deputy.pk, "process": "satisfied", "result": "satisfied"}).status_code == 200
    assert Evaluation.objects.filter(suggestion=paper).count() == 2


def test_it_rehandles_after_an_unsatisfied_paper_form_like_online(cast):
    s, _lead, _co = answered(cast, co=False)
    services.evaluate_answer(
        suggestion=s, actor=cast.staff, process="basic", result="unsatisfied", deputy=cast.deputy, source="paper"
    )
    s.refresh_from_db()
    assert (s.state, s.round) == ("rehandling", 2)


def test_it_lets_only_the_bodys_staff_enter_paper_forms_for_signing_deputies(cast, client_for):
    s, _lead, _co = answered(cast, co=False)
    for user in (cast.deputy_user, cast.unit_user, cast.leader):
        with pytest.raises(NotAllowed):
            services.evaluate_answer(
                suggestion=s, actor=user, process="satisfied", result="satisfied", deputy=cast.deputy, source="paper"
            )
    with pytest.raises(DomainError):
        services.evaluate_answer(
            suggestion=s, actor=cast.staff, process="satisfied", result="satisfied", deputy=cast.deputy2, source="paper"
        )
    url = f"/suggestions/{s.code}/evaluate/paper/"
    assert client_for(cast.unit_user).get(url).status_code == 403
    assert client_for(cast.deputy_user).post(url, {"deputy": cast.deputy.pk}).status_code == 403
    assert client_for(cast.outsider).get(url).status_code == 404
    assert not Evaluation.objects.filter(suggestion=s).exists()
