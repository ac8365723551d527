"""Writes of export jobs: the request (the web side), the run (the worker's side), the purge of expired files."""

import datetime as dt
import logging
import secrets
import tempfile

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from liaison.events.services import record_event, transition, transition_each
from liaison.lib.errors import DomainError
from liaison.lib.xlsx import MAX_ROWS, write_xlsx

from .models import ExportJob
from .registry import KINDS, sheet_for

log = logging.getLogger("liaison.exports")
SUBJECT = "export"
S = ExportJob.State
TABLE = {
    S.QUEUED: {S.RUNNING, S.FAILED, S.EXPIRED},
    S.RUNNING: {S.DONE, S.FAILED, S.EXPIRED},
    S.DONE: {S.EXPIRED},
    S.FAILED: {S.EXPIRED},
}
PROGRESS_EVERY = 1000  # rows between two progress updates


def request_export(*, actor, kind: str, params: dict, filename: str, total: int) -> ExportJob:
    """Queue an export job for `actor` (its requester). The same export asked again while one is queued or
    running is that job, not a second one (a double click, a reload)."""
    if kind not in KINDS:
        raise DomainError("不支持的导出内容")
    if total > MAX_ROWS:
        raise DomainError(f"共 {total} 条，超过 Excel 单个表格 {MAX_ROWS} 行的上限，请按地区或月份缩小范围后分别导出")
    params = {k: v for k, v in sorted(params.items()) if v not in ("", None)}
    with transaction.atomic():
        same = ExportJob.objects.filter(
            requester=actor, kind=kind, state__in=[S.QUEUED, S.RUNNING], expires_at__gt=timezone.now()
        )
        for job in same.select_for_update():
            if job.params == params:
                return job
        now = timezone.now()
        job = ExportJob.objects.create(
            code=secrets.token_hex(8),
            requester=actor,
            kind=kind,
            params=params,
            filename=filename,
            rows_total=total,
            created_at=now,
            expires_at=now + dt.timedelta(hours=settings.EXPORT_KEEP_HOURS),
        )
        record_event(
            subject_type=SUBJECT,
            subject_id=job.code,
            action="export_requested",
            actor=actor,
            to_state=S.QUEUED,
            data={"kind": kind, "params": params, "rows": total},
        )
        from .tasks import run_export_job

        run_export_job.enqueue(job.code)  # the task row commits with the job
    return job


def run_export(*, code: str) -> int:
    """Write the job's file as its requester would have downloaded it; returns the rows written."""
    job = ExportJob.objects.select_related("requester").get(code=code)
    with transaction.atomic():
        _move(job, S.RUNNING, "export_started")
    name = ""
    try:
        sheet = sheet_for(job.kind, job.requester, job.params)
        ExportJob.objects.filter(pk=job.pk).update(rows_total=sheet.total, rows_done=0)
        job.rows_total = sheet.total
        with tempfile.TemporaryFile() as tmp:
            write_xlsx(tmp, sheet.title, sheet.headers, _counting(job, sheet.rows()))
            tmp.seek(0)
            day = timezone.localdate().strftime("%Y/%m/%d")
            name = default_storage.save(f"exports/{day}/{secrets.token_hex(16)}.xlsx", File(tmp))
        with transaction.atomic():
            _move(
                job,
                S.DONE,
                "export_done",
                updates={"file": name, "rows_done": job.rows_done, "finished_at": timezone.now()},
                data={"rows": job.rows_done},
            )
    except Exception:
        log.exception("export job %s failed", code)
        if name:
            default_storage.delete(name)
        job.refresh_from_db()
        if job.state == S.RUNNING:
            with transaction.atomic():
                _move(job, S.FAILED, "export_failed", updates={"finished_at": timezone.now()})
        raise
    return job.rows_done


def _counting(job: ExportJob, rows):
    done = 0
    for row in rows:
        yield row
        done += 1
        if done % PROGRESS_EVERY == 0:
            ExportJob.objects.filter(pk=job.pk).update(rows_done=done)
    job.rows_done = done


def _move(job, to, action, *, updates=None, data=None):
    transition(
        job,
        table=TABLE,
        to=to,
        action=action,
        actor=None,
        subject_type=SUBJECT,
        subject_id=job.code,
        updates=updates,
        data=data,
    )


def purge_expired_exports(*, now=None) -> int:
    """Expired jobs (EXPORT_KEEP_HOURS after their request): their files deleted, their state 已过期."""
    now = now or timezone.now()
    stale = list(ExportJob.objects.filter(expires_at__lte=now).exclude(state=S.EXPIRED))
    files = {job.pk: job.file.name for job in stale}
    moved = transition_each(
        stale,
        table=TABLE,
        to=S.EXPIRED,
        action="export_expired",
        actor=None,
        subject=lambda job: (SUBJECT, job.code),
        updates={"file": ""},
    )
    for job in moved:
        if files[job.pk]:
            default_storage.delete(files[job.pk])
    return len(moved)
