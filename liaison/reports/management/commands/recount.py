"""Rebuild the rollups from the source tables and report any difference from what was stored; then check the
rebuilt rollups against the independent SQL recount (liaison/reports/independent.py, written from PRODUCT.md's
metric definitions and sharing no classification code with the rollups) and report every metric part where they
disagree; and check every figure of the handling units' year-end scoring (unit_scoring.py, every active unit and
year) against its own independent recount (liaison/reports/independent_units.py). Either kind of difference makes
the command exit non-zero; only the first is repaired by the rebuild."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from liaison.org.models import Region
from liaison.reports import independent, independent_units, rollups, unit_scoring

MAX_LINES = 200


class Command(BaseCommand):
    help = (
        "从源数据重算全部月度汇总，并报告与已存汇总的差异；再与按 PRODUCT.md 指标定义独立编写的 SQL 重算核对，"
        "报告口径不一致的指标；并核对承办单位办理工作考核的各项数字（有任一差异时以非零状态退出）"
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="只比较，不替换已存汇总")

    def handle(self, *args, dry_run=False, **options):
        with transaction.atomic():  # one transaction: the rebuild and the independent count read the same rows
            fresh = rollups.build(None)
            diffs = rollups.recount(fix=not dry_run, fresh=fresh)
            disagreements = independent.compare(fresh.values())
            today = timezone.localdate()
            units = independent_units.compare(scored_units(independent_units.years(), today), today=today)
        if not diffs:
            self.stdout.write("重算完成：汇总与源数据一致，没有差异。")
        for line in diffs[:MAX_LINES]:
            self.stdout.write(line)
        if len(diffs) > MAX_LINES:
            self.stdout.write(f"……共 {len(diffs)} 处差异")
        if disagreements:
            for line in disagreements:
                self.stdout.write(line)
        else:
            self.stdout.write("独立核对：汇总与按指标定义直接编写的 SQL 重算一致。")
        for line in units:
            self.stdout.write(line)
        if not units:
            self.stdout.write("独立核对：承办单位办理工作考核的各项数字与独立重算一致。")
        errors = []
        if diffs:
            errors.append(f"汇总与源数据有 {len(diffs)} 处差异" + ("" if dry_run else "（已按源数据重建）"))
        if disagreements:
            errors.append(f"{len(disagreements)} 项指标的汇总与独立重算不一致（统计口径有误，重建不能修复）")
        if units:
            errors.append(f"承办单位考核有 {len(units)} 项数字与独立重算不一致（考核口径有误）")
        if errors:
            raise CommandError("；".join(errors))


def scored_units(years, today) -> dict[tuple[int, int], dict]:
    """The scoring page's figures, {(unit id, year): values}, for every active unit (under the root regions)."""
    out = {}
    for region in Region.objects.filter(parent__isnull=True):
        for year in years:
            for row in unit_scoring.score_units(region, year, today=today):
                out[(row["unit"].pk, year)] = row["values"]
    return out
