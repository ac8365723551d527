from django.core.management.base import BaseCommand

from liaison.insight.services import rebuild_index


class Command(BaseCommand):
    help = "从数据库重建相似检索索引并保存快照（var/insight/index）"

    def handle(self, *args, **options):
        self.stdout.write(rebuild_index())
