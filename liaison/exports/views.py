"""The requester's export jobs: the list, one job's page with its progress (polled by htmx), the file."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from liaison.lib.xlsx import XLSX_TYPE

from .registry import KINDS
from .selectors import access_export_job, export_jobs_of


def _label(job) -> str:
    return KINDS.get(job.kind, (job.kind,))[0]


@login_required
def export_list(request):
    jobs = list(export_jobs_of(request.user)[:50])
    for job in jobs:
        job.label = _label(job)
    context = {"jobs": jobs, "sync_max": settings.EXPORT_SYNC_MAX_ROWS, "keep_hours": settings.EXPORT_KEEP_HOURS}
    return render(request, "exports/list.html", context)


@never_cache
@login_required
def export_job(request, code):
    job = access_export_job(request.user, code)
    job.label = _label(job)
    return render(request, "exports/job.html", {"job": job})


@never_cache
@login_required
def export_progress(request, code):
    job = access_export_job(request.user, code)
    return render(request, "exports/_progress.html", {"job": job})


@never_cache
@login_required
def export_download(request, code):
    job = access_export_job(request.user, code)
    if not job.ready:
        raise Http404("导出文件尚未生成或已过期")
    try:
        handle = job.file.open("rb")
    except FileNotFoundError:
        raise Http404("导出文件已过期") from None
    return FileResponse(handle, as_attachment=True, filename=job.filename, content_type=XLSX_TYPE)
