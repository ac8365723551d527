import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from liaison.insight.services import train, train_similarity

TEXT_COLUMNS = ("留言主题", "留言详情", "title", "content", "text")


def read_corpus(path: Path) -> list[str]:
    """Texts of a .txt file (one a line) or a .csv file (its title/content-like columns, else every cell)."""
    if not path.exists():
        raise CommandError(f"找不到文件：{path}")
    with open(path, encoding="utf-8", newline="") as fh:
        if path.suffix.lower() != ".csv":
            return [line.strip() for line in fh if line.strip()]
        reader = csv.DictReader(fh)
        columns = [c for c in reader.fieldnames or () if c in TEXT_COLUMNS] or list(reader.fieldnames or ())
        return [t for t in ("\n".join((row.get(c) or "").strip() for c in columns).strip() for row in reader) if t]


class Command(BaseCommand):
    help = (
        "用本站已分类的社情民意和代表建议训练分类模型，并用本站文本训练相似检索的词向量、重建索引"
        "（都保存为普通数组，不使用 pickle）"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--corpus", action="append", default=[], type=Path, help="另加用于训练词向量的文本文件（.txt 或 .csv）"
        )
        parser.add_argument("--no-vectors", action="store_true", help="只训练分类模型")

    def handle(self, *args, **options):
        self.stdout.write(train())
        if not options["no_vectors"]:
            extra = [text for path in options["corpus"] for text in read_corpus(path)]
            self.stdout.write(train_similarity(extra))
