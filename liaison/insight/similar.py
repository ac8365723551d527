"""Finding opinions similar to a given text, at up to a million items.

Representation: every text becomes a frozen, fitting-free dense vector. Chinese character
bigrams (a lone character when a run has only one) and Latin/digit words, minus our
stopwords, are counted, damped with 1 + log(tf) and folded into `dim` dimensions by a fixed
signed hash (a count sketch, i.e. a sparse random projection), then L2-normalised. Character
bigrams need no segmentation, so embedding costs about 0.1 ms per message and a vector never
changes once stored: the index can grow item by item without re-fitting anything. Memory is
dim * 4 bytes per item for the vectors (1 KiB at the default 256) plus its id and metadata.

Index: below `exact_below` items every query is an exact scan (one matrix-vector product).
Above it the vectors are grouped by spherical k-means into inverted lists (IVF); a query
scans the `nprobe` lists whose centroids are closest plus the not-yet-grouped recent
additions. Removal marks a row dead; dead rows are dropped at the next regrouping.
Persistence writes plain arrays (.npz, loaded with allow_pickle=False) and JSON only.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np

from liaison.insight.embedding import Embedder  # noqa: F401 (re-exported: callers import it from here)

FORMAT_VERSION = 1


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


def _spherical_kmeans(x: np.ndarray, k: int, seed: int = 0, iterations: int = 8) -> np.ndarray:
    """Unit-length centroids maximising the inner product with their members."""
    rng = np.random.default_rng(seed)
    centroids = x[rng.choice(len(x), size=k, replace=False)].copy()
    for _ in range(iterations):
        assign = _nearest(x, centroids)
        sums = np.zeros_like(centroids)
        _add_rows(sums, assign, x)
        norms = np.linalg.norm(sums, axis=1)
        empty = norms == 0
        if empty.any():
            sums[empty] = x[rng.choice(len(x), size=int(empty.sum()), replace=False)]
            norms[empty] = np.linalg.norm(sums[empty], axis=1)
        centroids = (sums / np.maximum(norms, 1e-12)[:, None]).astype(np.float32)
    return centroids


def _add_rows(sums: np.ndarray, assign: np.ndarray, x: np.ndarray) -> None:
    order = np.argsort(assign, kind="stable")
    bounds = np.searchsorted(assign[order], np.arange(len(sums) + 1))
    for c in range(len(sums)):
        if bounds[c + 1] > bounds[c]:
            sums[c] = x[order[bounds[c] : bounds[c + 1]]].sum(axis=0)


def _nearest(x: np.ndarray, centroids: np.ndarray, chunk: int = 16384) -> np.ndarray:
    out = np.empty(len(x), dtype=np.int32)
    for start in range(0, len(x), chunk):
        out[start : start + chunk] = np.argmax(x[start : start + chunk] @ centroids.T, axis=1)
    return out


class SimilarityIndex:
    """Incremental nearest-neighbour index of opinions with metadata filters.

    `meta` values must be JSON-compatible; identical meta dicts are stored once, so a
    station/region/kind combination shared by many items costs one copy.
    """

    def __init__(
        self,
        dim: int = 256,
        exact_below: int = 50_000,
        nprobe: int | None = None,
        seed: int = 0,
    ):
        self.dim = int(dim)
        self.exact_below = int(exact_below)
        self.nprobe = nprobe
        self.seed = seed
        self.embedder = Embedder(self.dim)
        self._vecs = np.zeros((0, self.dim), dtype=np.float32)
        self._n = 0  # rows in use; rows [0, _n_grouped) are sorted by inverted list
        self._n_grouped = 0
        self._alive = np.zeros(0, dtype=bool)
        self._ids: list[str] = []
        self._metas: list[tuple] = []
        self._row_of: dict[str, int] = {}
        self._meta_pool: dict[tuple, tuple] = {}
        self._centroids: np.ndarray | None = None
        self._offsets: np.ndarray | None = None
        self._trained_at = 0

    # -- size and membership -------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._row_of)

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._row_of

    def meta(self, item_id: str) -> dict:
        return self._meta_dict(self._metas[self._row_of[item_id]])

    # -- building ------------------------------------------------------------------------
    def add(self, item_id: str, text: object, meta: dict | None = None) -> None:
        """Add or replace one item; searchable immediately."""
        self.add_many([(item_id, text, meta)])

    def add_many(self, items: Iterable[tuple[str, object, dict | None]], batch: int = 2048) -> None:
        """Add or replace items in batches (faster than repeated `add`)."""
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
        """Forget an item; returns False when it was not indexed."""
        row = self._row_of.pop(item_id, None)
        if row is None:
            return False
        self._alive[row] = False
        if self._n - len(self._row_of) > max(1000, self._n // 5):
            self._regroup(retrain=False)
        return True

    def rebuild(self, items: Iterable[tuple[str, object, dict | None]]) -> None:
        """Replace the whole content and regroup from scratch (e.g. nightly)."""
        self.__init__(self.dim, self.exact_below, self.nprobe, self.seed)
        self.add_many(items, batch=4096)
        self._regroup(retrain=True)

    def add_vectors(self, entries: Sequence[tuple[str, dict | None]], vectors: np.ndarray) -> None:
        """Add items whose vectors were computed elsewhere with `Embedder(dim).embed`.

        Lets a bulk load embed in several worker processes; the vectors must come from an
        Embedder of the same `dim`, otherwise queries would compare unlike things.
        """
        vectors = np.asarray(vectors, dtype=np.float32)
        if vectors.shape != (len(entries), self.dim):
            raise ValueError(f"expected vectors of shape ({len(entries)}, {self.dim})")
        for start in range(0, len(entries), 4096):
            part = entries[start : start + 4096]
            self._append([(i, None, m) for i, m in part], vectors[start : start + 4096])
        self._maybe_regroup()

    def regroup(self) -> None:
        """Retrain the inverted lists on the current content and drop removed rows.

        Worth calling after a bulk load or nightly; `add` keeps the index usable without it.
        """
        self._regroup(retrain=True)

    def _append(self, chunk: list[tuple[str, object, dict | None]], vecs: np.ndarray | None = None) -> None:
        chunk = [(str(item_id), text, meta) for item_id, text, meta in chunk]
        for item_id, _, _ in chunk:
            if item_id in self._row_of:
                self.remove(item_id)
        if vecs is None:
            vecs = self.embedder.embed(text for _, text, _ in chunk)
        need = self._n + len(chunk)
        if need > len(self._vecs):
            cap = max(need, int(len(self._vecs) * 1.5), 1024)
            grown = np.zeros((cap, self.dim), dtype=np.float32)
            grown[: self._n] = self._vecs[: self._n]
            self._vecs = grown
            alive = np.zeros(cap, dtype=bool)
            alive[: self._n] = self._alive[: self._n]
            self._alive = alive
        self._vecs[self._n : need] = vecs
        self._alive[self._n : need] = True
        seen_in_chunk: dict[str, int] = {}
        for offset, (item_id, _, meta) in enumerate(chunk):
            if item_id in seen_in_chunk:  # a later duplicate in the same batch wins
                self._alive[seen_in_chunk[item_id]] = False
            row = self._n + offset
            seen_in_chunk[item_id] = row
            self._row_of[item_id] = row
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
        if live < self.exact_below:
            return
        if self._centroids is None or live > 4 * self._trained_at:
            self._regroup(retrain=True)
        elif self._n - self._n_grouped > max(10_000, self._n // 20):
            self._regroup(retrain=False)

    def _regroup(self, retrain: bool) -> None:
        """Drop dead rows, (re)train centroids if asked, and sort all rows by inverted list."""
        keep = np.flatnonzero(self._alive[: self._n])
        if len(keep) == self._n:  # nothing removed: avoid copying every vector twice
            vecs, ids, metas = self._vecs[: self._n], self._ids[: self._n], self._metas[: self._n]
        else:
            vecs = self._vecs[keep]
            ids = [self._ids[i] for i in keep]
            metas = [self._metas[i] for i in keep]
        n = len(keep)
        if n < self.exact_below:
            self._centroids = None
            self._offsets = None
            order = np.arange(n)
        else:
            if retrain or self._centroids is None:
                nlist = int(min(4096, max(16, 2 * math.sqrt(n))))
                rng = np.random.default_rng(self.seed)
                sample = vecs[rng.choice(n, size=min(n, 64 * nlist), replace=False)]
                self._centroids = _spherical_kmeans(sample, nlist, seed=self.seed)
                self._trained_at = n
            assign = _nearest(vecs, self._centroids)
            order = np.argsort(assign, kind="stable")
            self._offsets = np.searchsorted(assign[order], np.arange(len(self._centroids) + 1))
        del self._vecs
        self._vecs = vecs[order]
        del vecs
        self._alive = np.ones(n, dtype=bool)
        self._ids = [ids[i] for i in order]
        self._metas = [metas[i] for i in order]
        self._row_of = {item_id: row for row, item_id in enumerate(self._ids)}
        self._n = n
        self._n_grouped = n if self._centroids is not None else 0

    # -- searching -----------------------------------------------------------------------
    def _probe_count(self) -> int:
        """Lists to scan: 1/40 of them, but at least about exact_below / 2 rows.

        The row floor keeps mid-sized indexes (where neighbours are spread thin over many
        lists) close to exact at the cost of a scan no larger than exact mode's; at a million
        items the 1/40 term rules. Measured trade-offs are in docs/benchmarks.md.
        """
        if self.nprobe:
            return self.nprobe
        nlist = len(self._centroids)
        per_list = max(1.0, self._n_grouped / nlist)
        return int(min(nlist, max(nlist // 40, math.ceil(self.exact_below / 2 / per_list))))

    def _candidates(self, qv: np.ndarray, nprobe: int | None) -> tuple[np.ndarray, np.ndarray]:
        """Rows and scores to rank; all rows when exhaustive."""
        if self._centroids is None or nprobe is None or nprobe >= len(self._centroids):
            scores = self._vecs[: self._n] @ qv
            return np.arange(self._n), scores
        lists = np.argpartition(-(self._centroids @ qv), nprobe - 1)[:nprobe]
        rows_parts, score_parts = [], []
        for lst in np.sort(lists):
            a, b = self._offsets[lst], self._offsets[lst + 1]
            if b > a:
                rows_parts.append(np.arange(a, b))
                score_parts.append(self._vecs[a:b] @ qv)
        if self._n > self._n_grouped:
            rows_parts.append(np.arange(self._n_grouped, self._n))
            score_parts.append(self._vecs[self._n_grouped : self._n] @ qv)
        if not rows_parts:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        return np.concatenate(rows_parts), np.concatenate(score_parts)

    def query_vector(
        self,
        qv: np.ndarray,
        k: int = 10,
        where: Callable[[dict], bool] | None = None,
        min_score: float = 0.0,
        exclude: Iterable[str] = (),
        exact: bool = False,
    ) -> list[tuple[str, float]]:
        if k <= 0 or not self._row_of or not np.any(qv):
            return []
        excluded = set(exclude)
        probes = [None] if exact or self._centroids is None else [self._probe_count(), None]
        if where is not None and not exact and self._centroids is not None:
            probes = [self._probe_count(), min(len(self._centroids), 4 * self._probe_count()), None]
        result: list[tuple[str, float]] = []
        for nprobe in probes:
            rows, scores = self._candidates(qv, nprobe)
            result = self._select(rows, scores, k, where, min_score, excluded)
            if len(result) >= k:
                break
            if where is None and nprobe is not None:
                # Unfiltered: the probed lists either held k good hits or nothing else does;
                # only fall through when too few rows were scanned at all.
                if len(rows) >= 4 * k:
                    break
        return result

    def _select(self, rows, scores, k, where, min_score, excluded) -> list[tuple[str, float]]:
        alive = self._alive[rows] & (scores >= min_score)
        rows, scores = rows[alive], scores[alive]
        if not len(rows):
            return []
        out: list[tuple[str, float]] = []
        want = k + len(excluded) if where is None else 4 * k + len(excluded)
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
                if where is not None and not where(self._meta_dict(self._metas[row])):
                    continue
                out.append((item_id, float(scores[i])))
                if len(out) == k:
                    return out
            if top >= len(rows):
                return out
            want *= 4

    def query(
        self,
        text: object,
        k: int = 10,
        where: Callable[[dict], bool] | None = None,
        min_score: float = 0.0,
        exclude: Iterable[str] = (),
    ) -> list[tuple[str, float]]:
        """Up to k (item_id, cosine) pairs, best first, whose meta passes `where`.

        Filtered queries widen the search until k matches are found, ending with an exact
        scan, so a selective filter (one station) still finds its items.
        """
        qv = self.embedder.embed([text])[0]
        return self.query_vector(qv, k=k, where=where, min_score=min_score, exclude=exclude)

    def similar_to(self, item_id: str, k: int = 10, **kwargs) -> list[tuple[str, float]]:
        """Neighbours of an indexed item, the item itself excluded."""
        qv = self._vecs[self._row_of[item_id]]
        exclude = set(kwargs.pop("exclude", ())) | {item_id}
        return self.query_vector(qv, k=k, exclude=exclude, **kwargs)

    def vectors(self) -> tuple[list[str], np.ndarray]:
        """Live ids and their vectors (a copy), e.g. for exact evaluation."""
        rows = np.flatnonzero(self._alive[: self._n])
        return [self._ids[i] for i in rows], self._vecs[rows]

    def memory_bytes(self) -> int:
        """Approximate bytes held by the vector arrays (ids and metas excluded)."""
        extra = 0 if self._centroids is None else self._centroids.nbytes + self._offsets.nbytes
        return self._vecs.nbytes + self._alive.nbytes + extra

    # -- persistence ---------------------------------------------------------------------
    def to_dir(self, path: str | Path) -> None:
        """Write vectors.npz + items.json; rows stay grouped so loading needs no k-means."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        if self._n != len(self._row_of):
            self._regroup(retrain=False)
        arrays = {"vectors": self._vecs[: self._n]}
        if self._centroids is not None:
            arrays["centroids"] = self._centroids
            arrays["offsets"] = self._offsets
        np.savez(path / "vectors.npz", **arrays)
        doc = {
            "format": FORMAT_VERSION,
            "dim": self.dim,
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
    def from_dir(cls, path: str | Path) -> SimilarityIndex:
        path = Path(path)
        doc = json.loads((path / "items.json").read_text(encoding="utf-8"))
        if doc.get("format") != FORMAT_VERSION:
            raise ValueError(f"unsupported similarity index format in {path}")
        index = cls(dim=doc["dim"], exact_below=doc["exact_below"], nprobe=doc["nprobe"], seed=doc["seed"])
        with np.load(path / "vectors.npz", allow_pickle=False) as npz:
            index._vecs = np.ascontiguousarray(npz["vectors"], dtype=np.float32)
            if "centroids" in npz:
                index._centroids = npz["centroids"].astype(np.float32)
                index._offsets = npz["offsets"].astype(np.int64)
        index._n = len(index._vecs)
        index._n_grouped = int(doc["n_grouped"])
        index._trained_at = int(doc["trained_at"])
        index._alive = np.ones(index._n, dtype=bool)
        index._ids = [str(i) for i in doc["ids"]]
        index._metas = [index._pool(m) for m in doc["metas"]]
        index._row_of = {item_id: row for row, item_id in enumerate(index._ids)}
        return index


def order_by_similarity(items: list[tuple[str, object]], dim: int = 256) -> list[str]:
    """Agenda order in which similar opinions sit next to each other.

    Greedy nearest-neighbour chain: start with the first item (the chair's first pick),
    then always continue with the most similar item not yet placed; ties keep input order.
    """
    if not items:
        return []
    ids = [str(i) for i, _ in items]
    vecs = Embedder(dim).embed(text for _, text in items)
    sims = vecs @ vecs.T
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


def similar_pairs(items: list[tuple[str, object]], threshold: float = 0.6, dim: int = 256) -> list:
    """All (id_a, id_b, score) pairs at or above `threshold`, most similar first: likely duplicates."""
    if len(items) < 2:
        return []
    ids = [str(i) for i, _ in items]
    vecs = Embedder(dim).embed(text for _, text in items)
    sims = vecs @ vecs.T
    a, b = np.nonzero(np.triu(sims >= threshold, k=1))
    pairs = [(ids[i], ids[j], float(sims[i, j])) for i, j in zip(a, b, strict=True)]
    pairs.sort(key=lambda p: (-p[2], p[0], p[1]))
    return pairs
