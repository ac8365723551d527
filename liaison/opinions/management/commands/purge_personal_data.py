"""Blank residents' names and phones on opinions closed longer ago than the retention limit (the worker runs this
daily; liaison/opinions/services/retention.py says what is kept)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from liaison.opinions.services import purge_personal_data


class Command(BaseCommand):
    help = "清除办结已超过保存期限的社情民意中的群众姓名、联系电话（--dry-run 只列出，不清除）"

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="只列出将被清除的事项")
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help=f"保存期限（天），默认 LIAISON_PERSONAL_DATA_RETENTION_DAYS（{settings.PERSONAL_DATA_RETENTION_DAYS}）",
        )

    def handle(self, *args, dry_run=False, days=None, **options):
        if days is not None and days < 1:
            raise CommandError("保存期限至少为 1 天")
        result = purge_personal_data(days=days, dry_run=dry_run)
        cutoff = timezone.localtime(result.cutoff).strftime("%Y-%m-%d")
        if dry_run:
            self.stdout.write(f"{cutoff} 前办结的社情民意中，{len(result.codes)} 件将被清除群众个人信息（未清除）：")
            for code in result.codes:
                self.stdout.write(f"  {code}")
        elif options["verbosity"]:
            self.stdout.write(f"已清除 {cutoff} 前办结的 {len(result.codes)} 件社情民意的群众个人信息")
