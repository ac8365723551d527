"""Generate the monthly bulletins (月度通报) not yet generated, up to last month — one iteration.

Run on the 1st of each month (cron, or the worker loop). A missed run is caught up next time: every month
from the first month with data is checked, so a month is generated late, never skipped.
"""

from django.core.management.base import BaseCommand

from liaison.reports import bulletin, rollups
from liaison.reports.metrics import parse_month


class Command(BaseCommand):
    help = "生成截至上月尚未生成的县、乡镇（可选联络站）月度通报"

    def add_arguments(self, parser):
        parser.add_argument("--stations", action="store_true", help="同时生成各联络站的月度通报")
        parser.add_argument("--since", default="", help="最早月份 YYYY-MM（默认：有数据的第一个月）")

    def handle(self, *args, stations=False, since="", **options):
        rollups.refresh()
        made = bulletin.generate_missing(stations=stations, since=parse_month(since) if since else None)
        self.stdout.write(f"生成月度通报 {made} 份")
