from django.core.management.base import BaseCommand

from liaison.demo.cast import account_table


class Command(BaseCommand):
    help = "打印演示账号"

    def handle(self, *args, **options):
        self.stdout.write(account_table())
