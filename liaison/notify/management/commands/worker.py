"""The background worker: delivers the notification outbox and runs queued tasks.

One iteration by default (what a test calls); `--loop` keeps going every `--interval` seconds.
"""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand

from liaison.notify.services import deliver_pending


class Command(BaseCommand):
    help = "后台工作进程：发送通知、执行排队任务（--loop 持续运行）"

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true")
        parser.add_argument("--interval", type=float, default=5.0)

    def handle(self, *args, loop=False, interval=5.0, **options):
        while True:
            call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
            sent = deliver_pending()
            if sent and options["verbosity"] > 1:
                self.stdout.write(f"sent {sent} notifications")
            if not loop:
                return
            time.sleep(interval)
