"""The reply letter (答复函) a unit prints, signs and seals: read back with python-docx, as Word would show it."""

import io

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH

from tests.suggestions.helpers import answered

pytestmark = pytest.mark.django_db


def _letter(client, suggestion, answer):
    response = client.get(f"/suggestions/{suggestion.code}/answers/{answer.pk}/letter.docx")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    return [p.text for p in Document(io.BytesIO(response.content)).paragraphs]


def test_it_prints_the_class_at_the_top_right_the_unit_the_number_the_commitments_and_room_to_seal(cast, client_for):
    cast.unit.phone = "0566-5121234"
    cast.unit.save()
    s, lead, _ = answered(cast, answer_class="B")
    answer = s.answers.get()
    lines = _letter(client_for(cast.unit_user), s, answer)
    year = answer.created_at.year
    assert lines[0] == "B类" and lines[1] == "石台县住房和城乡建设局"
    response = client_for(cast.unit_user).get(f"/suggestions/{s.code}/answers/{answer.pk}/letter.docx")
    assert Document(io.BytesIO(response.content)).paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT  # top right
    assert f"石台县住房和城乡建设局函〔{year}〕1号" in lines
    assert "王建国代表：" in lines
    assert any("完成石桥加固" in line and "前完成" in line for line in lines)
    assert any("联系电话：0566-5121234" in line for line in lines)
    assert any("单位负责人（签字）" in line for line in lines) and any("单位盖章" in line for line in lines)
    assert any("签发人：李局长" in line for line in lines)


def test_it_numbers_a_units_letters_through_the_year(cast, client_for):
    first, _, _ = answered(cast, answer_class="A")
    second, _, _ = answered(cast, answer_class="A", title="关于硬化桃坑村机耕路的建议")
    lines = _letter(client_for(cast.staff), second, second.answers.get())
    year = second.answers.get().created_at.year
    assert f"石台县住房和城乡建设局函〔{year}〕2号" in lines
    assert f"石台县住房和城乡建设局函〔{year}〕1号" in _letter(client_for(cast.staff), first, first.answers.get())


def test_it_keeps_a_confidential_deputys_name_off_the_units_copy_and_out_of_scope_is_404(cast, client_for):
    s, _, _ = answered(cast, confidential=True)
    answer = s.answers.get()
    unit_copy = "\n".join(_letter(client_for(cast.unit_user), s, answer))
    assert "王建国" not in unit_copy and "代表：" in unit_copy
    assert "王建国代表：" in _letter(client_for(cast.staff), s, answer)
    url = f"/suggestions/{s.code}/answers/{answer.pk}/letter.docx"
    assert client_for(cast.outsider).get(url).status_code == 404
