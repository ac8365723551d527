import datetime as dt
import io
import zipfile
from decimal import Decimal

from django.utils import timezone
from openpyxl import load_workbook

from liaison.lib.xlsx import XLSX_TYPE, iter_xlsx, read_rows, write_xlsx, xlsx_response

HEADERS = ["编号", "文字", "数量", "日期"]


def _book(data: bytes):
    return load_workbook(io.BytesIO(data))


def test_it_writes_what_a_spreadsheet_reads_back():
    aware = timezone.make_aware(dt.datetime(2026, 3, 4, 10, 30))
    rows = [
        ["A1", "路灯 <不亮> & “井盖”", 3, dt.date(2026, 3, 4)],
        ["A2", "  前后有空格  ", 2.5, aware],
        ["A3", '=HYPERLINK("http://x")', Decimal("7.25"), None],
        ["A4", "换行\n第二行\x0b控制符", True, ""],
        ["A5", "-5", -5, "+86 138"],
        ["A6", float("nan"), Decimal("Infinity"), 10**20],
    ]
    out = io.BytesIO()
    write_xlsx(out, "民情:台账/2026", HEADERS, rows)
    assert zipfile.ZipFile(io.BytesIO(out.getvalue())).testzip() is None
    book = _book(out.getvalue())
    sheet = book.active
    assert sheet.title == "民情台账2026"  # characters a sheet name may not hold are dropped
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == tuple(HEADERS) and sheet["A1"].font.b
    assert values[1] == ("A1", "路灯 <不亮> & “井盖”", 3, dt.datetime(2026, 3, 4))
    assert sheet["D2"].number_format == "yyyy-mm-dd"
    assert values[2] == ("A2", "  前后有空格  ", 2.5, dt.datetime(2026, 3, 4, 10, 30))  # aware: in local time
    assert values[3] == ("A3", '\'=HYPERLINK("http://x")', 7.25, None)  # never a formula
    assert values[4] == ("A4", "换行\n第二行控制符", True, None)
    assert values[5] == ("A5", "-5", -5, "'+86 138")
    assert values[6] == ("A6", "nan", "Infinity", 10**20)  # not numbers a sheet can hold: their text
    assert read_rows(io.BytesIO(out.getvalue()))[0] == HEADERS


def test_it_yields_the_first_bytes_before_reading_any_row():
    read = []

    def rows():
        for i in range(30000):
            read.append(i)
            yield [f"M{i:06d}", "村口的路灯坏了三个月，晚上出行很不方便" * 3, i, None]

    chunks = iter_xlsx("台账", HEADERS, rows())
    first = next(chunks)
    assert first.startswith(b"PK") and read == []
    rest = list(chunks)
    assert len(rest) > 2  # handed on in pieces while the rows are read, not as one file at the end
    sheet = _book(first + b"".join(rest)).active
    assert sheet.max_row == 30001 and sheet["A30001"].value == "M029999" and sheet["C30001"].value == 29999


def test_the_response_streams_an_attachment_named_in_chinese():
    response = xlsx_response("民情台账.xlsx", "民情台账", HEADERS, iter([["A1", "x", 1, None]]))
    assert response.streaming and response["Content-Type"] == XLSX_TYPE
    assert response["Content-Disposition"] == "attachment; filename*=UTF-8''%E6%B0%91%E6%83%85%E5%8F%B0%E8%B4%A6.xlsx"
    rows = list(_book(b"".join(response.streaming_content)).active.iter_rows(values_only=True))
    assert rows == [tuple(HEADERS), ("A1", "x", 1, None)]


def test_an_empty_sheet_has_its_headers():
    rows = list(_book(b"".join(iter_xlsx("空", HEADERS, []))).active.iter_rows(values_only=True))
    assert rows == [tuple(HEADERS)]
