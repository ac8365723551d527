"""Last steps of the demo: what is derived from the history — the insight model and index, and the rollups the
dashboards read."""

from liaison.insight import services as insight
from liaison.reports.rollups import rebuild


def train_categoriser() -> str:
    return insight.train()


def build_index() -> str:
    return insight.rebuild_index()


def build_rollups() -> str:
    rebuild()
    return "统计汇总已生成"
