"""Reads from a PostgreSQL streaming replica, when one is configured (`DATABASE_REPLICA_URL`).

What goes to the replica: GET and HEAD requests to the pages that only read and that many people load — reports,
dashboards, bulletins, exports and the public pages (the URL names matched by `LIAISON_REPLICA_VIEWS`). Everything
else, and every write anywhere, stays on the primary (`default`).

Read-your-writes: a request that writes (any unsafe method, or an ORM write during a GET) sets a short-lived cookie;
while it lives (`LIAISON_REPLICA_PIN_SECONDS`, default 10 s) that browser's reads all stay on the primary, so a user
sees their own change at once even when the replica lags. Within one request, reads after a write, and reads inside
a transaction, stay on the primary too.

If the replica does not answer, requests fall back to the primary (checked at most every few seconds per process),
so a replica outage degrades to the one-server setup instead of failing pages. Lag is not bounded here: a paused or
far-behind replica serves old figures (`/metrics` shows its lag; docs/DEPLOY.md "Read replica").

The router and the middleware are the only places that know about the replica; views and selectors do not.
"""

import contextvars
import fnmatch
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections

REPLICA = "replica"
PIN_COOKIE = "lz_primary"
BOOKKEEPING_APPS = {"sessions", "security", "axes"}


@dataclass
class _Routing:
    use_replica: bool = False
    wrote: bool = False


_routing: contextvars.ContextVar[_Routing | None] = contextvars.ContextVar("liaison_db_routing", default=None)
_health = {"checked": 0.0, "ok": False}
HEALTH_RECHECK_SECONDS = 5


def configured() -> bool:
    return REPLICA in settings.DATABASES


def replica_available() -> bool:
    """Whether the replica answers; cached per process for a few seconds."""
    now = time.monotonic()
    if now - _health["checked"] < HEALTH_RECHECK_SECONDS:
        return _health["ok"]
    try:
        connections[REPLICA].ensure_connection()
        ok = True
    except OperationalError:
        connections[REPLICA].close()
        ok = False
    _health.update(checked=now, ok=ok)
    return ok


def replica_eligible(request) -> bool:
    """The rule of what may be served from the replica (see the module docstring)."""
    if request.method not in ("GET", "HEAD") or request.COOKIES.get(PIN_COOKIE):
        return False
    match = request.resolver_match
    name = match.view_name if match else ""
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in settings.LIAISON_REPLICA_VIEWS)


class ReplicaRouter:
    """Database router: reads to the replica only while the current request was judged eligible."""

    def db_for_read(self, model, **hints):
        state = _routing.get()
        if state is None or not state.use_replica or state.wrote:
            return None
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return None
        return REPLICA

    def db_for_write(self, model, **hints):
        state = _routing.get()
        # Append-only bookkeeping that no page reads back in the same request is not the user's write: the session's
        # last-seen time (written at most once a minute), the login and personal-data access logs.
        if state is not None and model._meta.app_label not in BOOKKEEPING_APPS:
            state.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


class ReplicaRoutingMiddleware:
    """Marks each request as replica-eligible or not, and pins a browser to the primary after it wrote."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not configured():
            return self.get_response(request)
        state = _Routing()
        token = _routing.set(state)
        try:
            response = self.get_response(request)
        finally:
            _routing.reset(token)
        if state.use_replica and getattr(response, "streaming", False):
            response.streaming_content = _routed(state, response.streaming_content)
        if state.wrote or request.method not in ("GET", "HEAD", "OPTIONS"):
            seconds = settings.LIAISON_REPLICA_PIN_SECONDS
            response.set_cookie(PIN_COOKIE, "1", max_age=seconds, httponly=True, samesite="Lax")
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        state = _routing.get()
        if state is not None and replica_eligible(request) and replica_available():
            state.use_replica = True
        return None


def _routed(state: _Routing, chunks):
    """A streamed response (a large export) reads while the server sends it, after the view returned: keep its
    reads routed as the request was."""
    iterator = iter(chunks)
    while True:
        token = _routing.set(state)
        try:
            chunk = next(iterator)
        except StopIteration:
            return
        finally:
            _routing.reset(token)
        yield chunk


def replica_lag_seconds() -> float | None:
    """Seconds since the replica last replayed a transaction, or None when there is no replica or it is down."""
    if not configured():
        return None
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(
                "SELECT CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
                "ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END"
            )
            (lag,) = cursor.fetchone()
    except OperationalError:
        return None
    return float(lag or 0)
