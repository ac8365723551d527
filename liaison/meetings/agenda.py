"""Ordering the monthly agenda: grouped by category, similar opinions next to each other.

Similarity comes from the insight app (`order_by_similarity`: list of (id, text) → list of ids, similar
items adjacent), the same vectors the similar-items search uses.
"""

from itertools import groupby

from liaison.insight.similar import order_by_similarity as _order_by_similarity


def order_agenda(opinions) -> list:
    """Opinions grouped by category (category order, uncategorised last), similar ones adjacent in each group."""

    def category_key(o):
        c = o.category
        return (c is None, c.sort if c else 0, c.pk if c else 0)

    ordered = sorted(opinions, key=lambda o: (category_key(o), o.created_at, o.pk))
    result = []
    for _key, group in groupby(ordered, key=category_key):
        group = list(group)
        by_id = {str(o.pk): o for o in group}
        pairs = [(str(o.pk), f"{o.title} {o.content}") for o in group]
        result.extend(by_id[str(i)] for i in _order_by_similarity(pairs))
    return result
