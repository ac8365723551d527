"""Rebuild the rollups from the source tables and report any difference from what was stored."""

from django.core.management.base import BaseCommand, CommandError

from liaison.reports import rollups


class Command(BaseCommand):
    help = "从源数据重算全部月度汇总，并报告与已存汇总的差异（有差异时以非零状态退出）"

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="只比较，不替换已存汇总")

    def handle(self, *args, dry_run=False, **options):
        diffs = rollups.recount(fix=not dry_run)
        if not diffs:
            self.stdout.write("重算完成：汇总与源数据一致，没有差异。")
            return
        for line in diffs[:200]:
            self.stdout.write(line)
        if len(diffs) > 200:
            self.stdout.write(f"……共 {len(diffs)} 处差异")
        raise CommandError(f"汇总与源数据有 {len(diffs)} 处差异" + ("" if dry_run else "（已按源数据重建）"))
