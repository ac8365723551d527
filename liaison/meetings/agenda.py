"""Ordering the monthly agenda: grouped by category, similar opinions next to each other.

The similarity is deliberately simple (character bigrams, Jaccard) and self-contained. The text-intelligence
app may replace it: swap `_order_by_similarity` below for `liaison.insight.similar.order_by_similarity`,
which has the same signature (list of (id, text) → list of ids).
"""

from itertools import groupby


def bigrams(text: str) -> set[str]:
    chars = [ch for ch in text if ch.isalnum()]
    return {a + b for a, b in zip(chars, chars[1:], strict=False)} or set(chars)


def similarity(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def order_by_similarity(items: list[tuple[int, str]]) -> list[int]:
    """Greedy chain: start from the first item, always continue with the most similar remaining one."""
    if len(items) <= 2:
        return [i for i, _ in items]
    grams = {i: bigrams(text) for i, text in items}
    remaining = [i for i, _ in items]
    order = [remaining.pop(0)]
    while remaining:
        last = grams[order[-1]]
        best = max(remaining, key=lambda i: (similarity(last, grams[i]), -remaining.index(i)))
        remaining.remove(best)
        order.append(best)
    return order


_order_by_similarity = order_by_similarity


def order_agenda(opinions) -> list:
    """Opinions grouped by category (category order, uncategorised last), similar ones adjacent in each group."""

    def category_key(o):
        c = o.category
        return (c is None, c.sort if c else 0, c.pk if c else 0)

    ordered = sorted(opinions, key=lambda o: (category_key(o), o.created_at, o.pk))
    result = []
    for _key, group in groupby(ordered, key=category_key):
        group = list(group)
        by_id = {o.pk: o for o in group}
        result.extend(by_id[i] for i in _order_by_similarity([(o.pk, f"{o.title} {o.content}") for o in group]))
    return result
