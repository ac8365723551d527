"""Grouping opinions about the same matter, across stations, and ranking hot topics.

Opinions of one period are compared by TF-IDF cosine over Chinese character pairs and
jieba words of the title and opening (IDF fitted on that period, so words every message
uses weigh little). Groups come from average-linkage clustering cut at `threshold`: unlike
single linkage it does not chain unrelated opinions together through one intermediate.
Everything is deterministic: no random initialisation, ties broken by input order.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from liaison.insight.categorise import _gram_keys, _Vocab, _word_key, split_title
from liaison.insight.text import has_meaning, tokens

DEFAULT_THRESHOLD = 0.25
WORD_CHARS = 200  # words are taken from the title and the opening, where the matter is stated
AVERAGE_LINKAGE_MAX = 6000  # above this many items a single-pass grouping keeps memory bounded


@dataclass(frozen=True)
class Item:
    id: str
    text: object
    meta: dict = field(default_factory=dict)


@dataclass
class Cluster:
    label: list[str]
    ids: list[str]
    size: int
    breadth: int
    stations: list[str]


@dataclass
class HotTopic:
    label: list[str]
    ids: list[str]
    size: int
    breadth: int
    stations: list[str]
    previous_size: int
    change: int
    heat: float


class _Space:
    """Period-fitted TF-IDF space: bigram + word features, plus per-item words for labels."""

    def __init__(self, texts: Sequence[object]):
        n = len(texts)
        parts, owners, self.words, self.title_words = [], [], [], []
        word_docs, word_keys = [], []
        for i, text in enumerate(texts):
            title, body = split_title(text)
            title, body = title.lower(), body.lower()
            parts += [title, title, body[:1000]]  # the title states the matter: count it twice
            owners += [i, i, i]
            title_words = tokens(title) if has_meaning(title + body) else []
            words = title_words + tokens(body[:WORD_CHARS]) if title_words or has_meaning(body) else []
            self.words.append(words)
            self.title_words.append(set(title_words))
            word_docs += [i] * len(words)
            word_keys += [_word_key(w) for w in words]
        docs, keys = _gram_keys(parts, np.asarray(owners, dtype=np.int64))
        pair = keys >= np.uint64(1 << 21)  # character pairs only: single characters are too vague
        self.char_feats = (docs[pair], keys[pair])
        self.word_feats = (np.asarray(word_docs, dtype=np.int64), np.asarray(word_keys, dtype=np.uint64))
        self.n = n

    def matrix(self, fit_on: _Space | None = None) -> sp.csr_matrix:
        src = fit_on or self
        if not hasattr(src, "_chars"):
            src._chars = _Vocab.fit(*src.char_feats, src.n, min_df=1)
            src._words = _Vocab.fit(*src.word_feats, src.n, min_df=1)
        x = sp.hstack(
            [src._chars.transform(*self.char_feats, self.n), src._words.transform(*self.word_feats, self.n)]
        ).tocsr()
        norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return (sp.diags(1.0 / norms) @ x).tocsr().astype(np.float32)


def _groups(x: sp.csr_matrix, threshold: float) -> np.ndarray:
    """Group number per row (0..g-1, numbered by first appearance)."""
    n = x.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if n == 1:
        return np.zeros(1, dtype=np.int64)
    if n <= AVERAGE_LINKAGE_MAX:
        from scipy.cluster.hierarchy import fcluster, linkage
        from scipy.spatial.distance import squareform

        sims = (x @ x.T).toarray()
        np.clip(sims, 0.0, 1.0, out=sims)
        dist = 1.0 - sims
        np.fill_diagonal(dist, 0.0)
        tree = linkage(squareform(dist, checks=False), method="average")
        raw = fcluster(tree, t=1.0 - threshold, criterion="distance")
    else:
        raw = _leader(x, threshold)
    _, first = np.unique(raw, return_index=True)
    rank = {label: r for r, label in enumerate(raw[np.sort(first)])}
    return np.array([rank[label] for label in raw], dtype=np.int64)


def _leader(x: sp.csr_matrix, threshold: float) -> np.ndarray:
    """One pass in input order: join the closest existing group centroid or start a new group."""
    n = x.shape[0]
    out = np.empty(n, dtype=np.int64)
    centroids: list[np.ndarray] = []
    sums = None
    for i in range(n):
        row = x[i].toarray().ravel()
        if centroids:
            norms = np.linalg.norm(sums, axis=1)
            sims = (sums @ row) / np.where(norms > 0, norms, 1.0)
            best = int(np.argmax(sims))
            if sims[best] >= threshold:
                out[i] = best
                sums[best] += row
                continue
        out[i] = len(centroids)
        centroids.append(row)
        sums = np.vstack([sums, row]) if sums is not None else row[None, :].copy()
    return out


def _keywords(members: list[int], space: _Space, df: Counter, n: int, count: int) -> list[str]:
    """Words most members use but the rest of the period does not (class-based TF-IDF).

    Coverage is squared so that a word in every member beats a rarer word that only two
    reposts of the same letter share, and a word in a member's title counts double: titles
    name the matter.
    """
    cover: Counter = Counter()
    for i in members:
        for word in set(space.words[i]):
            cover[word] += 2.0 if word in space.title_words[i] else 1.0
    size = 2.0 * len(members)
    scored = [
        ((cover[w] / size) ** 2 * math.log((1 + n) / (1 + df[w])), w)
        for w in cover
        if len(w) > 1 and (cover[w] >= 2 or len(members) < 3)
    ]
    scored.sort(key=lambda p: (-p[0], p[1]))
    picked: list[str] = []
    for _, word in scored:
        if any(word in other or other in word for other in picked):
            continue  # "伊景园" and "伊景园滨河苑" say the same thing once
        picked.append(word)
        if len(picked) == count:
            break
    return picked


def _station(meta: dict) -> str | None:
    value = (meta or {}).get("station")
    return None if value is None or value == "" else str(value)


def cluster(
    items: Sequence[Item], threshold: float = DEFAULT_THRESHOLD, min_size: int = 2, keywords: int = 5
) -> list[Cluster]:
    """Groups of at least `min_size` similar opinions, largest first (ties: broadest, then earliest)."""
    items = list(items)
    if not items:
        return []
    space = _Space([it.text for it in items])
    groups = _groups(space.matrix(), threshold)
    return _clusters(items, space, groups, min_size, keywords)


def _clusters(items, space, groups, min_size, keywords) -> list[Cluster]:
    df: Counter = Counter()
    for words in space.words:
        df.update(set(words))
    members: dict[int, list[int]] = {}
    for i, g in enumerate(groups):
        members.setdefault(int(g), []).append(i)
    out = []
    for g, rows in members.items():
        if len(rows) < min_size:
            continue
        stations = sorted({s for s in (_station(items[i].meta) for i in rows) if s is not None})
        out.append(
            (
                g,
                Cluster(
                    label=_keywords(rows, space, df, len(items), keywords),
                    ids=[str(items[i].id) for i in rows],
                    size=len(rows),
                    breadth=len(stations),
                    stations=stations,
                ),
            )
        )
    out.sort(key=lambda p: (-p[1].size, -p[1].breadth, p[0]))
    return [c for _, c in out]


def heat(size: int, breadth: int) -> float:
    """Volume, boosted by how many stations raise it: one village's petition drive counts less."""
    return round(size * (1.0 + math.log(max(1, breadth))), 3)


def hot_topics(
    current_items: Sequence[Item],
    previous_items: Sequence[Item] = (),
    top: int = 10,
    threshold: float = DEFAULT_THRESHOLD,
    keywords: int = 5,
) -> list[HotTopic]:
    """The `top` hottest topics of the current period and their change against the previous one.

    A previous opinion counts for a topic when it is at least `threshold` similar to the
    topic's centroid (in the current period's TF-IDF space).
    """
    current_items = list(current_items)
    previous_items = list(previous_items)
    if not current_items:
        return []
    space = _Space([it.text for it in current_items])
    x = space.matrix()
    groups = _groups(x, threshold)
    clusters = _clusters(current_items, space, groups, 2, keywords)
    previous_counts = [0] * len(clusters)
    if previous_items and clusters:
        px = _Space([it.text for it in previous_items]).matrix(fit_on=space)
        row_of = {str(it.id): i for i, it in enumerate(current_items)}
        cents = np.vstack([np.asarray(x[[row_of[i] for i in c.ids]].mean(axis=0)).ravel() for c in clusters])
        cents /= np.maximum(np.linalg.norm(cents, axis=1, keepdims=True), 1e-12)
        sims = px @ cents.T
        best = sims.argmax(axis=1)
        hit = sims[np.arange(len(best)), best] >= threshold
        for j in best[hit]:
            previous_counts[int(j)] += 1
    ranked = []
    for c, prev in zip(clusters, previous_counts, strict=True):
        ranked.append(
            HotTopic(
                label=c.label,
                ids=c.ids,
                size=c.size,
                breadth=c.breadth,
                stations=c.stations,
                previous_size=prev,
                change=c.size - prev,
                heat=heat(c.size, c.breadth),
            )
        )
    ranked.sort(key=lambda t: (-t.heat, -t.size))
    return ranked[:top]
