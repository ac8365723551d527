"""The reply letter (答复函) as .docx, generated from a unit's answer (python-docx).

What local rules ask of it: the handling unit's name and the letter number at the head, the answer class
(A/B/C/D) printed at the top right, the addressee (the lead deputy; the co-signing deputies named), the answer
and its commitments with dates, the unit's contact person and phone, and room for the unit head's signature and
the seal — the unit prints it, signs and seals it on paper.

The letter number is the unit's own running number for the year: 〔year〕n号, n = this answer's place among the
unit's answers of that year (stable: later answers never renumber earlier ones). Where the viewer may not see
the deputies' identity (a confidential suggestion, for a unit), the letter says 代表 instead of names; the
congress office prints the named copy.
"""

import datetime
import io

from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from .models import Answer, CoSigner


def letter_number(answer: Answer) -> str:
    year = timezone.localtime(answer.created_at).year
    start = timezone.make_aware(datetime.datetime(year, 1, 1))
    earlier = Answer.objects.filter(
        assignment__unit_id=answer.assignment.unit_id, created_at__gte=start, created_at__lt=answer.created_at
    ).count()
    same_instant = Answer.objects.filter(
        assignment__unit_id=answer.assignment.unit_id, created_at=answer.created_at, pk__lt=answer.pk
    ).count()
    return f"〔{year}〕{earlier + same_instant + 1}号"


def _font(doc):
    style = doc.styles["Normal"]
    style.font.name = "仿宋"
    style.font.size = Pt(14)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋")


def _para(doc, text="", *, align=None, bold=False, size=None):
    p = doc.add_paragraph()
    if align is not None:
        p.alignment = align
    run = p.add_run(text)
    run.bold = bold
    if size:
        run.font.size = Pt(size)
    return p


def render(answer: Answer, *, identity: bool = True) -> bytes:
    suggestion = answer.suggestion
    unit = answer.assignment.unit
    doc = Document()
    _font(doc)
    _para(doc, f"{answer.answer_class}类", align=WD_ALIGN_PARAGRAPH.RIGHT, bold=True, size=16)
    _para(doc, unit.name, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True, size=22)
    _para(doc, "关于代表建议的答复函", align=WD_ALIGN_PARAGRAPH.CENTER, bold=True, size=18)
    _para(doc, f"{unit.name}函{letter_number(answer)}", align=WD_ALIGN_PARAGRAPH.CENTER)

    cosigners = [
        c.deputy.name for c in suggestion.cosigners.filter(state=CoSigner.State.CONFIRMED).select_related("deputy")
    ]
    addressee = f"{suggestion.lead_deputy.name}代表" if identity else "代表"
    _para(doc, f"{addressee}：")
    case = suggestion.case_number or suggestion.code
    _para(
        doc,
        f"　　您领衔提出的《{suggestion.title}》（第 {case} 号）建议收悉。"
        + (f"附议代表：{'、'.join(cosigners)}。" if identity and cosigners else "")
        + "现将办理情况答复如下：",
    )
    for line in answer.text.splitlines():
        if line.strip():
            _para(doc, f"　　{line.strip()}")
    commitments = list(answer.commitments.order_by("due_date", "id"))
    if commitments:
        _para(doc, "　　我单位承诺办理以下事项：")
        for i, c in enumerate(commitments, 1):
            _para(doc, f"　　{i}. {c.text}（{c.due_date:%Y年%m月%d日}前完成）")
    _para(doc, f"　　答复类别：{answer.class_label}。")
    _para(doc, "　　感谢您对我们工作的关心和支持，欢迎继续提出意见和建议。")
    _para(doc)
    contact = str(answer.created_by) if answer.created_by else ""
    _para(doc, f"联系人：{contact or '　　　　'}　　联系电话：{unit.phone or '　　　　'}")
    _para(doc)
    _para(doc, "单位负责人（签字）：________________", align=WD_ALIGN_PARAGRAPH.RIGHT)
    _para(doc, f"签发人：{answer.signer}", align=WD_ALIGN_PARAGRAPH.RIGHT)
    _para(doc, f"（单位盖章）　{unit.name}", align=WD_ALIGN_PARAGRAPH.RIGHT)
    _para(doc, f"{timezone.localtime(answer.created_at):%Y年%m月%d日}", align=WD_ALIGN_PARAGRAPH.RIGHT)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
