"""Inverted lists for the dense vectors of a large similarity index: spherical k-means, list assignment."""

from __future__ import annotations

import numpy as np


def spherical_kmeans(x: np.ndarray, k: int, seed: int = 0, iterations: int = 8) -> np.ndarray:
    """Unit-length centroids maximising the inner product with their members."""
    rng = np.random.default_rng(seed)
    centroids = x[rng.choice(len(x), size=k, replace=False)].copy()
    for _ in range(iterations):
        assign = nearest(x, centroids)
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


def nearest(x: np.ndarray, centroids: np.ndarray, chunk: int = 16384) -> np.ndarray:
    out = np.empty(len(x), dtype=np.int32)
    for start in range(0, len(x), chunk):
        out[start : start + chunk] = np.argmax(x[start : start + chunk] @ centroids.T, axis=1)
    return out


def list_count(n: int) -> int:
    return int(min(4096, max(16, 2 * np.sqrt(n))))
