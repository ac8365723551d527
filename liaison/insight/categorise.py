"""Proposing a category for a citizen opinion.

Two proposers share one result type. `LexiconCategoriser` works from day one with our
hand-written keywords. `Categoriser` learns from opinions staff have already categorised:
TF-IDF over Chinese characters and character pairs of the whole text plus jieba words of the
title and opening, a class-balanced linear SVM, and a softmax whose temperature is fitted on
held-out decisions so that `confidence` behaves like a probability. Until it is trained it
answers with the lexicon.

A text may be a plain string, "title\\nbody", or a (title, body) pair; the title is counted
twice because it is the writer's own summary.
"""

from __future__ import annotations

import json
import math
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from liaison.insight.lexicon import LEXICON, keyword_weight
from liaison.insight.text import has_meaning, normalise, tokens

FORMAT_VERSION = 1
MAX_CHARS = 4000  # longer texts add nothing but time; the opening states the matter
TITLE_MAX = 80
_WORD_NS = 1 << 43  # keeps word keys apart from character keys


@dataclass(frozen=True)
class Prediction:
    label: str | None
    confidence: float
    ranked: list[tuple[str, float]] = field(default_factory=list)


NOTHING = Prediction(None, 0.0, [])


def split_title(text: object) -> tuple[str, str]:
    """(title, body) of a pair, or of "title\\nbody" when the first line is short."""
    if isinstance(text, (tuple, list)) and len(text) == 2:
        return normalise(text[0]), normalise(text[1])
    if isinstance(text, str):
        head, sep, rest = text.strip().partition("\n")
        if sep and len(head) <= TITLE_MAX and rest.strip():
            return normalise(head), normalise(rest)
    return "", normalise(text)


class LexiconCategoriser:
    """Keyword votes: each keyword found adds its weight (twice when in the title)."""

    def __init__(self, lexicon: dict[str, Sequence[str]] | None = None):
        self.lexicon = {label: tuple(words) for label, words in (lexicon or LEXICON).items()}

    def scores(self, text: object) -> dict[str, float]:
        title, body = split_title(text)
        title, body = title.lower(), body[:MAX_CHARS].lower()
        out = {}
        for label, words in self.lexicon.items():
            score = 0.0
            for word in words:
                hits = 2 * title.count(word) + body.count(word)
                if hits:
                    score += keyword_weight(word) * (1.0 + math.log(hits))
            out[label] = score
        return out

    def predict(self, text: object) -> Prediction:
        title, body = split_title(text)
        if not has_meaning(title + body):
            return NOTHING
        scores = self.scores((title, body))
        total = sum(scores.values())
        if total <= 0:
            return NOTHING
        ranked = sorted(((label, s / total) for label, s in scores.items() if s > 0), key=lambda p: -p[1])
        # Share of the votes, discounted when there is little evidence (one keyword → about 1/2).
        top = max(scores.values())
        confidence = ranked[0][1] * top / (top + 1.0)
        return Prediction(ranked[0][0], round(confidence, 4), [(lab, round(s, 4)) for lab, s in ranked])

    def predict_many(self, texts: Iterable[object]) -> list[Prediction]:
        return [self.predict(t) for t in texts]


def _gram_keys(parts: list[str], owners: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(owner, key) for every character and character pair of each part, vectorised.

    A key is the code point, or (first << 21 | second) for a pair, so keys are exact (no
    hashing) and the whole batch is processed by a handful of numpy operations.
    """
    if not parts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint64)
    cp = np.frombuffer("\x00".join(parts).encode("utf-32-le"), dtype=np.uint32)
    valid = (cp != 0) & (cp != 32)
    uni = np.flatnonzero(valid)
    bi = np.flatnonzero(valid[:-1] & valid[1:])
    keys = np.concatenate([cp[uni].astype(np.uint64), (cp[bi].astype(np.uint64) << np.uint64(21)) | cp[bi + 1]])
    part = np.searchsorted(np.flatnonzero(cp == 0), np.concatenate([uni, bi]))
    return owners[part], keys


def _word_key(word: str) -> int:
    return _WORD_NS | zlib.crc32(word.encode("utf-8"))


class _Vocab:
    """TF-IDF over integer feature keys with a fixed vocabulary, kept as plain arrays."""

    def __init__(self, keys: np.ndarray, idf: np.ndarray):
        self.keys = np.asarray(keys, dtype=np.uint64)
        self.idf = np.asarray(idf, dtype=np.float32)

    @classmethod
    def fit(cls, docs: np.ndarray, keys: np.ndarray, n_docs: int, min_df: int) -> _Vocab:
        pairs = np.unique((docs.astype(np.uint64) << np.uint64(44)) | keys)
        vocab, df = np.unique(pairs & np.uint64(2**44 - 1), return_counts=True)
        keep = df >= min_df
        idf = np.log((1 + n_docs) / (1 + df[keep])) + 1.0
        return cls(vocab[keep], idf)

    def transform(self, docs: np.ndarray, keys: np.ndarray, n_docs: int) -> sp.csr_matrix:
        shape = (n_docs, len(self.keys))
        if not len(keys) or not len(self.keys):
            return sp.csr_matrix(shape, dtype=np.float32)
        col = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
        known = self.keys[col] == keys
        docs, col = docs[known], col[known]
        pairs, counts = np.unique(docs.astype(np.int64) * len(self.keys) + col, return_counts=True)
        rows, cols = np.divmod(pairs, len(self.keys))
        data = ((1.0 + np.log(counts)) * self.idf[cols]).astype(np.float32)
        norms = np.sqrt(np.bincount(rows, weights=data.astype(np.float64) ** 2, minlength=n_docs))
        data /= np.where(norms > 0, norms, 1.0)[rows].astype(np.float32)
        return sp.csr_matrix((data, (rows, cols)), shape=shape, dtype=np.float32)


class Categoriser:
    """Learned proposer; falls back to the lexicon until `fit` has seen two categories.

    `C` None picks the SVM regularisation from a small grid by 3-fold CV inside the
    training data only, so evaluation folds are never used for tuning.
    """

    C_GRID = (0.25, 0.5, 1.0)

    def __init__(self, C: float | None = 0.5, word_chars: int = 0, seed: int = 0):
        self.C = C
        self.word_chars = word_chars
        self.seed = seed
        self.fallback = LexiconCategoriser()
        self.classes: list[str] = []
        self.temperature = 1.0
        self.C_used: float | None = None
        self._chars: _Vocab | None = None
        self._words: _Vocab | None = None
        self._coef: np.ndarray | None = None
        self._intercept: np.ndarray | None = None

    @property
    def trained(self) -> bool:
        return self._coef is not None

    # -- features ------------------------------------------------------------------------
    def _features(self, texts: Iterable[object]):
        """Character-gram and word keys of a batch, and which texts have any Chinese at all."""
        parts: list[str] = []
        owners: list[int] = []
        word_docs: list[int] = []
        word_keys: list[int] = []
        ok = []
        for i, text in enumerate(texts):
            title, body = split_title(text)
            title, body = title.lower(), body[:MAX_CHARS].lower()
            meaningful = has_meaning(title + body)
            ok.append(meaningful)
            if not meaningful:
                continue
            parts += [title, title, body]  # the title counts twice
            owners += [i, i, i]
            words = tokens(title) * 2 + (tokens(body[: self.word_chars]) if self.word_chars else [])
            word_docs += [i] * len(words)
            word_keys += [_word_key(w) for w in words]
        char_docs, char_keys = _gram_keys(parts, np.asarray(owners, dtype=np.int64))
        return (
            (char_docs, char_keys),
            (np.asarray(word_docs, dtype=np.int64), np.asarray(word_keys, dtype=np.uint64)),
            np.array(ok, dtype=bool),
        )

    def _matrix(self, chars, words, n: int) -> sp.csr_matrix:
        return sp.hstack([self._chars.transform(*chars, n), self._words.transform(*words, n)]).tocsr()

    # -- training ------------------------------------------------------------------------
    def fit(self, texts: Sequence[object], labels: Sequence[str]) -> Categoriser:
        from sklearn.model_selection import StratifiedKFold
        from sklearn.svm import LinearSVC

        texts = list(texts)
        y = np.array([str(label) for label in labels])
        if len(y) != len(texts):
            raise ValueError("texts and labels differ in length")
        chars, words, ok = self._features(texts)
        if len(set(y[ok])) < 2:
            raise ValueError("need examples of at least two categories")
        self._chars = _Vocab.fit(*chars, len(y), min_df=2 if len(y) >= 50 else 1)
        self._words = _Vocab.fit(*words, len(y), min_df=1)
        x = self._matrix(chars, words, len(y))[ok]
        y = y[ok]
        classes = sorted(set(y))

        def svm(C):
            return LinearSVC(C=C, class_weight="balanced", random_state=self.seed)

        # Held-out decisions for choosing C (optional) and the softmax temperature.
        counts = np.unique(y, return_counts=True)[1]
        folds = int(min(3, counts.min()))
        grid = self.C_GRID if self.C is None else (self.C,)
        best_c, best_dec, best_f1 = grid[0], None, -1.0
        if folds >= 2:
            from sklearn.metrics import f1_score

            splits = list(StratifiedKFold(folds, shuffle=True, random_state=self.seed).split(x, y))
            for C in grid:
                dec = np.zeros((len(y), len(classes)), dtype=np.float64)
                for tr, te in splits:
                    model = svm(C).fit(x[tr], y[tr])
                    dec[te] = _per_class(model.decision_function(x[te]))
                f1 = f1_score(y, np.array(classes)[dec.argmax(1)], average="macro")
                if f1 > best_f1:
                    best_c, best_dec, best_f1 = C, dec, f1
        model = svm(best_c).fit(x, y)
        self.C_used = best_c
        self.classes = classes
        self._coef = _per_class(model.coef_.T).T.astype(np.float32)
        self._intercept = _per_class(model.intercept_[None, :])[0].astype(np.float32)
        self.temperature = _fit_temperature(best_dec, y, classes) if best_dec is not None else 1.0
        return self

    # -- predicting ----------------------------------------------------------------------
    def predict(self, text: object) -> Prediction:
        return self.predict_many([text])[0]

    def predict_many(self, texts: Iterable[object]) -> list[Prediction]:
        texts = list(texts)
        if not self.trained:
            return self.fallback.predict_many(texts)
        chars, words, ok = self._features(texts)
        if not ok.any():
            return [NOTHING] * len(texts)
        x = self._matrix(chars, words, len(texts))
        dec = x @ self._coef.T + self._intercept
        probs = _softmax(dec / self.temperature)
        has_features = np.diff(x.indptr) > 0
        out = []
        for i in range(len(texts)):
            if not ok[i] or not has_features[i]:
                out.append(NOTHING)
                continue
            order = np.argsort(-probs[i], kind="stable")
            ranked = [(self.classes[j], round(float(probs[i, j]), 4)) for j in order]
            out.append(Prediction(ranked[0][0], ranked[0][1], ranked))
        return out

    # -- persistence ---------------------------------------------------------------------
    def to_dir(self, path: str | Path) -> None:
        """model.json (classes, settings) + arrays.npz (weights, vocabulary keys, idf)."""
        if not self.trained:
            raise ValueError("nothing to save: the categoriser is not trained")
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        np.savez(
            path / "arrays.npz",
            coef=self._coef,
            intercept=self._intercept,
            char_keys=self._chars.keys,
            char_idf=self._chars.idf,
            word_keys=self._words.keys,
            word_idf=self._words.idf,
        )
        doc = {
            "format": FORMAT_VERSION,
            "classes": self.classes,
            "temperature": self.temperature,
            "C": self.C_used,
            "word_chars": self.word_chars,
            "seed": self.seed,
        }
        (path / "model.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def from_dir(cls, path: str | Path) -> Categoriser:
        path = Path(path)
        doc = json.loads((path / "model.json").read_text(encoding="utf-8"))
        if doc.get("format") != FORMAT_VERSION:
            raise ValueError(f"unsupported categoriser format in {path}")
        model = cls(C=doc["C"], word_chars=doc["word_chars"], seed=doc["seed"])
        with np.load(path / "arrays.npz", allow_pickle=False) as arrays:
            model._coef = arrays["coef"].astype(np.float32)
            model._intercept = arrays["intercept"].astype(np.float32)
            model._chars = _Vocab(arrays["char_keys"], arrays["char_idf"])
            model._words = _Vocab(arrays["word_keys"], arrays["word_idf"])
        model.classes = list(doc["classes"])
        model.temperature = float(doc["temperature"])
        model.C_used = doc["C"]
        return model


def _per_class(matrix: np.ndarray) -> np.ndarray:
    """Scores with one column per class (sorted, as sklearn orders `classes_`).

    A binary LinearSVC keeps one score s for the second class; (-s/2, s/2) keeps the
    difference between the two classes, which is all a softmax sees.
    """
    matrix = np.asarray(matrix, dtype=np.float64)
    if matrix.ndim == 1:
        matrix = matrix[:, None]
    if matrix.shape[1] == 1:
        return np.hstack([-matrix / 2, matrix / 2])
    return matrix


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _fit_temperature(dec: np.ndarray, y: np.ndarray, classes: list[str]) -> float:
    """Temperature minimising the log-loss of held-out decisions (golden-section search)."""
    target = np.array([classes.index(label) for label in y])

    def loss(t: float) -> float:
        p = _softmax(dec / t)
        return float(-np.mean(np.log(np.clip(p[np.arange(len(y)), target], 1e-12, None))))

    lo, hi = math.log(0.01), math.log(10.0)
    g = (math.sqrt(5) - 1) / 2
    a, b = hi - g * (hi - lo), lo + g * (hi - lo)
    for _ in range(40):
        if loss(math.exp(a)) < loss(math.exp(b)):
            hi = b
        else:
            lo = a
        a, b = hi - g * (hi - lo), lo + g * (hi - lo)
    return round(math.exp((lo + hi) / 2), 6)
