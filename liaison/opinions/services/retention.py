"""个人信息保护法 第十九条: personal data is kept no longer than its purpose needs.

An opinion closed more than `PERSONAL_DATA_RETENTION_DAYS` ago (LIAISON_PERSONAL_DATA_RETENTION_DAYS, default
1095 = three years) loses its resident's name and phone (also in the outbox rows of the SMS they were sent) and
the keyed hash of the submitting address; phone and identity-card numbers written into its texts (content,
outcome, reasons, report-back notes) are masked the way the public pages mask them. Everything the statistics
count stays: station, category, channel, deputy, states, dates, rating, photos (re-encoded without metadata on
upload), and every event — the event log holds no name or phone field, so the audit chains stay verifiable.
The purge itself is one more event per opinion.

`manage.py purge_personal_data` runs it (daily from the worker); each opinion is purged once, under a
conditional UPDATE, so concurrent runs do not double it.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from liaison.events.services import record_event
from liaison.lib.masking import redact

from ..models import Opinion, ReportBack
from .common import SUBJECT, S
from .telling import forget_phone

TEXT_FIELDS = ("content", "outcome", "reason")


@dataclass
class PurgeResult:
    cutoff: object
    codes: list[str] = field(default_factory=list)


def due_for_purge(*, now=None, days: int | None = None):
    """The closed opinions past the retention limit whose personal data is still there."""
    days = settings.PERSONAL_DATA_RETENTION_DAYS if days is None else days
    cutoff = (now or timezone.now()) - timedelta(days=days)
    return Opinion.objects.filter(state=S.CLOSED, closed_at__lt=cutoff, purged_at__isnull=True), cutoff


def purge_personal_data(*, now=None, days: int | None = None, dry_run: bool = False) -> PurgeResult:
    days = settings.PERSONAL_DATA_RETENTION_DAYS if days is None else days
    now = now or timezone.now()
    due, cutoff = due_for_purge(now=now, days=days)
    result = PurgeResult(cutoff=cutoff)
    for pk, code in due.order_by("closed_at", "pk").values_list("pk", "code").iterator(chunk_size=500):
        if dry_run or _purge_one(pk, now=now, days=days):
            result.codes.append(code)
    return result


def _purge_one(pk: int, *, now, days: int) -> bool:
    with transaction.atomic():
        opinion = Opinion.objects.filter(pk=pk, purged_at__isnull=True).only("code", *TEXT_FIELDS).first()
        if opinion is None:
            return False
        values = {name: redact(getattr(opinion, name)) for name in TEXT_FIELDS}
        changed = Opinion.objects.filter(pk=pk, purged_at__isnull=True).update(
            resident_name="", resident_phone="", client_hash="", purged_at=now, **values
        )
        if changed != 1:  # another run got there first
            return False
        forget_phone(opinion)  # the outbox rows of the SMS the resident was sent
        for report in ReportBack.objects.filter(opinion_id=pk).only("note"):
            if (note := redact(report.note)) != report.note:
                ReportBack.objects.filter(pk=report.pk).update(note=note)
        record_event(
            subject_type=SUBJECT,
            subject_id=opinion.code,
            action="personal_data_purged",
            actor_label="系统",
            note=f"办结已超过个人信息保存期限（{days} 天），已清除群众姓名、联系电话",
            data={"retention_days": days},
        )
    return True
