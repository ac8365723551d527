"""Django glue around the plain-Python insight core: the site's similarity index, the categoriser,
clusters across villages and hot topics.

The similarity index lives in each process and is **incremental**: before every query it pulls the
opinions and suggestions saved since its watermark (ids above the last one seen), so every web process
and the worker see new items without a broker; its IDF follows its content (liaison/insight/lexical.py).
`manage.py rebuild_insight_index` writes a snapshot to `var/insight/index/` (plain arrays) that processes load
at start instead of analysing the whole history again. `manage.py train_insight` also trains the word vectors
of similar items (`var/insight/vectors/`, liaison/insight/dense.py) and rebuilds the snapshot with them; until
then, or when they are unreadable, the index works on the lexical score alone.
Hits always go back through the querysets the caller passes from its scope selectors, so the index can never
leak an item the user may not see.
"""

import datetime as dt
import logging
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from .categorise import Categoriser, LexiconCategoriser, Prediction, split_title
from .dense import DenseModel
from .similar import SimilarityIndex
from .topics import Item, cluster, hot_topics

log = logging.getLogger("liaison.insight")


def insight_dir() -> Path:
    return Path(settings.INSIGHT_DIR)


def index_dir() -> Path:
    return insight_dir() / "index"


def model_dir() -> Path:
    return insight_dir() / "model"


def vectors_dir() -> Path:
    return insight_dir() / "vectors"


MAX_TEXT = 2000  # characters of an item used for similarity (titles and the start of the text carry it)


def _opinion_rows(after_id: int = 0):
    from liaison.opinions.models import Opinion

    qs = (
        Opinion.objects.filter(id__gt=after_id)
        .order_by("id")
        .values_list("id", "code", "title", "content", "station__code", "station__region__path", "created_at")
    )
    for pk, code, title, content, station, path, created in qs.iterator(chunk_size=2000):
        yield (
            pk,
            (
                f"O:{code}",
                (title, content[:MAX_TEXT]),
                {"kind": "opinion", "path": path, "station": station, "day": _day(created)},
            ),
        )


def _suggestion_rows(after_id: int = 0):
    from liaison.suggestions.models import Suggestion

    qs = (
        Suggestion.objects.filter(id__gt=after_id)
        .order_by("id")
        .values_list("id", "code", "title", "cause", "proposals", "station__code", "region__path", "created_at")
    )
    for pk, code, title, cause, proposals, station, path, created in qs.iterator(chunk_size=2000):
        yield (
            pk,
            (
                f"S:{code}",
                (title, f"{cause}。{proposals}"[:MAX_TEXT]),
                {"kind": "suggestion", "path": path or "", "station": station or "", "day": _day(created)},
            ),
        )


def _day(value) -> str:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.date().isoformat()
    return str(value)


def _vectors_stamp() -> float:
    try:
        return (vectors_dir() / "words.json").stat().st_mtime
    except OSError:
        return 0.0


def similarity_model() -> DenseModel | None:
    """The trained word vectors, or None (not trained yet, or unreadable: the lexical score alone)."""
    if not _vectors_stamp():
        return None
    try:
        return DenseModel.from_dir(vectors_dir())
    except (OSError, ValueError, KeyError) as exc:
        log.warning("similarity model unreadable (%s); using the lexical score alone", exc)
        return None


class SiteIndex:
    """The process-wide index with its watermarks (last opinion id, last suggestion id)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.index: SimilarityIndex | None = None
        self.marks = {"opinion": 0, "suggestion": 0}
        self.stamp = 0.0

    def reset(self) -> None:
        with self.lock:
            self.index, self.marks, self.stamp = None, {"opinion": 0, "suggestion": 0}, 0.0

    def _load(self) -> SimilarityIndex:
        self.stamp = _vectors_stamp()
        model = similarity_model()
        marks_file = index_dir() / "marks.txt"
        if marks_file.exists():
            try:
                index = SimilarityIndex.from_dir(index_dir(), model=model)
                opinion, suggestion = (int(x) for x in marks_file.read_text().split())
                self.marks = {"opinion": opinion, "suggestion": suggestion}
                return index
            except (OSError, ValueError, KeyError) as exc:
                log.warning("insight index snapshot not usable (%s); rebuilding from the database", exc)
        self.marks = {"opinion": 0, "suggestion": 0}
        return SimilarityIndex(model=model)

    def sync(self) -> SimilarityIndex:
        with self.lock:
            if self.index is not None and _vectors_stamp() != self.stamp:
                self.index = None  # the word vectors were retrained (by another process): start again
            if self.index is None:
                self.index = self._load()
            for kind, rows in (("opinion", _opinion_rows), ("suggestion", _suggestion_rows)):
                batch, last = [], self.marks[kind]
                for pk, item in rows(self.marks[kind]):
                    batch.append(item)
                    last = pk
                if batch:
                    self.index.add_many(batch)
                    self.marks[kind] = last
            return self.index

    def save(self) -> None:
        with self.lock:
            if self.index is None:
                return
            tmp = insight_dir() / "index.tmp"
            shutil.rmtree(tmp, ignore_errors=True)
            self.index.to_dir(tmp)
            (tmp / "marks.txt").write_text(f"{self.marks['opinion']} {self.marks['suggestion']}")
            shutil.rmtree(index_dir(), ignore_errors=True)
            tmp.rename(index_dir())


SITE_INDEX = SiteIndex()


def rebuild_index() -> str:
    """Rebuild the index from the database and write its snapshot (also run after loading the demo)."""
    shutil.rmtree(index_dir(), ignore_errors=True)
    SITE_INDEX.reset()
    index = SITE_INDEX.sync()
    SITE_INDEX.save()
    return f"相似检索索引已重建：{len(index)} 条"


@dataclass
class SimilarHit:
    kind: str  # "opinion" | "suggestion"
    obj: object
    score: float


# Scores are in [0, 1]; on bench/similar_eval.py nine in ten paraphrases found score at least about 0.25.
MIN_SIMILARITY = 0.2
NEAR_BOOST = 0.15  # at most +15 % for an item from the same place as the one being written
RECENT_BOOST, RECENT_DAYS = 0.05, 90


def proximity(near_path: str = "", near_day: dt.date | None = None):
    """A `boost(meta)` for the index: items sharing more of `near_path` (region path) and recent items rank up."""
    if not near_path and near_day is None:
        return None
    parts = [p for p in near_path.split("/") if p]

    def boost(meta) -> float:
        factor = 1.0
        if parts:
            theirs = [p for p in str(meta.get("path", "")).split("/") if p]
            shared = 0
            for a, b in zip(parts, theirs, strict=False):
                if a != b:
                    break
                shared += 1
            factor += NEAR_BOOST * shared / len(parts)
        if near_day is not None and meta.get("day"):
            try:
                gap = abs((dt.date.fromisoformat(meta["day"]) - near_day).days)
            except ValueError:
                gap = RECENT_DAYS + 1
            factor += RECENT_BOOST if gap <= RECENT_DAYS else 0.0
        return factor

    return boost


def similar_items(
    text: str,
    *,
    visible: dict,
    region_path: str = "",
    days: int = 730,
    k: int = 8,
    min_score: float = MIN_SIMILARITY,
    exclude: tuple[str, ...] = (),
    near_path: str = "",
    near_day: dt.date | None = None,
) -> list[SimilarHit]:
    """Top-k items similar to `text` within a region subtree and time window.

    `visible` maps each kind to search ("opinion", "suggestion") to the queryset the user may see — the
    caller's scope selector — so a hit outside it is dropped. `exclude` holds index ids ("O:<code>",
    "S:<code>"). `near_path` / `near_day` (the place and date of the item being written) rank items from the
    same village and the same season a little higher. "title\nbody" counts the title twice.
    """
    if not (text or "").strip() or not visible:
        return []
    index = SITE_INDEX.sync()
    since = (timezone.localdate() - dt.timedelta(days=days)).isoformat()

    def where(meta):
        return meta["kind"] in visible and meta["day"] >= since and meta["path"].startswith(region_path)

    query = split_title(text[:MAX_TEXT]) if "\n" in text.strip() else text[:MAX_TEXT]
    # The index knows places, not the caller's scope: a narrow scope (a deputy's own suggestions) may keep none of
    # the first hits when many others' items say the same, so an unfilled page asks again, deeper (bounded).
    for depth in (k * 3, k * 30, k * SCOPE_DEPTH):
        hits = index.query(
            query, k=depth, where=where, min_score=min_score, exclude=exclude, boost=proximity(near_path, near_day)
        )
        out = _in_scope(hits, visible)
        if len(out) >= k or len(hits) < depth:
            break
    return out[:k]


SCOPE_DEPTH = 200  # at most k × 200 hits are checked against the caller's scope


def _in_scope(hits, visible: dict) -> list[SimilarHit]:
    found = {}
    for kind, prefix in (("opinion", "O:"), ("suggestion", "S:")):
        codes = [i[2:] for i, _ in hits if i.startswith(prefix)]
        if codes and kind in visible:
            for obj in visible[kind].filter(code__in=codes):
                found[prefix + obj.code] = SimilarHit(kind, obj, 0.0)
    out = []
    for item_id, score in hits:
        if item_id in found:
            hit = found[item_id]
            hit.score = round(score, 3)
            out.append(hit)
    return out


# -- categoriser ---------------------------------------------------------------------------------------

_categoriser_lock = threading.Lock()
_categoriser: Categoriser | LexiconCategoriser | None = None


def categoriser():
    """The trained model from var/insight/model (plain arrays, never pickle), else the cold-start lexicon."""
    global _categoriser
    with _categoriser_lock:
        if _categoriser is None:
            try:
                path = model_dir()
                _categoriser = Categoriser.from_dir(path) if (path / "model.json").exists() else None
            except (OSError, ValueError, KeyError) as exc:
                log.warning("categoriser model unreadable (%s); using the lexicon", exc)
                _categoriser = None
            if _categoriser is None:
                _categoriser = LexiconCategoriser()
        return _categoriser


# Proposals at or above this confidence are filled in automatically when nobody chose a category.
AUTO_CATEGORY_CONFIDENCE = 0.8


def propose_category(text: str) -> Prediction:
    return categoriser().predict(text or "")


def training_data(per_category: int = 600) -> tuple[list[str], list[str]]:
    """The site's own categorised history, newest first, at most `per_category` items per category.

    Staff corrections are the saved categories, so they train too. The cap keeps training to seconds and
    balances the classes (the linear SVM's fit time grows faster than linearly with the item count).
    """
    from liaison.opinions.models import Opinion
    from liaison.org.models import Category
    from liaison.suggestions.models import Suggestion

    texts, labels = [], []
    for category in Category.objects.filter(is_active=True):
        rows = list(
            Suggestion.objects.filter(category=category).order_by("-id").values_list("title", "cause")[:per_category]
        )
        rows += list(
            Opinion.objects.filter(category=category)
            .order_by("-id")
            .values_list("title", "content")[: per_category - len(rows)]
        )
        for title, text in rows:
            texts.append(f"{title}\n{text}")
            labels.append(category.name)
    return texts, labels


def reset_categoriser() -> None:
    global _categoriser
    with _categoriser_lock:
        _categoriser = None


def train(min_items: int = 50) -> str:
    global _categoriser
    texts, labels = training_data()
    if len(texts) < min_items or len(set(labels)) < 2:
        return f"已分类的事项只有 {len(texts)} 条，不足以训练（至少 {min_items} 条、2 个分类）；继续使用关键词词表。"
    model = Categoriser(C=0.5).fit(texts, labels)
    tmp = insight_dir() / "model.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.parent.mkdir(parents=True, exist_ok=True)
    model.to_dir(tmp)
    shutil.rmtree(model_dir(), ignore_errors=True)
    tmp.rename(model_dir())
    with _categoriser_lock:
        _categoriser = None
    return f"分类模型已训练：{len(texts)} 条，{len(set(labels))} 个分类"


# -- word vectors of similar items ---------------------------------------------------------------------

MIN_VECTOR_TEXTS = 1000  # fewer texts give word vectors that add noise rather than knowledge
MAX_VECTOR_TEXTS = 200_000  # newest items used for training (minutes of work on two cores)


def similarity_texts(limit: int = MAX_VECTOR_TEXTS) -> list[tuple[str, str]]:
    """(title, text) of the newest opinions and suggestions, for training the word vectors."""
    from liaison.opinions.models import Opinion
    from liaison.suggestions.models import Suggestion

    rows = list(Opinion.objects.order_by("-id").values_list("title", "content")[:limit])
    rows += [
        (title, f"{cause}。{proposals}")
        for title, cause, proposals in Suggestion.objects.order_by("-id").values_list("title", "cause", "proposals")[
            : max(0, limit - len(rows))
        ]
    ]
    return [(title, (text or "")[:MAX_TEXT]) for title, text in rows]


def train_similarity(extra_texts=(), min_texts: int = MIN_VECTOR_TEXTS) -> str:
    """Train the word vectors on the site's texts (plus `extra_texts`), store them, rebuild the index with them."""
    texts = similarity_texts() + list(extra_texts)
    if len(texts) < min_texts:
        return f"可用于训练相似检索词向量的文本只有 {len(texts)} 条（至少 {min_texts} 条）；相似检索继续只用字词匹配。"
    model = DenseModel.train(texts)
    tmp = insight_dir() / "vectors.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    model.to_dir(tmp)
    shutil.rmtree(vectors_dir(), ignore_errors=True)
    tmp.rename(vectors_dir())
    return f"相似检索词向量已训练：{len(texts)} 条文本，{len(model.words)} 个词；" + rebuild_index()


# -- clusters and hot topics ----------------------------------------------------------------------------

MAX_TOPIC_ITEMS = 3000  # most recent items of a period used for topics (a few seconds of work)


def _items(qs) -> list[Item]:
    rows = qs.order_by("-created_at").values_list(
        "code", "title", "content", "station__code", "station__name", "state"
    )[:MAX_TOPIC_ITEMS]
    return [
        Item(code, f"{title}。{content}"[:MAX_TEXT], {"station": station, "station_name": name, "state": state})
        for code, title, content, station, name, state in rows
    ]


def clusters_across_villages(opinions_qs, *, min_breadth: int = 2):
    """Clusters of similar opinions spanning at least `min_breadth` stations (综合比选)."""
    items = _items(opinions_qs)
    by_code = {it.id: it for it in items}
    out = []
    for c in cluster(items):
        if c.breadth < min_breadth:
            continue
        members = [by_code[i] for i in c.ids]
        states: dict[str, int] = {}
        for m in members:
            states[m.meta["state"]] = states.get(m.meta["state"], 0) + 1
        stations = sorted({m.meta["station_name"] for m in members})
        out.append(
            {
                "label": c.label,
                "size": c.size,
                "breadth": c.breadth,
                "stations": stations,
                "codes": c.ids,
                "states": states,
            }
        )
    return out


def hot_topics_for(current_qs, previous_qs, top: int = 10):
    return hot_topics(_items(current_qs), _items(previous_qs), top=top)
