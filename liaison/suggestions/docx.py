"""The formal suggestion form (代表建议纸) as .docx (python-docx)."""

import io

from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from .models import CoSigner


def render(suggestion, *, identity: bool = True) -> bytes:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "宋体"
    style.font.size = Pt(12)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    heading = doc.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run(f"{suggestion.body.name}\n代表建议纸")
    run.bold = True
    run.font.size = Pt(20)
    number = doc.add_paragraph(f"案号：{suggestion.case_number or '（待立案）'}    编号：{suggestion.code}")
    number.alignment = WD_ALIGN_PARAGRAPH.RIGHT

    cosigners = [
        c.deputy.name for c in suggestion.cosigners.filter(state=CoSigner.State.CONFIRMED).select_related("deputy")
    ]
    lead = suggestion.lead_deputy.name if identity else "（申请保密）"
    rows = [
        ("标题", suggestion.title),
        ("领衔代表", lead),
        ("附议代表", ("、".join(cosigners) or "无") if identity else "（申请保密）"),
        ("代表层级", _level_label(suggestion.level)),
        ("联络站", suggestion.station.name if suggestion.station and identity else "—"),
        ("分类", suggestion.category.name),
        ("是否同意公开", "是" if suggestion.publishable else "否"),
        ("是否申请保密", "是" if suggestion.confidential else "否"),
        ("案由", suggestion.cause),
        ("理由", suggestion.reasons or "—"),
        ("具体建议", suggestion.proposals),
    ]
    table = doc.add_table(rows=len(rows), cols=2)
    table.style = "Table Grid"
    for i, (label, value) in enumerate(rows):
        table.cell(i, 0).text = label
        table.cell(i, 0).paragraphs[0].runs[0].bold = True
        table.cell(i, 1).text = value
    doc.add_paragraph()
    # The local (Beijing) date: a submission at 06:48 is dated that day, not the day before in UTC.
    date = timezone.localdate(suggestion.submitted_at or suggestion.created_at)
    doc.add_paragraph(f"领衔代表（签名）：{'' if not identity else lead}        {date:%Y年%m月%d日}")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _level_label(level: str) -> str:
    from liaison.org.models import Level

    return dict(Level.choices).get(level, level)
