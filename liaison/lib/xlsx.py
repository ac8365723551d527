"""xlsx writing and reading (openpyxl). Writing is row-streamed: write-only workbook into a temp file,
so a 100,000-row export keeps memory flat; the file is then streamed to the client."""

import tempfile
from collections.abc import Iterable
from urllib.parse import quote

from django.http import FileResponse
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def write_xlsx(fileobj, title: str, headers: list[str], rows: Iterable[Iterable]) -> None:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=title[:31])
    bold = Font(bold=True)
    header_cells = []
    for h in headers:
        cell = WriteOnlyCell(ws, value=h)
        cell.font = bold
        header_cells.append(cell)
    ws.append(header_cells)
    for row in rows:
        ws.append([_safe(v) for v in row])
    wb.save(fileobj)


def _safe(value):
    # Cells starting with = + - @ would be formulas in Excel (CSV/formula injection): store as text.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") and not _is_number(value):
        return "'" + value
    return value


def _is_number(s: str) -> bool:
    try:
        float(s)
        return True
    except ValueError:
        return False


def xlsx_response(filename: str, title: str, headers: list[str], rows: Iterable[Iterable]) -> FileResponse:
    tmp = tempfile.TemporaryFile()
    write_xlsx(tmp, title, headers, rows)
    tmp.seek(0)
    response = FileResponse(tmp, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def read_rows(fileobj) -> tuple[list[str], list[tuple]]:
    """Headers and data rows of the first sheet (values only). Raises ValueError on a non-xlsx file."""
    try:
        wb = load_workbook(fileobj, read_only=True, data_only=True)
    except Exception as exc:  # zipfile.BadZipFile, KeyError, InvalidFileException…
        raise ValueError("文件不是有效的 xlsx 表格") from exc
    ws = wb.worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    wb.close()
    if not rows:
        return [], []
    headers = [str(h).strip() if h is not None else "" for h in rows[0]]
    data = [r for r in rows[1:] if any(v not in (None, "") for v in r)]
    return headers, data
