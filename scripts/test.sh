#!/bin/sh
# Run the whole suite on SQLite, then on PostgreSQL when one is configured or answers on 127.0.0.1:5432.
# LIAISON_REQUIRE_PG=1 (set by .ci/run) makes a missing PostgreSQL an error instead of a skip.
set -e
PY=.venv/bin/python
WORKERS=${TEST_WORKERS:-2}
.venv/bin/ruff check .
.venv/bin/ruff format --check .
$PY manage.py collectstatic --noinput -v 0

case "${DATABASE_URL:-}" in
  postgres*) PG_URL=$DATABASE_URL ;;
  *) PG_URL="" ;;
esac
if [ -z "$PG_URL" ] && $PY -c 'import socket; socket.create_connection(("127.0.0.1", 5432), 2)' 2>/dev/null; then
  PG_URL="postgres://postgres@127.0.0.1:5432/liaison"
fi

echo "== Test suite on SQLite =="
DATABASE_URL="sqlite:///var/test.sqlite3" $PY -m pytest -n "$WORKERS" -q --durations=20 "$@"

if [ -n "$PG_URL" ]; then
  echo "== Test suite on PostgreSQL =="
  # A local primary gets a streaming standby for the read-replica tests (tests/ops/test_replica.py); they skip
  # without one, except in CI (LIAISON_REQUIRE_PG=1), where a standby that cannot start is a failure.
  case "$PG_URL" in
    *@127.0.0.1:5432/* | *@localhost:5432/*)
      sh scripts/replica.sh start || echo "read replica not started: its tests will skip (or fail in CI)" >&2
      trap 'sh scripts/replica.sh stop' EXIT
      export LIAISON_REQUIRE_REPLICA="${LIAISON_REQUIRE_PG:-0}"
      ;;
  esac
  DATABASE_URL="$PG_URL" $PY -m pytest -n "$WORKERS" -q --durations=20 "$@"
  sh scripts/replica.sh stop
elif [ "${LIAISON_REQUIRE_PG:-0}" = "1" ]; then
  echo "PostgreSQL is required (LIAISON_REQUIRE_PG=1) but none answers at 127.0.0.1:5432 and DATABASE_URL is not postgres://" >&2
  exit 1
else
  echo "== PostgreSQL not found: skipped (set DATABASE_URL=postgres://… or start one on 127.0.0.1:5432) =="
fi

echo "== Deployment checks: nginx config, backup and restore drill =="
if ! sh scripts/check-nginx.sh && [ "${LIAISON_REQUIRE_PG:-0}" = "1" ]; then
  exit 1
fi
# The drill on the production database when there is one, else on the embedded default (each loads the demo).
if [ -n "$PG_URL" ]; then
  sh scripts/check-restore.sh "${PG_URL%/*}"
else
  sh scripts/check-restore.sh sqlite
fi
