"""Ordering the monthly agenda: grouped by category, similar opinions next to each other.

Similarity comes from the insight app (`order_by_similarity`: list of (id, text) → list of ids, similar items
adjacent; `similar_pairs`: likely duplicates), fitted-IDF similarity over the agenda's own items. Near-duplicates
filed under different categories (two staff members, two days) sit together in the group of the first of them,
so the meeting decides them together.
"""

from itertools import groupby

from liaison.insight.similar import order_by_similarity as _order_by_similarity
from liaison.insight.similar import similar_pairs as _similar_pairs

NEAR_DUPLICATE = 0.5  # similarity at which two opinions are treated as one matter for the grouping


def order_agenda(opinions) -> list:
    """Opinions grouped by category (category order, uncategorised last), similar ones adjacent in each group."""

    def category_key(o):
        c = o.category
        return (c is None, c.sort if c else 0, c.pk if c else 0)

    ordered = sorted(opinions, key=lambda o: (category_key(o), o.created_at, o.pk))
    texts = [(str(o.pk), (o.title, o.content)) for o in ordered]
    root = {pk: pk for pk, _ in texts}

    def find(pk):
        while root[pk] != pk:
            root[pk] = root[root[pk]]
            pk = root[pk]
        return pk

    position = {pk: n for n, (pk, _) in enumerate(texts)}
    for a, b, _ in _similar_pairs(texts, threshold=NEAR_DUPLICATE):
        ra, rb = find(a), find(b)
        if ra != rb:
            first, second = (ra, rb) if position[ra] < position[rb] else (rb, ra)
            root[second] = first
    home = {str(o.pk): category_key(o) for o in ordered}
    ordered.sort(key=lambda o: (home[find(str(o.pk))], position[str(o.pk)]))
    result = []
    for _key, group in groupby(ordered, key=lambda o: home[find(str(o.pk))]):
        group = list(group)
        by_id = {str(o.pk): o for o in group}
        pairs = [(str(o.pk), (o.title, o.content)) for o in group]
        result.extend(by_id[str(i)] for i in _order_by_similarity(pairs))
    return result
