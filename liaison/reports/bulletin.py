"""月度通报: one scope (county, township, station) and month → figures, ranking, the month's suggestions and
their state, overdue items, commendations; stored as .docx and .xlsx with the figures it was made from."""

import datetime as dt
import io
from dataclasses import replace

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.styles import Font

from liaison.org.models import Region, Station

from . import dashboards
from . import metrics as m
from .models import Bulletin, MonthlyRollup

BULLETIN_FIGURES = [*m.HEADLINE, "opinions", "raised", "accepted", "answered", "closed", "avg_days", "p90_days"]
BULLETIN_FIGURES += ["overdue"]


def _filters(kind: str, obj, month: dt.date) -> m.Filters:
    period = m.Period.month(month)
    if kind == Bulletin.Kind.STATION:
        return m.Filters(period, station=obj)
    return m.Filters(period, region=obj)


def title_for(kind: str, obj, month: dt.date) -> str:
    name = obj.name
    return f"{name}人大代表联络站工作月度通报（{month.year}年{month.month}月）".replace(
        "联络站人大代表联络站", "联络站"
    )


def build(kind: str, obj, month: dt.date) -> dict:
    """The bulletin's content as plain JSON-able data (numbers come from the same rollups as the dashboards)."""
    filters = _filters(kind, obj, month)
    figs = m.figures(filters)
    prev = m.figures(filters.with_period(filters.period.previous()), with_overdue=False)
    figures = []
    for key in BULLETIN_FIGURES:
        metric = m.METRICS[key]
        value = figs.value(key)
        row = {
            "key": key,
            "label": metric.label,
            "value": value,
            "text": m.fmt(key, value),
            "definition": metric.definition,
        }
        row["prev_text"] = m.fmt(key, prev.value(key)) if key != "overdue" else ""
        if metric.is_rate:
            row["num"], row["den"] = figs.parts(key)
        figures.append(row)
    ranking = []
    commendations = []
    if kind != Bulletin.Kind.STATION:
        rank = dashboards.ranking(filters, obj)
        for i, r in enumerate(rank["rows"], 1):
            ranking.append(
                {
                    "rank": i,
                    "name": r["name"],
                    "opinions": r["opinions"],
                    "raised": r["raised"],
                    "closed_rate": r["rates"]["closed_rate"],
                    "feedback_rate": r["rates"]["feedback_rate"],
                    "satisfaction": r["rates"]["satisfaction"],
                }
            )
        good = [r for r in rank["rows"] if (r["values"]["closed_rate"] or 0) >= 0.9 and r["raised"] >= 1]
        commendations = [
            f"{r['name']}：办结率 {r['rates']['closed_rate']}，反馈率 {r['rates']['feedback_rate']}，满意率 {r['rates']['satisfaction']}"
            for r in good[:3]
        ]
    else:
        from django.db.models import Count

        from liaison.opinions.models import Opinion

        start, end = filters.period.bounds()
        top = (
            Opinion.objects.filter(station=obj, created_at__gte=start, created_at__lt=end, deputy__isnull=False)
            .values("deputy__name")
            .annotate(n=Count("pk"))
            .order_by("-n", "deputy__name")[:3]
        )
        commendations = [f"{t['deputy__name']} 代表：本月收集社情民意 {t['n']} 条" for t in top]
    suggestions = [
        {
            "code": s.case_number or s.code,
            "title": s.title,
            "deputy": "（保密）" if s.confidential else s.lead_deputy.name,
            "state": s.get_state_display(),
        }
        for s in m.suggestions_in(filters).select_related("lead_deputy").order_by("submitted_at", "id")[:500]
    ]
    overdue = [
        {
            "code": a.suggestion.case_number or a.suggestion.code,
            "title": a.suggestion.title,
            "unit": a.unit.name,
            "due": f"{a.due_date:%Y-%m-%d}",
        }
        for a in dashboards.overdue_list(replace(filters, period=filters.period), limit=200)
    ]
    return {
        "title": title_for(kind, obj, month),
        "scope": obj.name,
        "month": f"{month:%Y-%m}",
        "period": filters.period.label,
        "figures": figures,
        "ranking": ranking,
        "ranking_label": dashboards.CHILD_LEVEL[obj.level][1] if kind != Bulletin.Kind.STATION else "",
        "suggestions": suggestions,
        "overdue": overdue,
        "commendations": commendations,
        "note": m.COHORT_NOTE,
        "generated_at": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
    }


def for_display(data: dict) -> dict:
    """A stored bulletin's data with today's metric definitions: the 口径 explains a figure and is not part of it,
    so a bulletin generated before a definition was reworded shows the current words."""
    figures = [
        {**f, "definition": m.METRICS[f["key"]].definition} if f.get("key") in m.METRICS else f
        for f in data.get("figures", [])
    ]
    return {**data, "figures": figures}


def render_docx(data: dict) -> bytes:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "宋体"
    style.font.size = Pt(11)
    head = doc.add_heading(data["title"], level=1)
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph(f"统计期：{data['period']}　　生成时间：{data['generated_at']}")
    doc.add_heading("一、主要指标", level=2)
    table = doc.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ["指标", "本月", "上月", "口径"], strict=True):
        cell.text = text
    for f in data["figures"]:
        cells = table.add_row().cells
        value = f["text"] + (f"（{f['num']}/{f['den']}）" if "num" in f else "")
        for cell, text in zip(cells, [f["label"], value, f["prev_text"], f["definition"]], strict=True):
            cell.text = text
    doc.add_paragraph(data["note"])
    if data["ranking"]:
        doc.add_heading(f"二、{data['ranking_label']}排名（按办结率）", level=2)
        table = doc.add_table(rows=1, cols=7)
        table.style = "Table Grid"
        heads = ["名次", data["ranking_label"], "社情民意", "建议", "办结率", "反馈率", "满意率"]
        for cell, text in zip(table.rows[0].cells, heads, strict=True):
            cell.text = text
        for r in data["ranking"]:
            values = [
                r["rank"],
                r["name"],
                r["opinions"],
                r["raised"],
                r["closed_rate"],
                r["feedback_rate"],
                r["satisfaction"],
            ]
            for cell, v in zip(table.add_row().cells, values, strict=True):
                cell.text = str(v)
    doc.add_heading("三、本月代表建议及办理状态", level=2)
    if data["suggestions"]:
        table = doc.add_table(rows=1, cols=4)
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, ["编号", "标题", "领衔代表", "状态"], strict=True):
            cell.text = text
        for s in data["suggestions"]:
            for cell, v in zip(table.add_row().cells, [s["code"], s["title"], s["deputy"], s["state"]], strict=True):
                cell.text = v
    else:
        doc.add_paragraph("本月无新提交的代表建议。")
    doc.add_heading("四、超期未办结事项", level=2)
    if data["overdue"]:
        for o in data["overdue"]:
            doc.add_paragraph(f"{o['code']}　{o['title']}（{o['unit']}，期限 {o['due']}）", style="List Bullet")
    else:
        doc.add_paragraph("无超期事项。")
    doc.add_heading("五、表扬", level=2)
    if data["commendations"]:
        for c in data["commendations"]:
            doc.add_paragraph(c, style="List Bullet")
    else:
        doc.add_paragraph("本月暂无。")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def render_xlsx(data: dict) -> bytes:
    wb = Workbook()
    bold = Font(bold=True)
    ws = wb.active
    ws.title = "主要指标"
    ws.append([data["title"]])
    ws.append(["指标", "本月", "分子", "分母", "上月", "口径"])
    for f in data["figures"]:
        ws.append([f["label"], f["text"], f.get("num"), f.get("den"), f["prev_text"], f["definition"]])
    for sheet_title, heads, rows in (
        (
            "排名",
            ["名次", data["ranking_label"] or "名称", "社情民意", "建议", "办结率", "反馈率", "满意率"],
            [
                [
                    r["rank"],
                    r["name"],
                    r["opinions"],
                    r["raised"],
                    r["closed_rate"],
                    r["feedback_rate"],
                    r["satisfaction"],
                ]
                for r in data["ranking"]
            ],
        ),
        (
            "本月建议",
            ["编号", "标题", "领衔代表", "状态"],
            [[s["code"], s["title"], s["deputy"], s["state"]] for s in data["suggestions"]],
        ),
        (
            "超期事项",
            ["编号", "标题", "承办单位", "期限"],
            [[o["code"], o["title"], o["unit"], o["due"]] for o in data["overdue"]],
        ),
        ("表扬", ["表扬"], [[c] for c in data["commendations"]]),
    ):
        sheet = wb.create_sheet(sheet_title)
        sheet.append(heads)
        for row in rows:
            sheet.append(row)
    for sheet in wb.worksheets:
        for cell in sheet[1]:
            cell.font = bold
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def kind_of(obj) -> str:
    if isinstance(obj, Station):
        return Bulletin.Kind.STATION
    return {
        Region.Level.CITY: Bulletin.Kind.CITY,
        Region.Level.COUNTY: Bulletin.Kind.COUNTY,
        Region.Level.TOWNSHIP: Bulletin.Kind.TOWNSHIP,
    }[obj.level]


def generate(obj, month: dt.date, *, force: bool = False) -> Bulletin:
    """The stored bulletin of a scope and month, generated now if missing (or when forced)."""
    month = m.month_start(month)
    kind = kind_of(obj)
    lookup = {"station": obj} if kind == Bulletin.Kind.STATION else {"region": obj}
    existing = Bulletin.objects.filter(month=month, **lookup).first()
    if existing and not force:
        return existing
    data = build(kind, obj, month)
    stem = f"{obj.code}-{month:%Y-%m}"
    with transaction.atomic():
        bulletin = existing or Bulletin(kind=kind, month=month, **lookup)
        bulletin.title, bulletin.figures, bulletin.generated_at = data["title"], data, timezone.now()
        bulletin.docx.save(f"{stem}.docx", ContentFile(render_docx(data)), save=False)
        bulletin.xlsx.save(f"{stem}.xlsx", ContentFile(render_xlsx(data)), save=False)
        bulletin.save()
    return bulletin


def missing_months(today: dt.date | None = None, since: dt.date | None = None) -> list[dt.date]:
    """Months from the first month with data (or `since`) up to last month."""
    today = today or timezone.localdate()
    last = m.shift_month(m.month_start(today), -1)
    first = since or MonthlyRollup.objects.order_by("month").values_list("month", flat=True).first()
    if first is None:
        return []
    out, month = [], m.month_start(first)
    while month <= last:
        out.append(month)
        month = m.shift_month(month, 1)
    return out


def generate_missing(*, stations: bool = False, today: dt.date | None = None, since: dt.date | None = None) -> int:
    """One pass: every county and township (and station, if asked) bulletin not yet generated, oldest first."""
    scopes = list(Region.objects.filter(level__in=[Region.Level.COUNTY, Region.Level.TOWNSHIP]).order_by("path"))
    if stations:
        scopes += list(Station.objects.filter(is_active=True).select_related("region").order_by("code"))
    made = 0
    for month in missing_months(today, since):
        have_regions = set(
            Bulletin.objects.filter(month=month, region__isnull=False).values_list("region_id", flat=True)
        )
        have_stations = set(
            Bulletin.objects.filter(month=month, station__isnull=False).values_list("station_id", flat=True)
        )
        for obj in scopes:
            have = have_stations if isinstance(obj, Station) else have_regions
            if obj.pk in have:
                continue
            generate(obj, month)
            made += 1
    return made
