"""Minutes of the monthly consultation as .docx (python-docx), in the usual layout of a 会议纪要.

Built only from the meeting's rows, so regenerating gives the same content; the file is stored on close.
"""

import io

from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from .selectors import previous_month, report_back_section


def build_minutes(meeting) -> bytes:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.size = Pt(12)
    title = doc.add_heading(f"{meeting.station.name}\n{meeting.year}年{meeting.month}月会商共议会议纪要", level=1)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER

    attendances = list(meeting.attendances.select_related("deputy").order_by("deputy__code"))
    present = "、".join(a.deputy.name for a in attendances if a.present) or "（未登记）"
    absent = "、".join(a.deputy.name for a in attendances if not a.present) or "无"
    local = timezone.localtime(meeting.held_at)  # the site's time zone, not the process's
    for label, value in [
        ("时间", f"{local:%Y年%m月%d日 %H:%M}"),
        ("地点", meeting.place),
        ("主持人", meeting.chair),
        ("出席代表", present),
        ("缺席代表", absent),
    ]:
        p = doc.add_paragraph()
        p.add_run(f"{label}：").bold = True
        p.add_run(value)

    items = list(meeting.items.select_related("opinion__category", "opinion__deputy").order_by("position", "id"))
    doc.add_heading("一、会商议题及决定", level=2)
    decided = sum(1 for i in items if i.decision)
    doc.add_paragraph(f"本次会商共审议社情民意 {len(items)} 件，作出决定 {decided} 件。")
    table = doc.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ["序号", "查询码", "分类", "社情民意", "会商决定"], strict=True):
        cell.text = text
    for n, item in enumerate(items, 1):
        o = item.opinion
        decision = f"{item.get_decision_display()}：{item.decision_note}" if item.decision else "未决定，转下月会商"
        row = table.add_row().cells
        row[0].text = str(n)
        row[1].text = o.code
        row[2].text = o.category.name if o.category else "未分类"
        row[3].text = o.title
        row[4].text = decision

    doc.add_heading("二、上月事项办理情况（回访）", level=2)
    year, month = previous_month(meeting.year, meeting.month)
    section = report_back_section(meeting.station, year, month)
    if section["suggestions"]:
        doc.add_paragraph(f"{year}年{month}月形成的代表建议：")
        for s in section["suggestions"]:
            doc.add_paragraph(f"{s.code} {s.title}：{s.get_state_display()}", style="List Bullet")
    if section["opinions"]:
        doc.add_paragraph(f"{year}年{month}月会商决定事项的进展：")
        for o in section["opinions"]:
            doc.add_paragraph(f"{o.code} {o.title}：{o.get_state_display()}", style="List Bullet")
    if not section["suggestions"] and not section["opinions"]:
        doc.add_paragraph("上月无需回访的事项。")

    if meeting.note:
        doc.add_heading("三、其他事项", level=2)
        doc.add_paragraph(meeting.note)

    doc.add_paragraph()
    sign = doc.add_paragraph(f"{meeting.station.name}\n{local:%Y年%m月%d日}")
    sign.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
