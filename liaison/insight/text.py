"""Text clean-up and Chinese word segmentation shared by the insight modules.

Citizen messages arrive scraped from web forms, spreadsheets and phones: full-width
characters, spreadsheet escapes, stray control characters, links and shouted punctuation
all vary the same opinion. Everything downstream (categories, similarity, topics) works on
`normalise()` output so that such noise never changes a result.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
import unicodedata
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
USERDICT_PATH = DATA_DIR / "userdict.txt"
STOPWORDS_PATH = DATA_DIR / "stopwords.txt"

_XLSX_ESCAPE = re.compile(r"_x000[dDaA9]_")
_URL = re.compile(r"(?:https?://|ftp://|www\.)[^\s\u3000-\u303f\uff00-\uffef\u4e00-\u9fff]*", re.IGNORECASE)
# Control and format characters, surrogates and private-use code points: scraping debris.
_CONTROL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e"
    "\u2060-\u206f\ufeff\ufff0-\uffff\ue000-\uf8ff\ud800-\udfff]"
)
_SPACE = re.compile(r"\s+")
# Runs of the same punctuation mark ("！！！", "。。。", "……", "****" from masked phone numbers).
_REPEAT_PUNCT = re.compile(r"([^\w\s])\1+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_WORDLIKE = re.compile(r"[\w\u3400-\u4dbf\u4e00-\u9fff]", re.UNICODE)
_DIGITS = re.compile(r"^[\d.,:%/-]+$")

_FULLWIDTH_RE = re.compile("[\uff01-\uff5e\u3000\xa0]")


def _fullwidth_char(match: re.Match) -> str:
    cp = ord(match.group())
    return chr(cp - 0xFEE0) if cp > 0xFF00 else " "


_tokenizer = None
_tokenizer_lock = threading.Lock()


def normalise(text: object) -> str:
    """Return a canonical single-line form of a message; never raises.

    NFKC turns full-width letters, digits and punctuation into their usual forms, so
    "ＡＢＣ１２３！" and "ABC123!" compare equal. Bytes are decoded leniently because
    uploads and copy-paste sometimes deliver them.
    """
    if text is None:
        return ""
    if isinstance(text, (bytes, bytearray, memoryview)):
        text = bytes(text).decode("utf-8", errors="ignore")
    elif not isinstance(text, str):
        text = str(text)
    if "_x000" in text:
        text = _XLSX_ESCAPE.sub(" ", text)
    # The full-width block is by far the most common NFKC case in Chinese text; a translate
    # table handles it in one cheap pass so the full normalisation runs only when needed.
    text = _FULLWIDTH_RE.sub(_fullwidth_char, text)
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    if "://" in text or "www." in text or "WWW." in text:
        text = _URL.sub(" ", text)
    text = _CONTROL.sub(" ", text)
    text = _REPEAT_PUNCT.sub(r"\1", text)
    return " ".join(text.split())


def has_meaning(text: str) -> bool:
    """True when a normalised text holds at least one Chinese character.

    The models are trained on Chinese messages only; text without a single Han character
    (emoji, English, digits, garbage) cannot be assigned a category honestly.
    """
    return bool(_HAN.search(text or ""))


@functools.lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """Our own stopword list: function words and letter boilerplate (尊敬的领导, 您好…)."""
    words = set()
    for line in STOPWORDS_PATH.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            words.add(line)
    return frozenset(words)


def _get_tokenizer():
    """Build the jieba tokenizer on first use, once, under a lock.

    Loading the dictionary takes about a second, so it is deferred until a text is actually
    segmented. A private Tokenizer keeps our user dictionary out of jieba's global instance.
    """
    global _tokenizer
    if _tokenizer is not None:
        return _tokenizer
    with _tokenizer_lock:
        if _tokenizer is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            tok = jieba.Tokenizer()
            tok.initialize()
            tok.load_userdict(str(USERDICT_PATH))
            _tokenizer = tok
    return _tokenizer


def segment(text: str) -> list[str]:
    """Raw jieba words of an already normalised text, punctuation and spaces included.

    The HMM guesser for unknown words is off: it costs a third of the time and mostly
    yields person names, which matter little for topics.
    """
    if not text:
        return []
    return _get_tokenizer().lcut(text, HMM=False)


def tokens(text: object) -> list[str]:
    """Meaningful lower-cased words of a text: no stopwords, punctuation, spaces or bare numbers."""
    stop = stopwords()
    out = []
    for word in segment(normalise(text)):
        word = word.strip().lower()
        if not word or word in stop or not _WORDLIKE.search(word) or _DIGITS.match(word):
            continue
        if len(word) == 1 and not _HAN.match(word):
            continue
        out.append(word)
    return out


def han_bigrams(text: str) -> list[str]:
    """Overlapping pairs of Chinese characters, a segmentation-free view of a normalised text."""
    out = []
    for run in re.findall(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+", text):
        out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return out
