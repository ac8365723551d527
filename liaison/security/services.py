"""Writing the security logs. Each row is also written to the `liaison.audit` logger, so a deployment can keep a
copy on its central log server (等保 2.0 安全管理中心: 集中审计), outside the application's database."""

import logging

from .models import LoginRecord, PersonalDataAccess

audit_log = logging.getLogger("liaison.audit")


def client_address(request) -> str:
    """The client's address as the request carries it. REMOTE_ADDR is made trustworthy behind proxies by
    liaison.lib.proxies (LIAISON_TRUSTED_PROXIES) before any view runs."""
    if request is None:
        return ""
    return (request.META.get("REMOTE_ADDR") or "")[:45]


def record_login(kind: str, *, request, username: str = "", user=None) -> LoginRecord:
    agent = request.META.get("HTTP_USER_AGENT", "") if request is not None else ""
    row = LoginRecord.objects.create(
        kind=kind,
        username=(username or (user.get_username() if user is not None else ""))[:150],
        user=user if getattr(user, "pk", None) else None,
        address=client_address(request),
        user_agent=agent[:300],
    )
    audit_log.info("login kind=%s username=%s address=%s", row.kind, row.username, row.address)
    return row


def record_personal_data_access(
    *, actor, subject_type: str, subject_code: str, fields: list[str], reason: str, address: str
) -> PersonalDataAccess:
    """One row of the personal-data access log. Callers decide first whether the actor may see the data."""
    row = PersonalDataAccess.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=(actor.get_username() if getattr(actor, "pk", None) else str(actor or ""))[:150],
        subject_type=subject_type,
        subject_code=subject_code[:200],
        fields="、".join(fields)[:200],
        reason=reason[:200],
        address=address[:45],
    )
    audit_log.info(
        "personal-data actor=%s subject=%s:%s fields=%s address=%s reason=%s",
        row.actor_label,
        row.subject_type,
        row.subject_code,
        row.fields,
        row.address,
        row.reason,
    )
    return row
