"""Finding items similar to a given text: a hybrid of fitted-IDF lexical matching and learnt word vectors.

Score of an item for a query, in [0, 1]:

    (3.5 · lexical + 6 · dense) / 9.5      with a trained model (`dense.py`), else the lexical score alone

`lexical` (`lexical.py`) is the weighted mean of IDF-weighted cosines over Chinese characters (weight 2),
character pairs (1) and synonym concepts (0.5), IDF from the document frequencies of the index's own content;
short queries also count the share of their words an item holds. `dense` is the cosine of the texts' word-vector
means. The weights were chosen on bench/similar_eval.py (paraphrase groups among real messages); figures and
the comparison with a plain character TF-IDF are in docs/benchmarks.md.

The index is incremental: `add` makes an item searchable at once and IDF follows the content. Below
`exact_below` live items every query scores every item. Above it the dense vectors are grouped by spherical
k-means into inverted lists, and a query scores exactly the union of the items in its `nprobe` nearest lists,
the items sharing its rarer character pairs and concepts (posting lists), and the recent additions. A caller may
re-rank by place and time with `boost` (meta → factor). Removal marks a row dead until the next regrouping.
Persistence writes plain arrays (.npz, loaded with allow_pickle=False) and JSON only.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from liaison.insight.dense import DenseModel
from liaison.insight.ivf import list_count, nearest, spherical_kmeans
from liaison.insight.lexical import LexicalStore, lexical_similarity

FORMAT_VERSION = 2
LEXICAL_WEIGHT, DENSE_WEIGHT = 3.5, 6.0
CANDIDATES = 2000  # rows per source (lists, posting lists) scored exactly above exact_below


def _freeze(value):
    if isinstance(value, dict):
        return tuple(sorted((str(k), _freeze(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _thaw(value):
    if isinstance(value, tuple):
        return [_thaw(v) for v in value]
    return value


class SimilarityIndex:
    """Incremental similar-items index with metadata filters.

    `meta` values must be JSON-compatible; identical meta dicts are stored once. A text is a string or a
    (title, body) pair (the title counts twice).
    """

    def __init__(
        self, exact_below: int = 50_000, nprobe: int | None = None, seed: int = 0, model: DenseModel | None = None
    ):
        self.exact_below = int(exact_below)
        self.nprobe = nprobe
        self.seed = seed
        self.model = model
        self.lexical = LexicalStore()
        dim = model.dim if model is not None else 0
        self._vecs = np.zeros((0, dim), dtype=np.float32)
        self._n = 0
        self._n_grouped = 0
        self._alive = np.zeros(0, dtype=bool)
        self._ids: list[str] = []
        self._metas: list[tuple] = []
        self._row_of: dict[str, int] = {}
        self._meta_pool: dict[tuple, tuple] = {}
        self._centroids: np.ndarray | None = None
        self._offsets: np.ndarray | None = None
        self._trained_at = 0

    @property
    def model_version(self) -> str:
        return self.model.version if self.model is not None else ""

    def __len__(self) -> int:
        return len(self._row_of)

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._row_of

    def meta(self, item_id: str) -> dict:
        return self._meta_dict(self._metas[self._row_of[item_id]])

    # -- building --------------------------------------------------------------------------------------
    def add(self, item_id: str, text: object, meta: dict | None = None) -> None:
        """Add or replace one item; searchable immediately."""
        self.add_many([(item_id, text, meta)])

    def add_many(self, items: Iterable[tuple[str, object, dict | None]], batch: int = 2048) -> None:
        chunk: list[tuple[str, object, dict | None]] = []
        for item in items:
            chunk.append(item)
            if len(chunk) >= batch:
                self._append(chunk)
                chunk = []
        if chunk:
            self._append(chunk)
        self._maybe_regroup()

    def remove(self, item_id: str) -> bool:
        row = self._row_of.pop(item_id, None)
        if row is None:
            return False
        self._alive[row] = False
        self.lexical.forget(row)
        if self._n - len(self._row_of) > max(1000, self._n // 5):
            self._regroup(retrain=False)
        return True

    def rebuild(self, items: Iterable[tuple[str, object, dict | None]]) -> None:
        """Replace the whole content and regroup from scratch (e.g. nightly)."""
        self.__init__(self.exact_below, self.nprobe, self.seed, self.model)
        self.add_many(items, batch=4096)
        self._regroup(retrain=True)

    def regroup(self) -> None:
        """Merge recent additions, retrain the inverted lists and drop removed rows (after a bulk load)."""
        self._regroup(retrain=True)

    def _append(self, chunk: list[tuple[str, object, dict | None]]) -> None:
        chunk = [(str(item_id), text, meta) for item_id, text, meta in chunk]
        latest = {item_id: pos for pos, (item_id, _, _) in enumerate(chunk)}
        chunk = [c for pos, c in enumerate(chunk) if latest[c[0]] == pos]  # a later duplicate in a batch wins
        for item_id, _, _ in chunk:
            if item_id in self._row_of:
                self.remove(item_id)
        texts = [text for _, text, _ in chunk]
        self.lexical.add(texts)
        need = self._n + len(chunk)
        if self.model is not None:
            if need > len(self._vecs):
                grown = np.zeros((max(need, int(len(self._vecs) * 1.5), 1024), self.model.dim), dtype=np.float32)
                grown[: self._n] = self._vecs[: self._n]
                self._vecs = grown
            self._vecs[self._n : need] = self.model.embed(texts)
        if need > len(self._alive):
            alive = np.zeros(max(need, int(len(self._alive) * 1.5), 1024), dtype=bool)
            alive[: self._n] = self._alive[: self._n]
            self._alive = alive
        self._alive[self._n : need] = True
        for offset, (item_id, _, meta) in enumerate(chunk):
            self._row_of[item_id] = self._n + offset
            self._ids.append(item_id)
            self._metas.append(self._pool(meta))
        self._n = need

    def _pool(self, meta: dict | None) -> tuple:
        frozen = _freeze(meta or {})
        return self._meta_pool.setdefault(frozen, frozen)

    @staticmethod
    def _meta_dict(frozen: tuple) -> dict:
        return {k: _thaw(v) for k, v in frozen}

    def _maybe_regroup(self) -> None:
        live = len(self._row_of)
        if self.model is not None and live >= self.exact_below:
            if self._centroids is None or live > 4 * self._trained_at:
                self._regroup(retrain=True)
                return
        if self.lexical.tail_rows() > max(2000, min(self._n // 10, 20_000)):
            self._regroup(retrain=False)
        elif live >= self.exact_below and self.lexical._csc is None:
            self._regroup(retrain=False)

    def _regroup(self, retrain: bool) -> None:
        """Drop dead rows, merge the lexical tail, (re)train the lists if asked, sort rows by list."""
        keep = np.flatnonzero(self._alive[: self._n])
        n = len(keep)
        order = np.arange(n)
        large = n >= self.exact_below
        vecs = self._vecs[keep] if self.model is not None else self._vecs[:0]
        if large and self.model is not None:
            if retrain or self._centroids is None:
                nlist = list_count(n)
                rng = np.random.default_rng(self.seed)
                sample = vecs[rng.choice(n, size=min(n, 64 * nlist), replace=False)]
                self._centroids = spherical_kmeans(sample, nlist, seed=self.seed)
                self._trained_at = n
            assign = nearest(vecs, self._centroids)
            order = np.argsort(assign, kind="stable")
            self._offsets = np.searchsorted(assign[order], np.arange(len(self._centroids) + 1))
        else:
            self._centroids = self._offsets = None
        self.lexical.compact(keep=keep, order=order, index_pairs=large)
        self._vecs = np.ascontiguousarray(vecs[order]) if self.model is not None else self._vecs[:0]
        ids = [self._ids[i] for i in keep]
        metas = [self._metas[i] for i in keep]
        self._ids = [ids[i] for i in order]
        self._metas = [metas[i] for i in order]
        self._alive = np.ones(n, dtype=bool)
        self._row_of = {item_id: row for row, item_id in enumerate(self._ids)}
        self._n = n
        self._n_grouped = n if self._centroids is not None else 0

    # -- searching -------------------------------------------------------------------------------------
    def _probe_count(self) -> int:
        if self.nprobe:
            return self.nprobe
        nlist = len(self._centroids)
        per_list = max(1.0, self._n_grouped / nlist)
        return int(min(nlist, max(nlist // 40, math.ceil(CANDIDATES / per_list))))

    def _scores(self, q, qv, rows: np.ndarray | None) -> np.ndarray:
        lex = self.lexical.score(q, rows)
        if qv is None:
            return lex
        vecs = self._vecs[: self._n] if rows is None else self._vecs[rows]
        dense = np.clip(vecs @ qv, 0.0, 1.0)
        return ((LEXICAL_WEIGHT * lex + DENSE_WEIGHT * dense) / (LEXICAL_WEIGHT + DENSE_WEIGHT)).astype(np.float32)

    def _candidates(self, q, qv, nprobe: int) -> np.ndarray:
        parts = [self.lexical.candidates(q, CANDIDATES)]
        if qv is not None and self._centroids is not None:
            lists = np.argpartition(-(self._centroids @ qv), min(nprobe, len(self._centroids)) - 1)[:nprobe]
            parts += [np.arange(self._offsets[c], self._offsets[c + 1]) for c in lists]
            parts.append(np.arange(self._n_grouped, self._n))
        return np.unique(np.concatenate(parts)).astype(np.int64)

    def query(
        self,
        text: object,
        k: int = 10,
        where: Callable[[dict], bool] | None = None,
        min_score: float = 0.0,
        exclude: Iterable[str] = (),
        boost: Callable[[dict], float] | None = None,
        exact: bool = False,
    ) -> list[tuple[str, float]]:
        """Up to k (item_id, score) pairs, best first, whose meta passes `where`.

        `boost(meta)` multiplies the score of the best candidates (e.g. same village, recent) before the
        final cut. A filtered query widens its search until k matches are found, ending with an exact scan.
        """
        if k <= 0 or not self._row_of:
            return []
        q = self.lexical.query(text)
        qv = self.model.embed([text])[0] if self.model is not None else None
        if qv is not None and not qv.any():
            qv = None
        if not q and qv is None:
            return []
        excluded = set(exclude)
        large = len(self._row_of) >= self.exact_below and not exact
        steps = [self._probe_count() if self._centroids is not None else 0, None] if large else [None]
        if large and where is not None and self._centroids is not None:
            steps = [steps[0], min(len(self._centroids), 4 * steps[0]), None]
        result: list[tuple[str, float]] = []
        for nprobe in steps:
            rows = None if nprobe is None else self._candidates(q, qv, nprobe)
            scores = self._scores(q, qv, rows)
            rows = np.arange(self._n) if rows is None else rows
            result = self._select(rows, scores, k, where, min_score, excluded, boost)
            if len(result) >= k or (where is None and nprobe is not None and len(rows) >= 4 * k):
                break
        return result

    def _select(self, rows, scores, k, where, min_score, excluded, boost) -> list[tuple[str, float]]:
        alive = self._alive[rows] & (scores > 0) & (scores >= min_score if boost is None else scores > 0)
        rows, scores = rows[alive], scores[alive]
        if not len(rows):
            return []
        want = (k + len(excluded) if where is None else 4 * k + len(excluded)) * (5 if boost else 1)
        while True:
            top = min(want, len(rows))
            part = np.argpartition(-scores, top - 1)[:top] if top < len(rows) else np.arange(len(rows))
            order = part[np.lexsort((rows[part], -scores[part]))]
            out = []
            for i in order:
                row = int(rows[i])
                item_id = self._ids[row]
                if item_id in excluded:
                    continue
                meta = self._meta_dict(self._metas[row]) if where is not None or boost is not None else None
                if where is not None and not where(meta):
                    continue
                score = float(scores[i]) * (boost(meta) if boost is not None else 1.0)
                if score >= min_score:
                    out.append((item_id, score))
                if boost is None and len(out) == k:
                    return out
            if boost is not None and (len(out) >= k or top >= len(rows)):
                out.sort(key=lambda p: -p[1])
                return [(item_id, min(1.0, score)) for item_id, score in out[:k]]
            if top >= len(rows):
                return out
            want *= 4

    def memory_bytes(self) -> int:
        extra = 0 if self._centroids is None else self._centroids.nbytes + self._offsets.nbytes
        return self._vecs.nbytes + self._alive.nbytes + self.lexical.memory_bytes() + extra

    # -- persistence -----------------------------------------------------------------------------------
    def to_dir(self, path: str | Path) -> None:
        """Write arrays.npz + items.json; rows stay grouped so loading needs no k-means."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        if self._n != len(self._row_of) or self.lexical.tail_rows():
            self._regroup(retrain=False)
        arrays = self.lexical.arrays()
        arrays["vectors"] = self._vecs[: self._n]
        if self._centroids is not None:
            arrays["centroids"] = self._centroids
            arrays["offsets"] = self._offsets
        np.savez(path / "arrays.npz", **arrays)
        doc = {
            "format": FORMAT_VERSION,
            "model": self.model_version,
            "exact_below": self.exact_below,
            "nprobe": self.nprobe,
            "seed": self.seed,
            "trained_at": self._trained_at,
            "n_grouped": self._n_grouped,
            "ids": self._ids[: self._n],
            "metas": [self._meta_dict(m) for m in self._metas[: self._n]],
        }
        (path / "items.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def from_dir(cls, path: str | Path, model: DenseModel | None = None) -> SimilarityIndex:
        """Load a snapshot; ValueError when it was built with another model (or format) than `model`."""
        path = Path(path)
        doc = json.loads((path / "items.json").read_text(encoding="utf-8"))
        if doc.get("format") != FORMAT_VERSION:
            raise ValueError(f"unsupported similarity index format in {path}")
        if doc.get("model", "") != (model.version if model is not None else ""):
            raise ValueError(f"similarity index in {path} was built with another model")
        index = cls(exact_below=doc["exact_below"], nprobe=doc["nprobe"], seed=doc["seed"], model=model)
        with np.load(path / "arrays.npz", allow_pickle=False) as npz:
            index._ids = [str(i) for i in doc["ids"]]
            index._n = len(index._ids)
            index.lexical = LexicalStore.from_arrays(npz, index_pairs=index._n >= index.exact_below)
            index._vecs = np.ascontiguousarray(npz["vectors"], dtype=np.float32)
            if "centroids" in npz:
                index._centroids = npz["centroids"].astype(np.float32)
                index._offsets = npz["offsets"].astype(np.int64)
        if index.lexical.n_rows != index._n or (model is not None and len(index._vecs) != index._n):
            raise ValueError(f"similarity index in {path} is inconsistent")
        index._n_grouped = int(doc["n_grouped"])
        index._trained_at = int(doc["trained_at"])
        index._alive = np.ones(index._n, dtype=bool)
        index._metas = [index._pool(m) for m in doc["metas"]]
        index._row_of = {item_id: row for row, item_id in enumerate(index._ids)}
        return index


def order_by_similarity(items: list[tuple[str, object]]) -> list[str]:
    """Agenda order in which similar opinions sit next to each other.

    Greedy nearest-neighbour chain over the set's own fitted-IDF similarity: start with the first item (the
    chair's first pick), then always continue with the most similar item not yet placed; ties keep input order.
    """
    if not items:
        return []
    ids = [str(i) for i, _ in items]
    sims = lexical_similarity([text for _, text in items])
    placed = np.zeros(len(ids), dtype=bool)
    current = 0
    order = [0]
    placed[0] = True
    for _ in range(len(ids) - 1):
        row = np.where(placed, -np.inf, sims[current])
        current = int(np.argmax(row))  # first maximum: stable for ties
        placed[current] = True
        order.append(current)
    return [ids[i] for i in order]


def similar_pairs(items: list[tuple[str, object]], threshold: float = 0.5) -> list:
    """All (id_a, id_b, score) pairs at or above `threshold`, most similar first: likely duplicates."""
    if len(items) < 2:
        return []
    ids = [str(i) for i, _ in items]
    sims = lexical_similarity([text for _, text in items])
    sims = np.minimum(sims, sims.T)
    a, b = np.nonzero(np.triu(sims >= threshold, k=1))
    pairs = [(ids[i], ids[j], float(sims[i, j])) for i, j in zip(a, b, strict=True)]
    pairs.sort(key=lambda p: (-p[2], p[0], p[1]))
    return pairs
