"""个人信息保护法 on the opinion pages: residents' names and phones are masked by default; whoever needs them
(selectors.sees_contacts) sees them unmasked on a reasoned request, and each such view is logged
(liaison.security: 个人信息访问日志, read-only in the admin)."""

from django.db import transaction

from liaison.lib.errors import DomainError, NotAllowed
from liaison.security.services import record_personal_data_access

from ..models import Opinion
from ..selectors import sees_contacts
from ..validation import clean_text
from .common import SUBJECT

NAME, PHONE = "群众姓名", "联系电话"


def reveal_resident_contacts(*, opinion: Opinion, actor, reason: str, address: str) -> list[str]:
    """Log that `actor` looks at the opinion's resident contacts, for `reason`; the fields they may now be shown."""
    if not sees_contacts(actor, opinion.station, opinion):
        raise NotAllowed("只有本站的联络员、站长、收集代表和本地区人大工作人员可以查看群众联系方式")
    reason = clean_text(reason, label="查看理由", max_length=200)
    fields = [label for label, value in ((NAME, opinion.resident_name), (PHONE, opinion.resident_phone)) if value]
    if not fields:
        raise DomainError("该事项没有登记群众姓名或联系电话")
    with transaction.atomic():
        record_personal_data_access(
            actor=actor, subject_type=SUBJECT, subject_code=opinion.code, fields=fields, reason=reason, address=address
        )
    return fields


def log_ledger_export(*, actor, query: str, address: str) -> None:
    """The ledger export carries contacts unmasked for the stations the actor needs them for: one log row per
    export, naming its filters (the export asks no reason; it is a working list of the station's ledger)."""
    record_personal_data_access(
        actor=actor,
        subject_type="opinion_export",
        subject_code=query or "（全部）",
        fields=[NAME, PHONE],
        reason="导出民情台账",
        address=address,
    )
