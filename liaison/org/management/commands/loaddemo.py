from django.core.management.base import BaseCommand, CommandError

from liaison.demo.cast import account_table
from liaison.demo.loader import DatabaseNotEmpty, load_demo


class Command(BaseCommand):
    help = "载入池州市演示数据（确定性生成；步骤见 liaison/demo/loader.py）"

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="数据库已有数据时跳过")

    def handle(self, *args, if_empty=False, **options):
        try:
            loaded = load_demo(if_empty=if_empty, out=self.stdout.write)
        except DatabaseNotEmpty as e:
            raise CommandError(str(e)) from e
        if loaded:
            self.stdout.write(self.style.SUCCESS("演示数据已载入。"))
            self.stdout.write(account_table())
