from django.core.management.base import BaseCommand

from liaison.insight.snapshots import refresh_all


class Command(BaseCommand):
    help = "预先计算热点话题和跨村综合比选（按地区和期间，只重算意见有变化的）"

    def handle(self, *args, **options):
        done, kept = refresh_all()
        if options["verbosity"]:
            self.stdout.write(f"重新计算 {done} 项，{kept} 项无变化")
