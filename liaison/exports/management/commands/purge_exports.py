from django.core.management.base import BaseCommand

from liaison.exports.services import purge_expired_exports


class Command(BaseCommand):
    help = "删除过期导出任务的文件（申请后 EXPORT_KEEP_HOURS 小时，默认 24 小时）；由 worker 每小时运行"

    def handle(self, *args, **options):
        n = purge_expired_exports()
        if options["verbosity"]:
            self.stdout.write(f"过期导出任务：{n} 个")
