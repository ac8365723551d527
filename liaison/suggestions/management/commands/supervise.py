"""督办: flag assignments near or past their limits, mark missed commitments, remind staff of accepted suggestions
not assigned in time, queue reminders (催办).

One iteration by default; `--loop` runs every `--interval` seconds. Idempotent: a second run sends nothing twice.
"""

import time

from django.core.management.base import BaseCommand

from liaison.suggestions.services import supervision


class Command(BaseCommand):
    help = "督办巡查：临期/超期标识、承诺逾期、逾期未交办、催办提醒（--loop 持续运行）"

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true")
        parser.add_argument("--interval", type=float, default=3600.0)

    def handle(self, *args, loop=False, interval=3600.0, **options):
        while True:
            result = supervision.run()
            if options["verbosity"] > 0:
                self.stdout.write(
                    f"督办巡查：新增超期 {result.red} 件，临期 {result.yellow} 件，"
                    f"承诺逾期 {result.missed_commitments} 项（转跟踪办理 {result.follow_ups} 件），"
                    f"逾期未交办 {result.assign_overdue} 件，"
                    f"通知 {result.notifications} 条"
                )
            if not loop:
                return
            time.sleep(interval)
