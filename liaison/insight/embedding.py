"""Text → vector: Chinese character bigrams and Latin/digit words, damped and folded into a fixed signed-hash
sketch, L2-normalised (see similar.py's docstring). Frozen and fitting-free, so stored vectors never change."""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable

import numpy as np

from liaison.insight.text import normalise, stopwords

_HAS_LATIN = re.compile(r"[a-z0-9]")
_LATIN = re.compile(r"[a-z0-9][a-z0-9_.+-]*[a-z0-9]")
_LATIN_NS = 1 << 40  # keeps Latin word keys apart from Chinese character keys


class Embedder:
    """Frozen text-to-vector map; two instances with the same dim always agree.

    Fully vectorised over a batch (no per-bigram Python work), which is what makes building
    a million-item index feasible in minutes.
    """

    def __init__(self, dim: int = 256):
        self.dim = int(dim)
        stop_keys = []
        for word in stopwords():
            cps = [ord(c) for c in word]
            if len(cps) == 1 and _is_han(cps[0]):
                stop_keys.append(cps[0])
            elif len(cps) == 2 and _is_han(cps[0]) and _is_han(cps[1]):
                stop_keys.append(cps[0] * 65536 + cps[1])
        self._stop_keys = np.array(sorted(stop_keys), dtype=np.uint64)

    def embed(self, texts: Iterable[object]) -> np.ndarray:
        """(n, dim) float32 rows of unit length; a text without content gives a zero row."""
        clean = [normalise(t).lower() for t in texts]
        n = len(clean)
        out = np.zeros((n, self.dim), dtype=np.float32)
        if not n:
            return out
        doc_parts, key_parts = [], []
        docs, keys = self._han_keys(clean)
        doc_parts.append(docs)
        key_parts.append(keys)
        latin_docs, latin_keys = [], []
        for i, text in enumerate(clean):
            if _HAS_LATIN.search(text):
                for word in _LATIN.findall(text):
                    if not word.isdigit():
                        latin_docs.append(i)
                        latin_keys.append(_LATIN_NS | zlib.crc32(word.encode("utf-8")))
        if latin_keys:
            doc_parts.append(np.array(latin_docs, dtype=np.uint64))
            key_parts.append(np.array(latin_keys, dtype=np.uint64))
        docs = np.concatenate(doc_parts)
        keys = np.concatenate(key_parts)
        if len(keys):
            combined, counts = np.unique((docs << np.uint64(42)) | keys, return_counts=True)
            docs = (combined >> np.uint64(42)).astype(np.int64)
            keys = combined & np.uint64(2**42 - 1)
            mixed = _mix(keys)
            bucket = (mixed % np.uint64(self.dim)).astype(np.int64)
            sign = np.where((mixed >> np.uint64(40)) & np.uint64(1), 1.0, -1.0)
            weights = (1.0 + np.log(counts)) * sign
            flat = np.bincount(docs * self.dim + bucket, weights=weights, minlength=n * self.dim)
            out = flat.reshape(n, self.dim).astype(np.float32)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        np.divide(out, norms, out=out, where=norms > 0)
        return out

    def _han_keys(self, clean: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Document numbers and feature keys of Chinese bigrams (and lone characters)."""
        cp = np.frombuffer("\x00".join(clean).encode("utf-32-le"), dtype=np.uint32)
        han = ((cp >= 0x4E00) & (cp <= 0x9FFF)) | ((cp >= 0x3400) & (cp <= 0x4DBF)) | ((cp >= 0xF900) & (cp <= 0xFAFF))
        pair = han[:-1] & han[1:]
        lone = han.copy()
        lone[1:] &= ~han[:-1]
        lone[:-1] &= ~han[1:]
        pos = np.flatnonzero(pair)
        single = np.flatnonzero(lone)
        keys = np.concatenate([cp[pos].astype(np.uint64) * np.uint64(65536) + cp[pos + 1], cp[single]])
        starts = np.flatnonzero(cp == 0)  # separators: document i starts after the i-th one
        docs = np.concatenate([np.searchsorted(starts, pos), np.searchsorted(starts, single)]).astype(np.uint64)
        if len(self._stop_keys):
            at = np.minimum(np.searchsorted(self._stop_keys, keys), len(self._stop_keys) - 1)
            keep = self._stop_keys[at] != keys
            keys, docs = keys[keep], docs[keep]
        return docs, keys


def _is_han(cp: int) -> bool:
    return 0x3400 <= cp <= 0x4DBF or 0x4E00 <= cp <= 0x9FFF or 0xF900 <= cp <= 0xFAFF


def _mix(keys: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: a fixed hash, so vectors never drift between versions."""
    with np.errstate(over="ignore"):
        z = keys * np.uint64(0x9E3779B97F4A7C15) + np.uint64(0x632BE59BD9B4E019)
        z ^= z >> np.uint64(30)
        z *= np.uint64(0xBF58476D1CE4E5B9)
        z ^= z >> np.uint64(27)
        z *= np.uint64(0x94D049BB133111EB)
        z ^= z >> np.uint64(31)
    return z
