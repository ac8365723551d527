"""Demo step: build the dashboards' rollups once the demo history is loaded."""

from .rollups import rebuild


def build_rollups() -> str:
    rebuild()
    return "统计汇总已生成"
