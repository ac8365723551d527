"""Check the whole event log: every chain, its head, and the signed anchors. Exit 1 on any problem."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from liaison.events.audit import verify_audit


class Command(BaseCommand):
    help = "校验审计日志：每条事件链的序号、衔接和密钥签名，以及审计锚点；发现问题时以非零状态退出"

    def add_arguments(self, parser):
        parser.add_argument(
            "--anchors-file",
            type=Path,
            help="anchor_audit --export 写出的异地锚点文件（每行一个 JSON）；其中每个锚点都必须仍在数据库中",
        )

    def handle(self, *args, anchors_file=None, **options):
        exported = None
        if anchors_file is not None:
            import json

            if not anchors_file.exists():
                raise CommandError(f"锚点文件不存在：{anchors_file}")
            lines = [line for line in anchors_file.read_text().splitlines() if line.strip()]
            try:
                exported = [json.loads(line)["signature"] for line in lines]
            except (ValueError, KeyError, TypeError):
                raise CommandError(f"锚点文件格式不正确（每行应为 anchor_audit --export 写出的 JSON）：{anchors_file}")
        report = verify_audit(exported_signatures=exported)
        self.stdout.write(
            f"已校验 {report.events} 条事件、{report.chains} 条事件链、{report.anchors} 个锚点"
            f"（锚点覆盖 {report.anchored_chains} 条链）"
        )
        for problem in report.problems[:200]:
            self.stderr.write(problem)
        if len(report.problems) > 200:
            self.stderr.write(f"……另有 {len(report.problems) - 200} 个问题")
        if not report.ok:
            raise CommandError(f"审计日志校验未通过：{len(report.problems)} 个问题", returncode=1)
        self.stdout.write("审计日志完整")
