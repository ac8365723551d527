"""The learnt half of similar items: word vectors trained on the site's own texts (gensim's word2vec).

Residents, staff and deputies name one problem in different words ("等车的地方连个棚子都没有" / "建设候车亭");
words used in the same contexts across thousands of messages get nearby vectors, which the lexical score cannot
see. A text's vector is the IDF-weighted sum of its words' vectors (jieba words of the title and opening, each
synonym of `data/synonyms.txt` counted as its concept), minus the corpus mean, at unit length.

Trained by `manage.py train_insight` from the opinions and suggestions in the database (plus, optionally,
other text files given to it); never downloaded. Stored as plain arrays (`vectors.npz`, loaded without pickle)
and a JSON word list; gensim is needed for training only. Without a trained model the site uses the lexical
score alone.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from liaison.insight.features import words as text_words

FORMAT_VERSION = 1


def _stable_hash(text: str) -> int:
    """Seed for gensim's initial vectors: Python's hash() changes between processes, CRC32 does not."""
    return zlib.crc32(text.encode("utf-8"))


class DenseModel:
    def __init__(self, words: Sequence[str], vectors: np.ndarray, weights: np.ndarray, mean: np.ndarray):
        self.words = list(words)
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.weights = np.asarray(weights, dtype=np.float32)
        self.mean = np.asarray(mean, dtype=np.float32)
        self.index = {w: i for i, w in enumerate(self.words)}
        digest = hashlib.sha1(self.vectors.tobytes() + "\n".join(self.words).encode("utf-8"))
        self.version = digest.hexdigest()[:16]

    @property
    def dim(self) -> int:
        return self.vectors.shape[1]

    @classmethod
    def train(
        cls,
        texts: Iterable[object],
        dim: int = 100,
        epochs: int = 10,
        min_count: int = 2,
        seed: int = 0,
        workers: int = 1,
    ) -> DenseModel:
        """Skip-gram word2vec over the texts' words; deterministic with one worker."""
        from gensim.models import Word2Vec

        sentences = [text_words(t) for t in texts]
        sentences = [s for s in sentences if s]
        if not sentences:
            raise ValueError("no text to train on")
        model = Word2Vec(
            sentences,
            vector_size=dim,
            window=5,
            min_count=min_count,
            sg=1,
            epochs=epochs,
            seed=seed,
            workers=workers,
            hashfxn=_stable_hash,
        )
        words = list(model.wv.index_to_key)
        df = Counter(w for s in sentences for w in set(s))
        n = len(sentences)
        weights = np.array([np.log((1 + n) / (1 + df[w])) for w in words], dtype=np.float32)
        out = cls(words, model.wv.vectors, weights, np.zeros(dim, dtype=np.float32))
        out.mean = out._sums(sentences).mean(axis=0)
        return cls(out.words, out.vectors, out.weights, out.mean)

    def _sums(self, sentences: Sequence[Sequence[str]]) -> np.ndarray:
        out = np.zeros((len(sentences), self.dim), dtype=np.float32)
        for i, sentence in enumerate(sentences):
            idx = [self.index[w] for w in sentence if w in self.index]
            if idx:
                out[i] = self.weights[idx] @ self.vectors[idx]
        return out

    def embed(self, texts: Iterable[object]) -> np.ndarray:
        """(n, dim) unit rows; a text without a known word gives a zero row."""
        sums = self._sums([text_words(t) for t in texts])
        known = np.any(sums != 0, axis=1)
        sums[known] -= self.mean
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        np.divide(sums, norms, out=sums, where=norms > 0)
        return sums

    # -- persistence ---------------------------------------------------------------------------------
    def to_dir(self, path: str | Path) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        np.savez(path / "vectors.npz", vectors=self.vectors, weights=self.weights, mean=self.mean)
        doc = {"format": FORMAT_VERSION, "dim": self.dim, "version": self.version, "words": self.words}
        (path / "words.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def from_dir(cls, path: str | Path) -> DenseModel:
        path = Path(path)
        doc = json.loads((path / "words.json").read_text(encoding="utf-8"))
        if doc.get("format") != FORMAT_VERSION:
            raise ValueError(f"unsupported similarity model format in {path}")
        with np.load(path / "vectors.npz", allow_pickle=False) as npz:
            model = cls(doc["words"], npz["vectors"], npz["weights"], npz["mean"])
        if model.vectors.shape != (len(model.words), int(doc["dim"])):
            raise ValueError(f"similarity model in {path} does not match its word list")
        return model
