"""Text → lexical features for similar items: Chinese characters, character pairs and synonym concepts.

Three feature families, each weighed by its own IDF-weighted cosine in `lexical.py`:

- characters: every Chinese character (and every Latin/digit word), stopword characters left out. Single
  characters carry most of a paraphrase ("路灯坏了" / "灯不亮了"), so they weigh most;
- character pairs: overlapping pairs inside runs of Chinese characters — no segmentation needed, so typos and
  unknown place names still match on their intact half;
- concepts: words of `data/synonyms.txt` (dialect, everyday speech, the formal term and frequent typos of one
  thing: 机耕路 / 机耕道 / 生产路 / 鸡耕路) found as substrings, each counted as its line's first word.

A text is a string, or a (title, body) pair whose title counts twice. Keys are exact integers (no hashing of
Chinese text): a code point, `first << 21 | second` for a pair, and CRC32 numbers in their own namespaces for
concepts and Latin words. Everything is vectorised over a batch except the concept scan (one compiled regex).
"""

from __future__ import annotations

import functools
import re
import zlib
from collections.abc import Iterable, Sequence

import numpy as np

from liaison.insight.text import DATA_DIR, normalise, stopwords, tokens

SYNONYMS_PATH = DATA_DIR / "synonyms.txt"
CHAR, PAIR, CONCEPT = 0, 1, 2
FAMILIES = ("char", "pair", "concept")
_PAIR_MIN = 1 << 21
_CONCEPT_NS = 1 << 43
_LATIN_NS = 1 << 44
_LATIN = re.compile(r"[a-z0-9][a-z0-9_.+-]*[a-z0-9]|[a-z]")
_HAS_LATIN = re.compile(r"[a-z0-9]")
MAX_CHARS = 600  # of a body: the opening states the matter; the rest adds time and memory, not precision


@functools.lru_cache(maxsize=1)
def synonym_table() -> tuple[re.Pattern | None, dict[str, str]]:
    """(pattern matching any listed word, longest first; word → its line's first word)."""
    concept: dict[str, str] = {}
    for line in SYNONYMS_PATH.read_text(encoding="utf-8").splitlines():
        words = line.split("#", 1)[0].split()
        for word in words:
            concept.setdefault(normalise(word).lower(), normalise(words[0]).lower())
    if not concept:
        return None, {}
    return re.compile(_trie_pattern(concept)), concept


def _trie_pattern(words: Iterable[str]) -> str:
    """A regex of the words as a character trie: greedy, so the longest listed word wins, and fast."""
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        alts = [re.escape(ch) + build(sub) for ch, sub in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)


@functools.lru_cache(maxsize=1)
def _stop_keys() -> np.ndarray:
    keys = []
    for word in stopwords():
        cps = [ord(c) for c in word]
        if len(cps) == 1:
            keys.append(cps[0])
        elif len(cps) == 2:
            keys.append(cps[0] << 21 | cps[1])
    return np.array(sorted(keys), dtype=np.uint64)


def concept_key(name: str) -> int:
    return _CONCEPT_NS | zlib.crc32(name.encode("utf-8"))


def family_of(keys: np.ndarray) -> np.ndarray:
    keys = np.asarray(keys, dtype=np.uint64)
    fam = np.where(keys < np.uint64(_PAIR_MIN), CHAR, PAIR).astype(np.int8)
    fam[(keys >= np.uint64(_CONCEPT_NS)) & (keys < np.uint64(_LATIN_NS))] = CONCEPT
    fam[keys >= np.uint64(_LATIN_NS)] = CHAR
    return fam


def split(text: object) -> tuple[str, str]:
    """(title, body), normalised and lower-cased; a plain string is all body."""
    if isinstance(text, (tuple, list)) and len(text) == 2:
        return normalise(text[0]).lower(), normalise(text[1]).lower()
    return "", normalise(text).lower()


def _parts(texts: Sequence[object]) -> tuple[list[str], list[int], list[int]]:
    """Texts cut into parts (title twice, then the body) with their owner and the Han character count."""
    parts, owners, lengths = [], [], []
    for i, text in enumerate(texts):
        title, body = split(text)
        title, body = title[:100], body[:MAX_CHARS]
        parts += [title, title, body] if title else [body]
        owners += [i, i, i] if title else [i]
        lengths.append(len(title) + len(body))
    return parts, owners, lengths


def analyse(texts: Sequence[object]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(doc, key, count) triples of a batch, one per distinct feature of each text, sorted by doc."""
    texts = list(texts)
    parts, owners, _ = _parts(texts)
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty.astype(np.uint64), empty.astype(np.float32)
    owners_a = np.asarray(owners, dtype=np.int64)
    cp = np.frombuffer("\x00".join(parts).encode("utf-32-le"), dtype=np.uint32)
    han = ((cp >= 0x4E00) & (cp <= 0x9FFF)) | ((cp >= 0x3400) & (cp <= 0x4DBF)) | ((cp >= 0xF900) & (cp <= 0xFAFF))
    single = np.flatnonzero(han)
    pair = np.flatnonzero(han[:-1] & han[1:])
    keys = [cp[single].astype(np.uint64), (cp[pair].astype(np.uint64) << np.uint64(21)) | cp[pair + 1]]
    starts = np.flatnonzero(cp == 0)  # separators: part j starts after the j-th one
    docs = [owners_a[np.searchsorted(starts, single)], owners_a[np.searchsorted(starts, pair)]]
    stop = _stop_keys()
    if len(stop):
        for f in range(2):
            at = np.minimum(np.searchsorted(stop, keys[f]), len(stop) - 1)
            keep = stop[at] != keys[f]
            keys[f], docs[f] = keys[f][keep], docs[f][keep]
    extra_docs, extra_keys = [], []
    pattern, concept = synonym_table()
    for part, owner in zip(parts, owners, strict=True):
        if pattern is not None:
            for match in pattern.finditer(part):
                if match.group():
                    extra_docs.append(owner)
                    extra_keys.append(concept_key(concept[match.group()]))
        if _HAS_LATIN.search(part):
            for word in _LATIN.findall(part):
                if not word.isdigit():
                    extra_docs.append(owner)
                    extra_keys.append(_LATIN_NS | zlib.crc32(word.encode("utf-8")))
    docs.append(np.asarray(extra_docs, dtype=np.int64))
    keys.append(np.asarray(extra_keys, dtype=np.uint64))
    all_docs, all_keys = np.concatenate(docs), np.concatenate(keys)
    if not len(all_keys):
        return all_docs, all_keys, np.zeros(0, dtype=np.float32)
    order = np.lexsort((all_keys, all_docs))
    all_docs, all_keys = all_docs[order], all_keys[order]
    new = np.ones(len(all_keys), dtype=bool)
    new[1:] = (all_docs[1:] != all_docs[:-1]) | (all_keys[1:] != all_keys[:-1])
    first = np.flatnonzero(new)
    counts = np.diff(np.append(first, len(all_keys))).astype(np.float32)
    return all_docs[first], all_keys[first], counts


def han_length(text: object) -> int:
    title, body = split(text)
    return sum(1 for c in title + body if "\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff")


def words(text: object, limit: int = 300) -> list[str]:
    """jieba words of a text's title and opening, each synonym listed as its concept (for `dense.py`)."""
    title, body = split(text)
    raw = f"{title}。{body}"[:limit] if title else body[:limit]
    pattern, concept = synonym_table()
    if pattern is None:
        return tokens(raw)
    out, pos = [], 0
    for match in pattern.finditer(raw):
        if match.group():
            out += tokens(raw[pos : match.start()])
            out.append(concept[match.group()])
            pos = match.end()
    return out + tokens(raw[pos:])
