"""The lexical half of similar items: IDF-weighted cosine per feature family, over a growing sparse matrix.

Each row keeps the damped counts (1 + ln tf) of its features (see `features.py`); IDF is not baked in. It comes
from the document frequencies the store keeps for every feature, so it is always fitted on the current content:
an item added later weighs its words exactly as a rebuild would, and nothing has to be re-fitted as the index
grows (a static BM25 index such as bm25s' bakes IDF into its weights and cannot take additions — its author's
answer in xhluca/bm25s#5). Per-row norms under the current IDF are cached and refreshed on `compact()`.

Score of a document d for a query q: Σ_f w_f · cos_f(q, d) / Σ_f w_f over the families (characters, character
pairs, concepts), each cosine over tf-idf vectors. Short queries (a title typed while drafting) also score by
coverage — the share of their pair and concept weight found in d — since a long suggestion can only match a
six-character query in a small part of its text.

Rows live in two CSR blocks: `main` and a small `tail` of recent additions merged into it by `compact()`. At
scale a CSC copy of `main` restricted to the pair and concept columns gives candidate rows through posting
lists (`candidates()`), which are then scored exactly.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from liaison.insight.features import CHAR, CONCEPT, PAIR, analyse, family_of, han_length

FAMILY_WEIGHTS = np.array([2.0, 1.0, 0.5], dtype=np.float64)  # characters, pairs, concepts
SHORT_QUERY = 12  # Chinese characters at or under which a query is a search: coverage counts
COVERAGE_WEIGHT = 0.5


def _grow(arr: np.ndarray, need: int) -> np.ndarray:
    if need <= len(arr):
        return arr
    out = np.zeros(max(need, int(len(arr) * 1.5), 1024), dtype=arr.dtype)
    out[: len(arr)] = arr
    return out


class Query:
    """A query's columns and per-family weights: cos_f = Σ_t q_t·idf_t · d_t·idf_t / (|q_f| |d_f|)."""

    def __init__(self, cols, fam, weights, cover, short: bool):
        self.cols, self.fam, self.weights, self.cover, self.short = cols, fam, weights, cover, short

    def __bool__(self) -> bool:
        return bool(len(self.cols))

    def matrix(self, n_cols: int) -> tuple[np.ndarray, np.ndarray]:
        """(n_cols × 3) weights, one column per family, and the (n_cols,) coverage weights."""
        out = np.zeros((n_cols, 3), dtype=np.float32)
        out[self.cols, self.fam.astype(np.int64)] = self.weights
        cover = np.zeros(n_cols, dtype=np.float32)
        cover[self.cols] = self.cover
        return out, cover


class LexicalStore:
    def __init__(self):
        self.col_of: dict[int, int] = {}
        self.keys = np.zeros(0, dtype=np.uint64)
        self.df = np.zeros(0, dtype=np.int64)
        self.fam = np.zeros(0, dtype=np.int8)
        self.n_cols = 0
        self.main = sp.csr_matrix((0, 0), dtype=np.float32)
        self._tail_parts: list[sp.csr_matrix] = []
        self._tail: sp.csr_matrix | None = None
        self.norms = np.zeros((0, 3), dtype=np.float32)
        self.n_rows = 0
        self.n_live = 0
        self._csc: sp.csc_matrix | None = None

    # -- IDF -------------------------------------------------------------------------------------------
    def idf(self, df: np.ndarray) -> np.ndarray:
        return np.log((1.0 + self.n_live) / (1.0 + df)) + 1.0

    # -- adding and removing ---------------------------------------------------------------------------
    def add(self, texts) -> None:
        """Append one row per text (in order)."""
        texts = list(texts)
        docs, keys, counts = analyse(texts)
        uniq, inverse = np.unique(keys, return_inverse=True)
        ucols = np.empty(len(uniq), dtype=np.int64)
        first_new, new_keys = self.n_cols, []
        for i, key in enumerate(uniq.tolist()):
            col = self.col_of.get(key)
            if col is None:
                col = self.col_of[key] = self.n_cols
                self.n_cols += 1
                new_keys.append(key)
            ucols[i] = col
        cols = ucols[inverse]
        n_new = len(texts)
        self.keys = _grow(self.keys, self.n_cols)
        self.df = _grow(self.df, self.n_cols)
        self.fam = _grow(self.fam, self.n_cols)
        if new_keys:
            fresh = np.array(new_keys, dtype=np.uint64)
            self.keys[first_new : self.n_cols] = fresh
            self.fam[first_new : self.n_cols] = family_of(fresh)
        np.add.at(self.df, cols, 1)
        self.n_live += n_new
        data = (1.0 + np.log(counts)).astype(np.float32)
        block = sp.csr_matrix((data, (docs, cols)), shape=(n_new, self.n_cols), dtype=np.float32)
        self._tail_parts.append(block)
        self._tail = None
        self.norms = _grow_rows(self.norms, self.n_rows + n_new)
        self.norms[self.n_rows : self.n_rows + n_new] = self._row_norms(block)
        self.n_rows += n_new

    def forget(self, row: int) -> None:
        """Take a removed row's features out of the document frequencies (the row stays until `compact`)."""
        x = self.row(row)
        np.subtract.at(self.df, x.indices, 1)
        self.n_live -= 1

    def row(self, row: int) -> sp.csr_matrix:
        n_main = self.main.shape[0]
        if row < n_main:
            return self.main[row]
        return self.tail()[row - n_main]

    def tail(self) -> sp.csr_matrix:
        if self._tail is None:
            parts = [_widen(p, self.n_cols) for p in self._tail_parts]
            self._tail = sp.vstack(parts, format="csr") if parts else sp.csr_matrix((0, self.n_cols), dtype=np.float32)
            self._tail_parts = [self._tail] if parts else []
        elif self._tail.shape[1] < self.n_cols:
            self._tail = _widen(self._tail, self.n_cols)
        return self._tail

    def tail_rows(self) -> int:
        return self.n_rows - self.main.shape[0]

    def compact(self, keep: np.ndarray | None = None, order: np.ndarray | None = None, index_pairs: bool = False):
        """Merge the tail into `main`, drop rows not in `keep`, reorder rows, refresh norms (and the CSC)."""
        x = sp.vstack([_widen(self.main, self.n_cols), self.tail()], format="csr")
        if keep is not None:
            x = x[keep]
        if order is not None:
            x = x[order]
        self.main = x.astype(np.float32)
        self._tail_parts, self._tail = [], None
        self.n_rows = self.n_live = x.shape[0]
        self.norms = self._row_norms(self.main)
        self._csc = None
        if index_pairs:
            rare = (self.fam[: self.n_cols] != CHAR).astype(np.float32)
            self._csc = (self.main @ sp.diags(rare)).tocsc()
            self._csc.eliminate_zeros()

    def _row_norms(self, x: sp.csr_matrix) -> np.ndarray:
        if x.shape[0] == 0:
            return np.zeros((0, 3), dtype=np.float32)
        idf2 = self.idf(self.df[: x.shape[1]]) ** 2
        fam = self.fam[: x.shape[1]]
        onehot = sp.csr_matrix(
            (idf2, (np.arange(x.shape[1]), fam.astype(np.int64))), shape=(x.shape[1], 3), dtype=np.float64
        )
        return np.sqrt(np.asarray((x.multiply(x) @ onehot).todense())).astype(np.float32)

    # -- querying --------------------------------------------------------------------------------------
    def query(self, text: object) -> Query:
        docs, keys, counts = analyse([text])
        tf = 1.0 + np.log(counts.astype(np.float64))
        cols = np.array([self.col_of.get(k, -1) for k in keys.tolist()], dtype=np.int64)
        fam = family_of(keys)
        df = np.where(cols >= 0, self.df[np.maximum(cols, 0)] if len(self.df) else 0, 0)
        qw = tf * self.idf(df)
        norms = np.sqrt(np.bincount(fam, weights=qw**2, minlength=3))
        known = cols >= 0
        weights = np.zeros(len(cols))
        for f in range(3):
            if norms[f] > 0:
                weights[fam == f] = FAMILY_WEIGHTS[f] * qw[fam == f] * self.idf(df[fam == f]) / norms[f]
        present = norms > 0
        total = FAMILY_WEIGHTS[present].sum()
        weights /= total if total else 1.0
        short = 0 < han_length(text) <= SHORT_QUERY
        cover = np.where((fam == PAIR) | (fam == CONCEPT), qw**2, 0.0)
        cover = cover / cover.sum() if short and cover.sum() > 0 else np.zeros(len(cols))
        return Query(cols[known], fam[known], weights[known], cover[known], short)

    def score(self, q: Query, rows: np.ndarray | None = None) -> np.ndarray:
        """Scores of `rows` (all rows when None), in [0, 1]."""
        if not q:
            return np.zeros(self.n_rows if rows is None else len(rows), dtype=np.float32)
        qm, qc = q.matrix(self.n_cols)
        if rows is None:
            blocks = [_widen(self.main, self.n_cols), self.tail()] if self.main.shape[0] else [self.tail()]
            norms = self.norms[: self.n_rows]
        else:
            blocks = [self._rows(np.asarray(rows, dtype=np.int64))]
            norms = self.norms[rows]
        raw = np.vstack([b @ qm for b in blocks])
        with np.errstate(divide="ignore", invalid="ignore"):
            cos = np.where(norms > 0, raw / norms, 0.0).sum(axis=1)
        if q.short:
            cover = np.concatenate([_ones(b) @ qc for b in blocks])
            cos = (1 - COVERAGE_WEIGHT) * cos + COVERAGE_WEIGHT * cover
        return np.clip(cos, 0.0, 1.0).astype(np.float32)

    def _rows(self, rows: np.ndarray) -> sp.csr_matrix:
        n_main = self.main.shape[0]
        in_main = rows < n_main
        if in_main.all():
            return _widen(self.main[rows], self.n_cols)
        tail = self.tail()
        if not in_main.any():
            return tail[rows - n_main]
        out = sp.vstack([_widen(self.main[rows[in_main]], self.n_cols), tail[rows[~in_main] - n_main]], format="csr")
        back = np.empty(len(rows), dtype=np.int64)
        back[np.flatnonzero(in_main)] = np.arange(in_main.sum())
        back[np.flatnonzero(~in_main)] = in_main.sum() + np.arange((~in_main).sum())
        return out[back]

    def candidates(self, q: Query, limit: int) -> np.ndarray:
        """Rows sharing the query's rarest pairs and concepts (posting lists of the CSC), best `limit` first."""
        n_main = self.main.shape[0]
        out = [n_main + np.arange(self.tail_rows())]
        if self._csc is not None and len(q.cols):
            rare = q.fam != CHAR
            cols, w = q.cols[rare], q.weights[rare]
            cols, w = cols[cols < self._csc.shape[1]], w[cols < self._csc.shape[1]]
            acc = np.zeros(n_main, dtype=np.float32)
            ptr, idx, data = self._csc.indptr, self._csc.indices, self._csc.data
            cap = max(1000, n_main // 20)  # skip features most rows share: they hardly rank anything
            for c, weight in zip(cols.tolist(), w.tolist(), strict=True):
                a, b = ptr[c], ptr[c + 1]
                if 0 < b - a <= cap:
                    acc[idx[a:b]] += data[a:b] * weight
            hit = np.flatnonzero(acc)
            if len(hit) > limit:
                hit = hit[np.argpartition(-acc[hit], limit - 1)[:limit]]
            out.append(hit)
        return np.unique(np.concatenate(out)).astype(np.int64)

    def memory_bytes(self) -> int:
        total = self.main.data.nbytes + self.main.indices.nbytes + self.main.indptr.nbytes + self.norms.nbytes
        if self._csc is not None:
            total += self._csc.data.nbytes + self._csc.indices.nbytes + self._csc.indptr.nbytes
        return total + self.keys.nbytes + self.df.nbytes + self.fam.nbytes + 80 * self.n_cols

    # -- persistence -----------------------------------------------------------------------------------
    def arrays(self) -> dict[str, np.ndarray]:
        """Plain arrays (call after `compact()`, so everything is in `main`)."""
        m = _widen(self.main, self.n_cols)
        return {
            "lex_keys": self.keys[: self.n_cols],
            "lex_df": self.df[: self.n_cols],
            "lex_indptr": m.indptr.astype(np.int64),
            "lex_indices": m.indices.astype(np.int32),
            "lex_data": m.data.astype(np.float32),
        }

    @classmethod
    def from_arrays(cls, npz, index_pairs: bool) -> LexicalStore:
        store = cls()
        store.keys = np.asarray(npz["lex_keys"], dtype=np.uint64)
        store.n_cols = len(store.keys)
        store.col_of = {int(k): i for i, k in enumerate(store.keys.tolist())}
        store.df = np.asarray(npz["lex_df"], dtype=np.int64)
        store.fam = family_of(store.keys)
        indptr = np.asarray(npz["lex_indptr"])
        n = len(indptr) - 1
        store.main = sp.csr_matrix(
            (np.asarray(npz["lex_data"]), np.asarray(npz["lex_indices"]), indptr), shape=(n, store.n_cols)
        )
        store.n_rows = store.n_live = n
        store.compact(index_pairs=index_pairs)
        return store


def _widen(x: sp.csr_matrix, n_cols: int) -> sp.csr_matrix:
    if x.shape[1] == n_cols:
        return x
    return sp.csr_matrix((x.data, x.indices, x.indptr), shape=(x.shape[0], n_cols))


def _ones(x: sp.csr_matrix) -> sp.csr_matrix:
    """The same sparsity pattern with every stored value 1 (sharing the index arrays)."""
    return sp.csr_matrix((np.ones(len(x.data), dtype=np.float32), x.indices, x.indptr), shape=x.shape)


def _grow_rows(arr: np.ndarray, need: int) -> np.ndarray:
    if need <= len(arr):
        return arr
    out = np.zeros((max(need, int(len(arr) * 1.5), 1024), arr.shape[1]), dtype=arr.dtype)
    out[: len(arr)] = arr
    return out


def lexical_similarity(texts: list[object]) -> np.ndarray:
    """(n × n) similarities of a small set of texts, IDF fitted on the set itself (agenda, duplicates)."""
    store = LexicalStore()
    store.add(texts)
    out = np.zeros((len(texts), len(texts)), dtype=np.float32)
    for i, text in enumerate(texts):
        q = store.query(text)
        q.short, q.cover = False, np.zeros(len(q.cols))
        out[i] = store.score(q)
    return out
