"""A deputy's record of a mediated dispute (矛盾纠纷化解)."""

from django.db import transaction

from liaison.events.services import record_event
from liaison.lib.codes import new_code
from liaison.lib.errors import DomainError
from liaison.org.models import Stationing

from .. import lifecycle
from ..models import Mediation
from ..validation import clean_past_date, clean_text


def record_mediation(*, deputy, station, date, parties: str, subject: str, steps: str, result: str, actor) -> Mediation:
    lifecycle.require_own_record(actor, deputy, "矛盾纠纷化解")
    if result not in Mediation.Result.values:
        raise DomainError("请选择调解结果")
    date = clean_past_date(date, label="调解日期")
    if station is not None and not Stationing.objects.filter(deputy=deputy, station=station).exists():
        raise DomainError("该代表未进驻此联络站")
    with transaction.atomic():
        mediation = Mediation.objects.create(
            code=new_code("T", 8),
            deputy=deputy,
            station=station,
            date=date,
            parties=clean_text(parties, label="当事人", max_length=200),
            subject=clean_text(subject, label="纠纷事由", max_length=200),
            steps=clean_text(steps, label="调解经过"),
            result=result,
            created_by=actor,
        )
        record_event(
            subject_type="mediation",
            subject_id=mediation.code,
            action="mediation_recorded",
            actor=actor,
            note=f"{mediation.subject}：{mediation.get_result_display()}",
        )
    return mediation
