"""The background worker: runs queued tasks, delivers the notification outbox, and the periodic jobs.

One iteration by default (what a test calls); `--loop` keeps going every `--interval` seconds. Periodic
jobs are ordinary management commands with a single-iteration mode; each runs when its period has passed.
Several workers may run: tasks and notifications are claimed row by row, and periodic jobs are idempotent.
"""

import logging
import time

from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand
from django.db import transaction

from liaison.notify.services import deliver_pending
from liaison.ops.health import beat

log = logging.getLogger("liaison.worker")

# (command, period in seconds)
PERIODIC_JOBS = [
    ("supervise", 600),
    ("deliver_webhooks", 10),  # the webhooks' outbox (liaison/webhooks), retries with back-off
    ("refresh_rollups", 60),
    ("refresh_topics", 900),  # hot topics and clusters per region and period (liaison/insight/snapshots.py)
    ("monthly_bulletin", 3600),
    ("anchor_audit", 3600),
    ("purge_personal_data", 86400),
    ("purge_exports", 3600),  # export jobs' files, kept EXPORT_KEEP_HOURS
    ("clearsessions", 86400),  # Django's: deletes expired sessions (剩余信息保护)
]


class Command(BaseCommand):
    help = "后台工作进程：执行排队任务、发送通知、运行定时作业（--loop 持续运行）"

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true")
        parser.add_argument("--interval", type=float, default=5.0)
        parser.add_argument("--no-periodic", action="store_true", help="只处理任务和通知")

    def handle(self, *args, loop=False, interval=5.0, no_periodic=False, **options):
        last_run: dict[str, float] = {}
        available = get_commands()
        while True:
            beat()  # /readyz turns 503 when this stops for longer than LIAISON_WORKER_HEARTBEAT_MAX
            # db_worker calls close_old_connections(), which closes a connection that is inside a transaction
            # (a test on PostgreSQL): run queued tasks only outside one — always the case in production.
            if not transaction.get_connection().in_atomic_block:
                call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
            if not no_periodic:
                now = time.monotonic()
                for name, period in PERIODIC_JOBS:
                    if name in available and now - last_run.get(name, -period) >= period:
                        last_run[name] = now
                        try:
                            call_command(name, verbosity=0)
                        except Exception:  # one failing job must not stop the worker
                            log.exception("periodic job %s failed", name)
            sent = deliver_pending()
            if sent and options["verbosity"] > 1:
                self.stdout.write(f"sent {sent} notifications")
            if not loop:
                return
            time.sleep(interval)
