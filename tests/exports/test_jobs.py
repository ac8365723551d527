"""Export jobs: the ledger export over EXPORT_SYNC_MAX_ROWS becomes a background job run by the worker, with the
same rows as the streamed download, its progress on its page, its file for its requester only, purged after
EXPORT_KEEP_HOURS."""

import datetime as dt
import io

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook

from liaison.events.models import Event
from liaison.exports import registry, services
from liaison.exports.models import ExportJob
from tests.opinions.helpers import make_opinion

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _opinions(cast, n):
    for i in range(n):
        station = cast.station if i % 2 else cast.station_b
        make_opinion(cast, title=f"事项{i}", station=station, actor=cast.staff)


def _rows(data: bytes):
    return list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))


def _streamed(response) -> bytes:
    return b"".join(response.streaming_content)


def test_an_export_up_to_the_threshold_streams_and_a_bigger_one_becomes_a_job(cast, client_for, settings):
    _opinions(cast, 3)
    client = client_for(cast.staff)
    settings.EXPORT_SYNC_MAX_ROWS = 3
    response = client.get("/opinions/export.xlsx")
    assert response.streaming and len(_rows(_streamed(response))) == 4
    assert not ExportJob.objects.exists()
    settings.EXPORT_SYNC_MAX_ROWS = 2
    response = client.get("/opinions/export.xlsx", {"q": "事项", "state": ""})
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/exports/{job.code}/"
    assert (job.state, job.requester, job.kind, job.params, job.rows_total) == (
        "queued",
        cast.staff,
        "ledger",
        {"q": "事项"},
        3,
    )
    assert job.expires_at - job.created_at == dt.timedelta(hours=24)
    page = client.get(response["Location"]).content.decode()
    assert "共 3 条，数据较多，已转为后台生成" in page and "排队中" in page and 'hx-trigger="every 2s"' in page
    again = client.get("/opinions/export.xlsx", {"q": "事项"})  # a reload while it waits: the same job
    assert again["Location"] == response["Location"] and ExportJob.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_the_job_and_only_its_requester_downloads_it(cast, client_for, settings):
    _opinions(cast, 5)
    settings.EXPORT_SYNC_MAX_ROWS = 2
    staff = client_for(cast.staff)
    location = staff.get("/opinions/export.xlsx")["Location"]
    job = ExportJob.objects.get()
    assert staff.get(f"{location}download/").status_code == 404  # not ready yet
    call_command("worker", no_periodic=True, verbosity=0)
    job.refresh_from_db()
    assert (job.state, job.rows_done, job.rows_total) == ("done", 5, 5) and job.finished_at
    assert [e.to_state for e in Event.objects.filter(subject_type="export", subject_id=job.code).order_by("seq")] == [
        "queued",
        "running",
        "done",
    ]
    fragment = staff.get(f"{location}progress/").content.decode()
    assert "已完成" in fragment and "hx-trigger" not in fragment and f"/exports/{job.code}/download/" in fragment
    download = staff.get(f"{location}download/")
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    rows = _rows(_streamed(download))
    assert len(rows) == 6 and {r[5] for r in rows[1:]} == {f"事项{i}" for i in range(5)}
    assert {r[9] for r in rows[1:]} == {"13800001111"}  # staff need the contacts, as in the streamed export
    # Anyone else, however senior, gets 404 for the job, its progress and its file; the list is one's own.
    for user in (cast.leader, cast.head, cast.outsider, cast.admin):
        other = client_for(user)
        for suffix in ("", "progress/", "download/"):
            assert other.get(f"{location}{suffix}").status_code == 404, (user, suffix)
        assert job.code not in other.get("/exports/").content.decode()
    assert job.code in staff.get("/exports/").content.decode()


@pytest.mark.parametrize(
    ("who", "phones"),
    [
        ("staff", {"13800001111"}),
        ("head", {"13800001111"}),
        ("deputy2_user", {"138****1111"}),
        ("leader", {"138****1111"}),
    ],
)
def test_the_job_writes_what_the_streamed_export_writes_for_the_same_viewer(cast, client_for, settings, who, phones):
    _opinions(cast, 6)
    client = client_for(getattr(cast, who))
    settings.EXPORT_SYNC_MAX_ROWS = 100
    streamed = _rows(_streamed(client.get("/opinions/export.xlsx", {"q": "事项"})))
    settings.EXPORT_SYNC_MAX_ROWS = 1
    location = client.get("/opinions/export.xlsx", {"q": "事项"})["Location"]
    services.run_export(code=ExportJob.objects.get().code)
    from_job = _rows(_streamed(client.get(f"{location}download/")))
    assert from_job == streamed and len(streamed) > 2  # same rows (same scope), same masking
    assert {r[9] for r in streamed[1:]} == phones


def _probe_sheet(user, params):
    """A five-row sheet that reads its own job's progress page before each row."""

    def rows():
        for i in range(5):
            PROBE["seen"].append(PROBE["client"].get(PROBE["url"]).content.decode())
            yield [i]

    return registry.Sheet(filename="测试.xlsx", title="测试", headers=["序号"], total=5, rows=rows)


PROBE = {}


def test_the_progress_page_follows_the_rows_written(cast, client_for, monkeypatch):
    monkeypatch.setitem(registry.KINDS, "probe", ("测试导出", "tests.exports.test_jobs._probe_sheet"))
    monkeypatch.setattr(services, "PROGRESS_EVERY", 2)
    job = services.request_export(actor=cast.staff, kind="probe", params={}, filename="测试.xlsx", total=5)
    seen = []
    PROBE.update(client=client_for(cast.staff), url=f"/exports/{job.code}/progress/", seen=seen)
    assert "排队中" in PROBE["client"].get(PROBE["url"]).content.decode()
    assert services.run_export(code=job.code) == 5
    assert all("正在生成" in page and 'hx-trigger="every 2s"' in page for page in seen)
    assert [p.count("已写入 0 / 5") for p in seen] == [1, 1, 0, 0, 0]
    assert "已写入 2 / 5 行（40%）" in seen[2] and "已写入 4 / 5 行（80%）" in seen[4]
    assert "已写入 5 / 5 行（100%）" in PROBE["client"].get(PROBE["url"]).content.decode()


def test_a_failing_job_says_so(cast, client_for, monkeypatch):
    job = services.request_export(actor=cast.staff, kind="ledger", params={}, filename="民情台账.xlsx", total=30000)

    def broken(user, params):
        raise RuntimeError("database went away")

    monkeypatch.setattr(registry, "import_string", lambda path: broken)
    with pytest.raises(RuntimeError):
        services.run_export(code=job.code)
    job.refresh_from_db()
    assert job.state == "failed"
    assert "导出失败" in client_for(cast.staff).get(f"/exports/{job.code}/").content.decode()


def test_expired_files_are_purged_by_the_worker_command(cast, client_for):
    _opinions(cast, 2)
    old = services.request_export(actor=cast.staff, kind="ledger", params={}, filename="民情台账.xlsx", total=2)
    services.run_export(code=old.code)
    fresh = services.request_export(actor=cast.staff, kind="ledger", params={"q": "事项1"}, filename="x.xlsx", total=1)
    services.run_export(code=fresh.code)
    old.refresh_from_db()
    name = old.file.name
    assert default_storage.exists(name)
    ExportJob.objects.filter(pk=old.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    client = client_for(cast.staff)
    assert client.get(f"/exports/{old.code}/download/").status_code == 404  # past its time, before the purge too
    call_command("purge_exports", verbosity=0)
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.state == "expired" and not old.file and not default_storage.exists(name)
    assert fresh.state == "done" and default_storage.exists(fresh.file.name)
    assert "导出文件已过期并删除" in client.get(f"/exports/{old.code}/").content.decode()
    assert client.get(f"/exports/{fresh.code}/download/").status_code == 200
    call_command("purge_exports", verbosity=0)  # idempotent
    assert Event.objects.filter(subject_id=old.code, action="export_expired").count() == 1


def test_the_job_page_speaks_english_too(cast, client_for):
    job = services.request_export(actor=cast.staff, kind="ledger", params={}, filename="民情台账.xlsx", total=30000)
    client = client_for(cast.staff)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get(f"/exports/{job.code}/").content.decode()
    assert "Opinion ledger" in page and "Queued" in page and "0 of 30000 rows written (0%)" in page
    assert "Exports of more than 20000 rows" in client.get("/exports/").content.decode()


def test_an_export_beyond_what_a_sheet_holds_is_refused(cast, client_for, settings, monkeypatch):
    _opinions(cast, 3)
    settings.EXPORT_SYNC_MAX_ROWS = 1
    monkeypatch.setattr(services, "MAX_ROWS", 2)
    response = client_for(cast.staff).get("/opinions/export.xlsx", {"q": "事项"}, follow=True)
    assert response.redirect_chain[-1][0] == "/opinions/?q=%E4%BA%8B%E9%A1%B9"
    assert "超过 Excel 单个表格 2 行的上限" in response.content.decode() and not ExportJob.objects.exists()
