"""The demo, in order: each step is one function that writes its part and says what it did.

Order matters: the history needs the organisation and the accounts (the demo deputy's station gets the showcase
opinions), suggestions link the opinions put "in_suggestion", the story needs the accounts and the opinion
services, and the insight model, index and rollups are derived from everything before them. Each step seeds its
own random stream, so the data does not depend on how long a step takes.
"""

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from liaison.org.models import Region

from . import opinions, org, people, rollups, story, suggestions


@dataclass(frozen=True)
class Step:
    name: str
    label: str
    run: Callable[[], str]


STEPS: tuple[Step, ...] = (
    Step("org", "组织机构", org.load_org),
    Step("accounts", "演示账号", people.create_demo_accounts),
    Step("opinions", "社情民意与会商", opinions.load_history),
    Step("suggestions", "代表建议", suggestions.load_history),
    Step("story", "示范事项", story.load_story),
    Step("insight_model", "分类模型", rollups.train_categoriser),
    Step("insight_index", "相似检索", rollups.build_index),
    Step("rollups", "统计汇总", rollups.build_rollups),
)


class DatabaseNotEmpty(Exception):
    pass


def load_demo(*, if_empty: bool = False, steps: Iterable[str] | None = None, out: Callable[[str], object] = print):
    """Run the steps (all, or the named ones, still in STEPS order) on an empty database; False if skipped.

    With `if_empty`, a database that already holds regions is left alone; without it, that is an error."""
    wanted = None if steps is None else set(steps)
    unknown = (wanted or set()) - {s.name for s in STEPS}
    if unknown:
        raise ValueError(f"unknown demo steps: {sorted(unknown)}")
    if Region.objects.exists():
        if if_empty:
            out("数据库已有数据，跳过演示数据载入。")
            return False
        raise DatabaseNotEmpty("数据库已有数据；演示数据只能载入空数据库")
    chosen = [s for s in STEPS if wanted is None or s.name in wanted]
    for n, step in enumerate(chosen, 1):
        start = time.monotonic()
        message = step.run()
        out(
            f"[{n}/{len(chosen)}] {step.label}（{time.monotonic() - start:.1f} 秒）"
            + (f"：{message}" if message else "")
        )
    return True
