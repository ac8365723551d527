from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string

from liaison.org.demo import DEMO_EXTENSIONS, account_table, load_demo
from liaison.org.models import Region


class Command(BaseCommand):
    help = "载入池州市演示数据（确定性生成）"

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="数据库已有数据时跳过")

    def handle(self, *args, if_empty=False, **options):
        if Region.objects.exists():
            if if_empty:
                self.stdout.write("数据库已有数据，跳过演示数据载入。")
                return
            raise CommandError("数据库已有数据；演示数据只能载入空数据库")
        summary = load_demo()
        self.stdout.write(
            self.style.SUCCESS(
                f"演示数据已载入：{summary['regions']} 个区域，{summary['stations']} 个联络站，"
                f"{summary['deputies']} 名代表，{summary['units']} 个承办单位。"
            )
        )
        for dotted in DEMO_EXTENSIONS:
            message = import_string(dotted)()
            if message:
                self.stdout.write(message)
        self.stdout.write(account_table())
