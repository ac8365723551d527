"""Chinese full-text search on an index: overlapping character pairs (bigrams), on both databases.

Chinese has no spaces between words, so a search box means "contains this text". A query of two characters or
more matches a row only if every bigram of the query occurs in the row's searched fields; the index answers that
AND-query, and the plain substring filter then runs on that small candidate set only, so the rows found are
exactly the rows the substring filter alone would find.

- PostgreSQL: `liaison_bigrams(VARIADIC text[])` (plpgsql, IMMUTABLE) turns the fields into a tsvector of the
  bigrams of `upper(text)`; a GIN expression index holds it, so it is always in sync and costs no heap space.
  `liaison_bigram_query(text)` turns the query into the AND of its bigrams with the same function. Folding with
  the database's own `upper()` on both sides keeps the candidates a superset of `icontains` (UPPER … LIKE
  UPPER …) and of the case-sensitive `contains`, since `upper()` maps character by character.
- SQLite: a contentless FTS5 table `<table>_search` of the bigrams of the ASCII-lowercased text (SQLite's LIKE
  folds ASCII only), each bigram written as the hex of its UTF-8 so that FTS5's `ascii` tokenizer keeps it one
  token; triggers keep it in sync on every write, bulk ones included. The triggers call `liaison_bigrams`, a
  Python function registered on each connection (`register_sqlite_functions`, from the opinions app's ready()).

The DDL lives here (`install`, `uninstall`), run by the owning apps' migrations (opinions 0008, suggestions
0005) on a fresh or an existing database; changing the tokeniser or `INDEXED` needs a new migration that runs
`install` again (it replaces the functions and rebuilds the index). On SQLite, Django rebuilds a table to alter it
(a new table copied over, the old one dropped), which drops its triggers: after every migrate,
`repair_sqlite_triggers` puts back missing triggers and refills that table's index.
"""

from django.db import connection, connections
from django.db.models import BooleanField, F, Func, Q, Value
from django.db.models.expressions import RawSQL

# db_table → the fields searched, in the order the migrations index them.
INDEXED = {
    "opinions_opinion": ("title", "content"),
    "suggestions_suggestion": ("title", "case_number"),
}
SQLITE_FUNCTION = "liaison_bigrams"

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def bigrams(*parts: str | None) -> list[str]:
    """The distinct overlapping character pairs of each part (pairs never span two parts), in first-seen order."""
    seen: dict[str, None] = {}
    for text in parts:
        if text:
            for i in range(len(text) - 1):
                seen[text[i : i + 2]] = None
    return list(seen)


def sqlite_tokens(*parts: str | None) -> str:
    """The FTS5 document of `parts`: their ASCII-folded bigrams as hex words, space-separated."""
    folded = [p.translate(_ASCII_LOWER) if isinstance(p, str) else None for p in parts]
    return " ".join(bg.encode("utf-8", "surrogatepass").hex() for bg in bigrams(*folded))


def register_sqlite_functions(sender=None, connection=None, **kwargs) -> None:
    """connection_created receiver: the SQLite triggers and the migrations call `liaison_bigrams`."""
    if connection is not None and connection.vendor == "sqlite":
        connection.connection.create_function(SQLITE_FUNCTION, -1, sqlite_tokens, deterministic=True)


def uses_index(q: str) -> bool:
    """Two characters or more: the bigram index answers; a single character scans."""
    return len(q) >= 2


def substring_q(fields, q: str) -> Q:
    """Today's semantics: any field contains `q`, ignoring ASCII case (a query without cased letters, such as
    Chinese or digits, uses plain LIKE, with no UPPER() per row)."""
    lookup = "contains" if q.lower() == q.upper() else "icontains"
    match = Q()
    for field in fields:
        match |= Q(**{f"{field}__{lookup}": q})
    return match


class _PgBigramMatch(Func):
    """`liaison_bigrams(f1, f2) @@ liaison_bigram_query(q)`: the GIN expression index's own expression."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, fields, q: str):
        super().__init__(*(F(f) for f in fields), Value(q))

    def as_sql(self, compiler, connection, **extra_context):
        sqls, params = [], []
        for expression in self.get_source_expressions():
            sql, p = compiler.compile(expression)
            sqls.append(sql)
            params.extend(p)
        return f"liaison_bigrams({', '.join(sqls[:-1])}) @@ liaison_bigram_query({sqls[-1]})", params


def index_q(model, q: str) -> Q:
    """Rows whose indexed fields hold every bigram of `q` (a superset of the substring matches)."""
    table = model._meta.db_table
    fields = INDEXED[table]
    if connection.vendor == "postgresql":
        return Q(_PgBigramMatch(fields, q))
    if connection.vendor == "sqlite":
        words = " ".join(f'"{token}"' for token in sqlite_tokens(q).split())
        fts = connection.ops.quote_name(f"{table}_search")
        return Q(pk__in=RawSQL(f"SELECT rowid FROM {fts} WHERE {fts} MATCH %s", [words]))
    return Q()  # another database: the substring filter alone decides


def search_q(model, q: str, *, or_q: Q | None = None) -> Q:
    """Rows of `model` whose searched fields (INDEXED) contain `q` — or that match `or_q` (an exact code).

    With the index, the filter is written as (index OR or_q) AND (substring OR or_q): the same rows as
    substring OR or_q, but with the index condition at the top level, where PostgreSQL answers it from the GIN
    index (BitmapOr with or_q's own index) and does not evaluate the bigram function again row by row.
    """
    substring = substring_q(INDEXED[model._meta.db_table], q)
    if not uses_index(q):
        return substring | or_q if or_q is not None else substring
    candidates = index_q(model, q)
    if or_q is None:
        return candidates & substring
    return (candidates | or_q) & (substring | or_q)


# --- the DDL, run by the migrations ---------------------------------------------------------------------------

# plpgsql: the characters split once into an array (substr() on UTF-8 text would walk the string for every
# position); upper() is the function icontains uses, applied character by character. The query side quotes
# each lexeme for tsquery's input ('' for a quote, \\ for a backslash).
PG_FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION liaison_bigrams(VARIADIC parts text[]) RETURNS tsvector
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  part text;
  chars text[];
  pairs text[] := '{}';
BEGIN
  FOREACH part IN ARRAY parts LOOP
    CONTINUE WHEN part IS NULL;
    chars := string_to_array(upper(part), NULL);
    FOR i IN 1 .. cardinality(chars) - 1 LOOP
      pairs := pairs || (chars[i] || chars[i + 1]);
    END LOOP;
  END LOOP;
  RETURN array_to_tsvector(pairs);
END
$$;
CREATE OR REPLACE FUNCTION liaison_bigram_query(q text) RETURNS tsquery
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT string_agg(E'\'' || replace(replace(lexeme, E'\\', E'\\\\'), E'\'', E'\'\'') || E'\'', ' & ')::tsquery
  FROM unnest(tsvector_to_array(liaison_bigrams(q))) AS lexeme
$$;
"""
PG_DROP_FUNCTIONS = (
    "DROP FUNCTION IF EXISTS liaison_bigram_query(text); DROP FUNCTION IF EXISTS liaison_bigrams(text[]);"
)


def index_name(table: str) -> str:
    return f"{table}_bigrams"


def _sqlite_triggers(table: str, fields) -> dict[str, str]:
    fts = f"{table}_search"
    new = ", ".join(f"new.{f}" for f in fields)
    old = ", ".join(f"old.{f}" for f in fields)
    add = f"INSERT INTO {fts}(rowid, tokens) VALUES (new.id, {SQLITE_FUNCTION}({new}));"
    remove = f"INSERT INTO {fts}({fts}, rowid, tokens) VALUES ('delete', old.id, {SQLITE_FUNCTION}({old}));"
    return {
        f"{fts}_insert": f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN {add} END",
        f"{fts}_delete": f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN {remove} END",
        f"{fts}_update": f"CREATE TRIGGER {fts}_update AFTER UPDATE OF {', '.join(fields)} ON {table} "
        f"BEGIN {remove} {add} END",
    }


def _sqlite_refill(cursor, table: str, fields) -> None:
    fts = f"{table}_search"
    cursor.execute(f"INSERT INTO {fts}({fts}) VALUES ('delete-all')")
    cursor.execute(f"INSERT INTO {fts}(rowid, tokens) SELECT id, {SQLITE_FUNCTION}({', '.join(fields)}) FROM {table}")


def install(schema_editor, table: str) -> None:
    """Create (or replace) the search index of `table` over INDEXED[table], filled from the rows already there."""
    fields = INDEXED[table]
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTIONS)
        schema_editor.execute(f"DROP INDEX IF EXISTS {index_name(table)}")
        schema_editor.execute(
            f"CREATE INDEX {index_name(table)} ON {table} USING gin (liaison_bigrams({', '.join(fields)}))"
        )
    elif vendor == "sqlite":
        uninstall(schema_editor, table)
        # Contentless (the text stays in its table) and rowids only (detail=none): an AND of words needs no more.
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE {table}_search USING fts5(tokens, content='', detail='none', tokenize='ascii')"
        )
        with schema_editor.connection.cursor() as cursor:
            _sqlite_refill(cursor, table, fields)
            for sql in _sqlite_triggers(table, fields).values():
                cursor.execute(sql)


def uninstall(schema_editor, table: str, *, functions: bool = False) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {index_name(table)}")
        if functions:
            schema_editor.execute(PG_DROP_FUNCTIONS)
    elif vendor == "sqlite":
        for name in _sqlite_triggers(table, INDEXED[table]):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
        schema_editor.execute(f"DROP TABLE IF EXISTS {table}_search")


def repair_sqlite_triggers(sender=None, using="default", **kwargs) -> None:
    """post_migrate receiver: a table rebuilt by a later SQLite migration lost its triggers; put them back and
    refill its index (rows written meanwhile were not indexed)."""
    conn = connections[using]
    if conn.vendor != "sqlite":
        return
    with conn.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        present = {row[0] for row in cursor.fetchall()}
        for table, fields in INDEXED.items():
            triggers = _sqlite_triggers(table, fields)
            if f"{table}_search" not in present or all(name in present for name in triggers):
                continue
            for name, sql in triggers.items():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                cursor.execute(sql)
            _sqlite_refill(cursor, table, fields)
