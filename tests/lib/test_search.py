"""The bigram search index (liaison/lib/search.py) finds exactly what a plain substring search finds, on whichever
database the suite runs (SQLite: FTS5 with triggers; PostgreSQL: a GIN expression index), and follows every write."""

import random
from types import SimpleNamespace as R

import pytest
from django.db import connection
from django.db.models import Q
from django.db.models.fields.files import FieldFile

from liaison.demo.bulk import insert
from liaison.lib import search
from liaison.opinions.models import Opinion
from liaison.opinions.selectors import ledger_queryset
from liaison.suggestions.models import Suggestion
from tests.opinions.helpers import make_opinion
from tests.suggestions.helpers import draft

# Few distinct characters, so that bigrams recur and many rows hold every bigram of a query without holding the
# query itself (路灯 + 灯路 but no 路灯路): the candidates the substring re-check must throw out. LIKE's own
# wildcards and escape, tsquery's operators and quotes, and letters whose case folds differently in Unicode.
ALPHABET = "路灯井盖水电" + "aAbB" + "01" + " %_\\'\"&|!:*，" + "ÄäſßＡａ"
PLAIN = set("路灯井盖水电01")  # no case anywhere: a Python `in` is the reference on both databases


def _columns(obj) -> dict:
    """A saved object's column values, to clone it through the bulk writer."""
    values = {}
    for f in type(obj)._meta.concrete_fields:
        if not f.primary_key:
            value = getattr(obj, f.attname)
            values[f.attname] = value.name if isinstance(value, FieldFile) else value
    return values


def _text(rng, n):
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, n)))


def _queries(rng, texts, n=160):
    """Substrings of the data (some with their ASCII case flipped), and strings that are mostly not there."""
    out = []
    while len(out) < n:
        size = rng.randint(1, 6)
        text = rng.choice(texts)
        if rng.random() < 0.6 and len(text) >= size:
            start = rng.randrange(len(text) - size + 1)
            q = text[start : start + size]
            if rng.random() < 0.3:
                q = q.swapcase() if q.isascii() else q
        else:
            q = "".join(rng.choice(ALPHABET) for _ in range(size))
        q = q.strip()  # the views strip the query
        if q:
            out.append(q)
    return out


def _compare(model, fields, queries):
    """Every query: the indexed search returns the plain substring filter's rows. Returns coverage counts."""
    seen = {"found": 0, "absent": 0, "rechecked": 0, "indexed": 0}
    for q in queries:
        plain = set(model.objects.filter(search.substring_q(fields, q)).values_list("pk", flat=True))
        indexed = set(model.objects.filter(search.search_q(model, q)).values_list("pk", flat=True))
        assert indexed == plain, q
        seen["found" if plain else "absent"] += 1
        if search.uses_index(q):
            seen["indexed"] += 1
            candidates = set(model.objects.filter(search.index_q(model, q)).values_list("pk", flat=True))
            assert candidates >= plain, q
            seen["rechecked"] += bool(candidates - plain)
    return seen


@pytest.mark.django_db
def test_the_ledger_index_finds_exactly_the_substring_matches_on_random_text(cast):
    rng = random.Random(20261204)
    base, _ = make_opinion(cast)
    fields = _columns(base)
    rows = [
        R(**{**fields, "code": f"T{i:07d}", "title": _text(rng, 30), "content": _text(rng, 120)}) for i in range(300)
    ]
    insert(Opinion, rows)  # the bulk writer (COPY / multi-row INSERT): the index follows it too
    texts = [r.title for r in rows] + [r.content for r in rows]
    seen = _compare(Opinion, ("title", "content"), _queries(rng, texts))
    # Not vacuous: hits and misses, indexed queries, and candidates the substring re-check had to drop.
    assert seen["found"] > 40 and seen["absent"] > 10 and seen["indexed"] > 100 and seen["rechecked"] > 10, seen

    # Plain Chinese and digits: the same rows as Python's own `in`.
    everything = {o.pk: (o.title, o.content) for o in Opinion.objects.all()}
    for q in ("路灯", "灯井盖", "01", "水电路灯", "电1", "盖盖盖"):
        assert set(q) <= PLAIN
        expected = {pk for pk, (title, content) in everything.items() if q in title or q in content}
        assert set(Opinion.objects.filter(search.search_q(Opinion, q)).values_list("pk", flat=True)) == expected


@pytest.mark.django_db
def test_the_suggestion_index_finds_exactly_the_substring_matches_on_random_text(cast):
    rng = random.Random(7)
    base = draft(cast)
    fields = _columns(base)
    rows = [
        R(**{**fields, "code": f"S{i:07d}", "title": _text(rng, 40), "case_number": _text(rng, 12)}) for i in range(200)
    ]
    insert(Suggestion, rows)
    texts = [r.title for r in rows] + [r.case_number for r in rows]
    seen = _compare(Suggestion, ("title", "case_number"), _queries(rng, texts, 100))
    assert seen["found"] > 20 and seen["absent"] > 5 and seen["rechecked"] > 5, seen


@pytest.mark.django_db
def test_the_index_follows_edits_and_deletions(cast):
    opinion, _ = make_opinion(cast, title="井盖破损", content="小学门口的井盖下陷。")

    def found(q):
        return list(Opinion.objects.filter(search.search_q(Opinion, q)).values_list("pk", flat=True))

    assert found("井盖") == [opinion.pk] and found("门口") == [opinion.pk] and found("路灯") == []
    opinion.title, opinion.content = "路灯不亮", "村口路灯坏了。"
    opinion.save()
    assert found("路灯") == [opinion.pk] and found("井盖") == [] and found("门口") == []
    Opinion.objects.filter(pk=opinion.pk).update(content="河边护栏断了")
    assert found("护栏") == [opinion.pk] and found("村口") == [] and found("路灯") == [opinion.pk]
    Opinion.objects.filter(pk=opinion.pk).update(state=Opinion.State.CLOSED)  # other columns leave it alone
    assert found("护栏") == [opinion.pk]
    Opinion.objects.filter(pk=opinion.pk).delete()
    assert found("护栏") == [] and found("路灯") == []


@pytest.mark.django_db
def test_the_ledger_still_finds_an_opinion_by_its_code_and_by_one_character(cast):
    opinion, _ = make_opinion(cast, title="井盖破损", content="小学门口的井盖下陷。")
    other, _ = make_opinion(cast, title="路灯不亮", content="村口路灯坏了。")

    def ledger(q):
        return set(ledger_queryset(cast.staff, {"q": q})[0].values_list("pk", flat=True))

    assert ledger(opinion.code.lower()) == {opinion.pk}
    assert ledger("井") == {opinion.pk} and ledger("口") == {opinion.pk, other.pk} and ledger("破损") == {opinion.pk}


@pytest.mark.django_db
def test_the_suggestion_list_searches_titles_and_case_numbers_through_the_index(cast, client_for):
    bridge = draft(cast, title="关于维修缘溪村村口石桥的建议")
    road = draft(cast, title="关于硬化桃坑村道路的建议")
    Suggestion.objects.filter(pk=road.pk).update(case_number="石建〔2026〕12号")
    client = client_for(cast.deputy_user)

    def listed(q):
        body = client.get("/suggestions/", {"q": q}).content.decode()
        return {s.code for s in (bridge, road) if s.code in body}

    assert listed("石桥") == {bridge.code}
    assert listed("2026〕12") == {road.code}
    assert listed(road.code.lower()) == {road.code}
    assert listed("村") == {bridge.code, road.code}
    assert listed("隧道") == set()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN of the GIN index: PostgreSQL only")
@pytest.mark.django_db
def test_postgresql_answers_two_characters_or_more_from_the_gin_index(cast):
    make_opinion(cast)
    draft(cast)
    plans = {}
    with connection.cursor() as cursor:
        # A tiny table: ask whether the index can serve the query (docs/benchmarks.md has the plan at scale).
        cursor.execute("SET enable_seqscan = off; SET enable_indexscan = off")
        try:
            for model, q in ((Opinion, "路灯"), (Opinion, "灯不亮"), (Suggestion, "石桥")):
                plans[model, q] = model.objects.filter(search.search_q(model, q, or_q=Q(code=q.upper()))).explain()
            plans["one"] = Opinion.objects.filter(search.search_q(Opinion, "灯")).explain()
        finally:
            cursor.execute("RESET enable_seqscan; RESET enable_indexscan")
    for (model, _q), plan in ((k, v) for k, v in plans.items() if k != "one"):
        assert f"Bitmap Index Scan on {model._meta.db_table}_bigrams" in plan, plan
        # The bigram function runs for the index only, not again on each candidate row.
        assert all("liaison_bigrams" not in line for line in plan.splitlines() if "Filter:" in line), plan
    assert "bigrams" not in plans["one"]  # one character: a scan


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's triggers")
@pytest.mark.django_db
def test_sqlite_triggers_come_back_after_a_table_rebuild(cast):
    opinion, _ = make_opinion(cast, title="井盖破损", content="小学门口的井盖下陷。")
    with connection.cursor() as cursor:  # what Django's table rebuild for an altered column leaves behind
        for name in ("insert", "delete", "update"):
            cursor.execute(f"DROP TRIGGER opinions_opinion_search_{name}")
    Opinion.objects.filter(pk=opinion.pk).update(title="路灯不亮")
    search.repair_sqlite_triggers(using="default")
    assert list(Opinion.objects.filter(search.search_q(Opinion, "路灯")).values_list("pk", flat=True)) == [opinion.pk]
    Opinion.objects.filter(pk=opinion.pk).update(title="护栏断了")
    assert list(Opinion.objects.filter(search.search_q(Opinion, "护栏")).values_list("pk", flat=True)) == [opinion.pk]
