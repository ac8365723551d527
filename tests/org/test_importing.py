import io

import pytest
from openpyxl import Workbook, load_workbook

from liaison.org.importing import SHEETS, import_xlsx
from liaison.org.models import Deputy, Mandate, Region, Stationing

pytestmark = pytest.mark.django_db


def xlsx(headers, rows):
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf


def test_it_imports_nothing_when_one_row_is_bad_and_names_row_and_column(cast):
    headers = SHEETS["regions"].headers()
    rows = [
        ["341722100210", "新村一", "村/社区", "341722100", "900"],
        ["341722100211", "新村二", "小组", "341722100", ""],  # bad level on spreadsheet row 3
    ]
    result = import_xlsx("regions", xlsx(headers, rows))
    assert not result.ok
    assert [(e.row, e.column) for e in result.errors] == [(3, "层级")]
    assert "第 3 行「层级」" in str(result.errors[0])
    assert not Region.objects.filter(code="341722100210").exists()


def test_it_reports_unknown_references_and_missing_columns(cast):
    headers = SHEETS["deputies"].headers()
    row = ["D9", "赵六", "男", "13800000000", "", "999999", "县级", "", "", "ST404"]
    result = import_xlsx("deputies", xlsx(headers, [row]))
    messages = {(e.row, e.column) for e in result.errors}
    assert (2, "所在地区编码") in messages and (2, "进驻联络站编码") in messages
    result = import_xlsx("deputies", xlsx(["姓名"], [["赵六"]]))
    assert any(e.column == "代表编号" and "缺少该列" in e.message for e in result.errors)
    assert not Deputy.objects.filter(code="D9").exists()


def test_it_rejects_a_file_that_is_not_xlsx(cast):
    result = import_xlsx("stations", io.BytesIO(b"\x00\x01garbage"))
    assert not result.ok and "xlsx" in result.errors[0].message


def test_it_imports_deputies_with_mandates_and_stationing(cast):
    headers = SHEETS["deputies"].headers()
    row = [
        "D0000099",
        "赵六",
        "女",
        "13800000000",
        "田秀才,乡创客",
        "341722100201",
        "县级;乡镇级",
        "第十八届",
        "桃坑选区",
        "ST341722100201;ST341722100200",
    ]
    result = import_xlsx("deputies", xlsx(headers, [row]))
    assert result.ok and result.created == 1
    d = Deputy.objects.get(code="D0000099")
    assert {m.level: m.region.code for m in d.mandates.all()} == {"county": "341722", "township": "341722100"}
    assert Stationing.objects.filter(deputy=d).count() == 2


def export_bytes(client, kind):
    response = client.get(f"/org/export/{kind}.xlsx")
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def rows_of(data):
    ws = load_workbook(io.BytesIO(data)).active
    return [tuple(c if c is not None else "" for c in r) for r in ws.iter_rows(values_only=True)]


@pytest.mark.parametrize("kind", ["regions", "stations", "deputies", "units"])
def test_it_round_trips_export_and_import_unchanged(cast, client_for, kind):
    client = client_for(cast.admin)
    before = export_bytes(client, kind)
    counts = (Region.objects.count(), Deputy.objects.count(), Mandate.objects.count(), Stationing.objects.count())
    result = import_xlsx(kind, io.BytesIO(before))
    assert result.ok, [str(e) for e in result.errors]
    assert result.created == 0 and result.updated > 0
    assert rows_of(export_bytes(client, kind)) == rows_of(before)
    assert counts == (
        Region.objects.count(),
        Deputy.objects.count(),
        Mandate.objects.count(),
        Stationing.objects.count(),
    )


def test_it_scopes_exports_and_masks_phones(cast, client_for):
    data = rows_of(export_bytes(client_for(cast.outsider), "stations"))
    assert [r[0] for r in data[1:]] == [cast.other_station.code]
    deputies = rows_of(export_bytes(client_for(cast.deputy2_user), "deputies"))
    assert all("****" in r[3] for r in deputies[1:])


def test_it_offers_templates_for_every_sheet(cast, client_for):
    client = client_for(cast.admin)
    for kind, sheet in SHEETS.items():
        data = rows_of(b"".join(client.get(f"/org/import/template/{kind}.xlsx").streaming_content))
        assert list(data[0]) == sheet.headers()


def test_it_imports_through_the_page_and_shows_errors_in_chinese(cast, client_for):
    client = client_for(cast.admin)
    headers = SHEETS["units"].headers()
    bad = xlsx(headers, [["U1", "某单位", "不存在的类型", "341722", "", ""]])
    bad.name = "units.xlsx"
    response = client.post("/org/import/", {"kind": "units", "file": bad})
    text = response.content.decode()
    assert "第 2 行「类型」" in text and "未导入任何数据" in text
