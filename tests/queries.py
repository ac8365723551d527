"""Query-count guards for list pages and dashboards: a page renders as many queries for 15 rows as for 3.

    response = assert_flat_queries(client, "/opinions/", grow=lambda: add_opinions(12))

renders the page on the rows the test has built so far, calls `grow()` to add more, renders it again and fails
when the second render issued more queries than the first (a query per row: an N+1), naming the statements
that were added. Each render is preceded by an uncounted one, so once-per-data work (a rollup refresh, a cache
filled per latest id, the session) lands outside both counts.
"""

import os
import re
from collections import Counter

from django.db import connection
from django.test.utils import CaptureQueriesContext

_LITERALS = re.compile(r"'(?:[^']|'')*'|\b\d+\b")
_IN_LIST = re.compile(r"IN \((?:\?, )*\?\)")


def count_queries(client, url, data=None):
    """(the SQL of every query of one GET, the response); the response must be a 200."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, data)
        assert response.status_code == 200, (url, response.status_code)
        if getattr(response, "streaming", False):  # an export: its rows are read while it streams
            response.streamed = b"".join(response.streaming_content)
    return [q["sql"] for q in ctx.captured_queries], response


def _shape(sql: str) -> str:
    return _IN_LIST.sub("IN (…)", _LITERALS.sub("?", sql))


def assert_flat_queries(client, url, grow, *, data=None, allow=0, before=None):
    """The page's query count does not grow with its rows (`allow`: a documented constant difference).

    `before()`, when given, runs right before each counted render (e.g. clearing a cache, so that the work the
    cache saves is counted too)."""

    def render():
        client.get(url, data)
        if before is not None:
            before()
        return count_queries(client, url, data)

    small, _ = render()
    grow()
    large, response = render()
    if len(large) - len(small) != allow:
        added = Counter(map(_shape, large)) - Counter(map(_shape, small))
        lines = "\n".join(f"  +{n} × {sql[:300]}" for sql, n in added.most_common(10))
        raise AssertionError(f"{url}: {len(small)} queries on the small set, {len(large)} on the larger one\n{lines}")
    if os.environ.get("SHOW_QUERY_COUNTS"):
        print(f"\nqueries {url}: {len(small)} → {len(large)}")
    response.query_count = len(large)
    return response
