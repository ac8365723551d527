from django.http import Http404
from django.utils import timezone

from .models import ExportJob


def export_jobs_of(user):
    """The user's own export jobs of the last EXPORT_KEEP_HOURS (their files' lifetime), newest first."""
    if not user.is_authenticated:
        return ExportJob.objects.none()
    return ExportJob.objects.filter(requester=user, expires_at__gt=timezone.now())


def access_export_job(user, code: str) -> ExportJob:
    """One job, for its requester only: anyone else (a superior, an administrator) gets 404 like an unknown code."""
    job = ExportJob.objects.filter(requester_id=getattr(user, "pk", None), code=code).first()
    if job is None:
        raise Http404("导出任务不存在或不属于您")
    return job
