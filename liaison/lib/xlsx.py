"""xlsx writing (streamed) and reading (openpyxl).

Writing streams: `iter_xlsx()` yields the file's bytes while the rows are still being read, so an export's first
bytes leave before its query has finished and memory stays flat whatever the row count. openpyxl's write-only
mode and xlsxwriter's constant_memory mode both keep the sheet in a temporary file and zip it at save, so nothing
could leave before the last row; an xlsx is a zip of a few fixed XML parts and one sheet, so the sheet's XML is
written here (inline strings, one style for the bold header, two for dates) into the standard library's zipfile
over a write-only sink, deflating as it goes (zip data descriptors: no seeking back). Measured on the ledger's
shape (docs/benchmarks.md, "Exports"): faster than openpyxl's write-only mode as well.

Cells are text, numbers, booleans, dates and datetimes (aware ones in local time); anything else (NaN and infinities
too, which a sheet cannot hold as numbers) is its str().
Text that would start a formula (= + - @) is stored with a leading apostrophe (formula injection, as before);
characters XML 1.0 cannot carry (control characters) are dropped rather than failing the whole export.
"""

import datetime as dt
import math
import re
import zipfile
from collections.abc import Iterable, Iterator
from decimal import Decimal
from urllib.parse import quote
from xml.sax.saxutils import escape

from django.http import StreamingHttpResponse
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 64 * 1024  # bytes handed on at a time
MAX_ROWS = 1_048_575  # data rows a sheet holds under its header (Excel's limit: 1,048,576 rows)
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_EPOCH = dt.datetime(1899, 12, 30)
_BOLD, _DATE, _DATETIME = 1, 2, 3  # cellXfs indexes in _STYLES

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
    'Target="styles.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
_SHEET_TAIL = "</sheetData></worksheet>"


class _Sink:
    """A write-only file for zipfile (no tell/seek: zipfile then writes data descriptors); drained by iter_xlsx."""

    def __init__(self):
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        self.size += len(data)
        return len(data)

    def flush(self):
        pass

    def drain(self) -> bytes:
        data = b"".join(self.parts)
        self.parts, self.size = [], 0
        return data


def iter_xlsx(title: str, headers: list[str], rows: Iterable[Iterable]) -> Iterator[bytes]:
    """The bytes of a one-sheet xlsx, in chunks of about CHUNK bytes, produced while `rows` is read."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK.format(name=_sheet_name(title)))
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/styles.xml", _STYLES)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(_SHEET_HEAD.encode())
            sheet.write(_row(1, headers, _BOLD).encode())
            yield sink.drain()  # the first bytes leave before the rows' query has run
            buffer, buffered = [], 0
            for n, row in enumerate(rows, start=2):
                text = _row(n, row)
                buffer.append(text)
                buffered += len(text)
                if buffered >= CHUNK:
                    sheet.write("".join(buffer).encode())
                    buffer, buffered = [], 0
                    if sink.size >= CHUNK:
                        yield sink.drain()
            buffer.append(_SHEET_TAIL)
            sheet.write("".join(buffer).encode())
    yield sink.drain()


def write_xlsx(fileobj, title: str, headers: list[str], rows: Iterable[Iterable]) -> None:
    for chunk in iter_xlsx(title, headers, rows):
        fileobj.write(chunk)


def xlsx_response(filename: str, title: str, headers: list[str], rows: Iterable[Iterable]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(iter_xlsx(title, headers, rows), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


_COLUMNS = tuple(get_column_letter(i) for i in range(1, 257))


def _column(i: int) -> str:
    return _COLUMNS[i] if i < len(_COLUMNS) else get_column_letter(i + 1)


def _row(n: int, values: Iterable, style: int = 0) -> str:
    cells = [f'<row r="{n}">']
    s = f' s="{style}"' if style else ""
    for i, value in enumerate(values):
        if value is None or value == "":
            continue
        ref = f"{_column(i)}{n}"
        if isinstance(value, str):
            cells.append(f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{_text(value)}</t></is></c>')
        elif isinstance(value, bool):
            cells.append(f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>')
        elif isinstance(value, int | float | Decimal) and math.isfinite(value):
            cells.append(f'<c r="{ref}"{s}><v>{value}</v></c>')
        elif isinstance(value, dt.datetime):
            if timezone.is_aware(value):
                value = timezone.make_naive(timezone.localtime(value))
            serial = (value - _EPOCH).total_seconds() / 86400
            cells.append(f'<c r="{ref}" s="{_DATETIME}"><v>{serial}</v></c>')
        elif isinstance(value, dt.date):
            cells.append(f'<c r="{ref}" s="{_DATE}"><v>{(value - _EPOCH.date()).days}</v></c>')
        else:
            cells.append(f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{_text(str(value))}</t></is></c>')
    cells.append("</row>")
    return "".join(cells)


def _text(value: str) -> str:
    if value[:1] in ("=", "+", "-", "@") and not _is_number(value):
        value = "'" + value  # would be a formula in Excel once edited (CSV/formula injection): kept as text
    if _ILLEGAL.search(value):
        value = _ILLEGAL.sub("", value)
    return escape(value)


def _sheet_name(title: str) -> str:
    name = re.sub(r"[\[\]:*?/\\]", "", title)[:31] or "Sheet1"
    return escape(name, {'"': "&quot;"})


def _is_number(s: str) -> bool:
    try:
        float(s)
        return True
    except ValueError:
        return False


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
