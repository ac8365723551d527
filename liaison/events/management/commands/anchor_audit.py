"""Write a signed anchor of the chain heads changed since the last one (the worker runs this hourly)."""

from pathlib import Path

from django.core.management.base import BaseCommand

from liaison.events.audit import export_anchor, write_anchor


class Command(BaseCommand):
    help = "生成审计锚点（对各事件链末端的签名快照）；--export 追加写入异地保存的文件"

    def add_arguments(self, parser):
        parser.add_argument("--export", type=Path, help="把新锚点追加到此文件（每行一个 JSON），应位于数据库之外")

    def handle(self, *args, export=None, **options):
        anchor = write_anchor()
        if anchor is None:
            if options["verbosity"]:
                self.stdout.write("自上一锚点以来没有新事件")
            return
        if export is not None:
            with export.open("a", encoding="utf-8") as f:
                f.write(export_anchor(anchor) + "\n")
        if options["verbosity"]:
            self.stdout.write(f"锚点 #{anchor.pk}：{len(anchor.heads)} 条链的末端，共 {anchor.events} 条事件")
