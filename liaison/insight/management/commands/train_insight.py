from django.core.management.base import BaseCommand

from liaison.insight.services import train


class Command(BaseCommand):
    help = "用本站已分类的社情民意和代表建议训练分类模型（保存为普通数组，不使用 pickle）"

    def handle(self, *args, **options):
        self.stdout.write(train())
