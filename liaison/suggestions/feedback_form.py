"""代表建议办理情况征求意见表 (the deputy's feedback form) as .docx (python-docx), one per signing deputy.

The paper fallback of the online evaluation (rural deputies fill it in by hand): the suggestion and its answers
named at the head, the two items the deputy rates — the handling process (contact, consultation) and the result
— each 满意 / 基本满意 / 不满意 to tick, room for comments, the deputy's signature and date. Staff enter a returned
form through the paper evaluation page (views/papers.py → services.evaluate_answer(source="paper")).
"""

import io

from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from .models import Answer, CoSigner, Evaluation, Suggestion

TITLE = "代表建议办理情况征求意见表"
# The two rated items, as the online form asks them (forms.EvaluationForm).
ITEMS = [("process", "对办理过程的意见（联系沟通、面商情况）"), ("result", "对办理结果的意见")]
BOX = "□"


def answers_for(suggestion: Suggestion) -> list[Answer]:
    """The answers the form asks about: the current round's, else the latest answered round's."""
    answers = list(suggestion.answers.select_related("assignment__unit").order_by("-round", "created_at", "id"))
    if not answers:
        return []
    current = [a for a in answers if a.round == suggestion.round]
    return current or [a for a in answers if a.round == answers[0].round]


def render(suggestion: Suggestion, deputy) -> bytes:
    answers = answers_for(suggestion)
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "宋体"
    style.font.size = Pt(12)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    head = doc.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = head.add_run(TITLE)
    run.bold = True
    run.font.size = Pt(18)
    round_no = answers[0].round if answers else suggestion.round
    number = doc.add_paragraph(f"{suggestion.body.name}    表号：{suggestion.code}-{deputy.code}-{round_no}")
    number.alignment = WD_ALIGN_PARAGRAPH.RIGHT

    cosigners = [
        c.deputy.name for c in suggestion.cosigners.filter(state=CoSigner.State.CONFIRMED).select_related("deputy")
    ]
    rows = [
        ("建议案号", suggestion.case_number or suggestion.code),
        ("建议标题", suggestion.title),
        ("领衔代表", suggestion.lead_deputy.name),
        ("附议代表", "、".join(cosigners) or "无"),
        ("征求意见代表", deputy.name),
        ("承办单位", "、".join(f"{a.assignment.unit.name}（{a.assignment.get_role_display()}）" for a in answers)),
        ("答复类别", "、".join(a.class_label for a in answers)),
        ("答复日期", "、".join(f"{timezone.localtime(a.created_at):%Y年%m月%d日}" for a in answers)),
        ("办理轮次", f"第 {round_no} 轮"),
    ]
    table = doc.add_table(rows=len(rows), cols=2)
    table.style = "Table Grid"
    for i, (label, value) in enumerate(rows):
        table.cell(i, 0).text = label
        table.cell(i, 0).paragraphs[0].runs[0].bold = True
        table.cell(i, 1).text = value

    doc.add_paragraph()
    ratings = [label for _value, label in Evaluation.Rating.choices]
    grid = doc.add_table(rows=len(ITEMS) + 1, cols=len(ratings) + 1)
    grid.style = "Table Grid"
    grid.cell(0, 0).text = "测评项目"
    for j, label in enumerate(ratings, 1):
        grid.cell(0, j).text = label
    for i, (_key, label) in enumerate(ITEMS, 1):
        grid.cell(i, 0).text = label
        for j in range(1, len(ratings) + 1):
            grid.cell(i, j).text = BOX
            grid.cell(i, j).paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER

    doc.add_paragraph()
    comments = doc.add_table(rows=1, cols=1)
    comments.style = "Table Grid"
    cell = comments.cell(0, 0)
    cell.text = "意见和建议："
    for _ in range(6):
        cell.add_paragraph("")

    doc.add_paragraph()
    doc.add_paragraph("代表（签名）：________________        ______年____月____日").alignment = WD_ALIGN_PARAGRAPH.RIGHT
    limit = suggestion.body.evaluation_working_days
    doc.add_paragraph(
        f"说明：请在相应栏内打“√”（每项选一），自收到答复之日起 {limit} 个工作日内交回{suggestion.body.name}；"
        "也可登录系统在线测评。"
    )
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
