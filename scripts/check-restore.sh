#!/bin/sh
# The restore drill, as CI runs it: load the demo into a scratch database, back it up with scripts/backup.sh,
# restore into a second, fresh database with scripts/restore.sh (which runs verify_audit and recount there).
# Usage: scripts/check-restore.sh sqlite | postgres://user@host:5432   (a server URL without a database name)
set -eu
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
export PGOPTIONS="--client-min-messages=warning"  # no NOTICE for the scratch databases' DROP IF EXISTS
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
case "$1" in
  sqlite)
    FROM="sqlite:///$WORK/from.sqlite3"; TO="sqlite:///$WORK/to.sqlite3" ;;
  postgres*)
    SERVER=${1%/}; FROM="$SERVER/liaison_drill_from"; TO="$SERVER/liaison_drill_to"
    for db in liaison_drill_from liaison_drill_to; do
      psql "$SERVER/postgres" -qc "DROP DATABASE IF EXISTS $db" && psql "$SERVER/postgres" -qc "CREATE DATABASE $db"
    done ;;
  *) echo "usage: scripts/check-restore.sh sqlite|postgres://…" >&2; exit 2 ;;
esac
export LIAISON_MEDIA_ROOT="$WORK/media-from"
DATABASE_URL=$FROM $PY manage.py migrate --noinput -v 0
DATABASE_URL=$FROM $PY manage.py loaddemo >/dev/null
DATABASE_URL=$FROM $PY manage.py refresh_rollups >/dev/null
BACKUP=$(DATABASE_URL=$FROM sh scripts/backup.sh "$WORK/backups")
DATABASE_URL=$TO LIAISON_MEDIA_ROOT="$WORK/media-to" sh scripts/restore.sh "$BACKUP"
case "$1" in
  postgres*) for db in liaison_drill_from liaison_drill_to; do psql "$SERVER/postgres" -qc "DROP DATABASE IF EXISTS $db"; done ;;
esac
