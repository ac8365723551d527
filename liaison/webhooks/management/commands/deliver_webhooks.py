from django.core.management.base import BaseCommand

from liaison.webhooks.services import deliver_due


class Command(BaseCommand):
    help = "发送到期的 Webhook 推送（失败按指数退避重试）；后台进程每轮调用"

    def handle(self, *args, **options):
        sent = deliver_due()
        if options["verbosity"] > 1:
            self.stdout.write(f"delivered {sent}")
