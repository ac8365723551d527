"""Readiness: is this instance able to serve, and is the rest of the system keeping up?

Each check returns (ok, detail). `/readyz` runs them all and answers 503 with the failing ones named, so a load
balancer takes the instance out and an operator sees why. Thresholds are settings (README "Configuration"):
LIAISON_WORKER_HEARTBEAT_MAX, LIAISON_OUTBOX_LAG_MAX, LIAISON_ROLLUP_LAG_MAX (seconds).
"""

import socket

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from .models import Heartbeat

WORKER = "worker"


def beat(name: str = WORKER) -> None:
    """Record that `name` is alive (the worker calls this on every iteration)."""
    Heartbeat.objects.update_or_create(name=name, defaults={"beat_at": timezone.now(), "host": socket.gethostname()})


def _age(when) -> float | None:
    return None if when is None else (timezone.now() - when).total_seconds()


def check_database():
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
    return True, "ok"


def check_migrations():
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        return False, f"{len(pending)} 个数据库迁移未执行（manage.py migrate）"
    return True, "ok"


def check_worker():
    row = Heartbeat.objects.filter(name=WORKER).first()
    age = _age(row.beat_at if row else None)
    limit = settings.LIAISON_WORKER_HEARTBEAT_MAX
    if age is None:
        return False, "后台进程从未运行（manage.py worker --loop）"
    if age > limit:
        return False, f"后台进程 {int(age)} 秒无心跳（上限 {limit} 秒）"
    return True, f"{int(age)} 秒前"


def check_outbox():
    from liaison.notify.models import Notification

    oldest = (
        Notification.objects.filter(status=Notification.Status.PENDING).order_by("created_at").values("created_at")
    ).first()
    age = _age(oldest["created_at"] if oldest else None) or 0
    limit = settings.LIAISON_OUTBOX_LAG_MAX
    if age > limit:
        return False, f"最早的待发通知已等待 {int(age)} 秒（上限 {limit} 秒）"
    return True, f"{int(age)} 秒"


def check_rollups():
    from liaison.reports.models import RollupState

    state = RollupState.objects.order_by("pk").first()
    age = _age(state.last_run_at if state else None)
    limit = settings.LIAISON_ROLLUP_LAG_MAX
    if age is None:
        return False, "统计汇总从未刷新（manage.py refresh_rollups）"
    if age > limit:
        return False, f"统计汇总 {int(age)} 秒未刷新（上限 {limit} 秒）"
    return True, f"{int(age)} 秒前"


CHECKS = {
    "database": check_database,
    "migrations": check_migrations,
    "worker": check_worker,
    "outbox": check_outbox,
    "rollups": check_rollups,
}


def readiness() -> tuple[bool, dict]:
    results = {}
    for name, check in CHECKS.items():
        try:
            ok, detail = check()
        except Exception as exc:  # a check that cannot run is a failed check, never a 500
            ok, detail = False, f"{type(exc).__name__}: {exc}"[:200]
        results[name] = {"ok": ok, "detail": detail}
        if name == "database" and not ok:
            break  # nothing else can be checked without the database
    return all(r["ok"] for r in results.values()), results
