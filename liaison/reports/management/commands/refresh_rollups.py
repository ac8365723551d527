"""Bring the monthly rollups up to date from the event log (run by the worker loop or periodically)."""

from django.core.management.base import BaseCommand

from liaison.reports import rollups


class Command(BaseCommand):
    help = "按事件增量刷新月度统计汇总（首次运行或 --full 时全量重建）"

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="从源数据全量重建")

    def handle(self, *args, full=False, **options):
        result = rollups.rebuild() if full else rollups.refresh()
        if options["verbosity"] == 0:
            return
        if result.full:
            self.stdout.write(f"全量重建：{result.rows} 行汇总")
        else:
            self.stdout.write(f"新事件 {result.events} 条，重算 {result.cells} 个月×村单元，{result.rows} 行汇总")
