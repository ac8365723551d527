#!/bin/sh
# Restore a backup made by scripts/backup.sh into the configured database (DATABASE_URL, or the embedded
# SQLite file) and media root, then prove it: migrations applied, the audit chain verified (verify_audit),
# the rollups rebuilt and checked against the source tables and the independent recount (recount).
# Usage: scripts/restore.sh BACKUP_DIR [--force]
#   The target must be empty: a fresh PostgreSQL database (createdb) or no SQLite file. --force overwrites.
# The site must use the same LIAISON_AUDIT_KEYS (or secret key) as when the events were written.
set -eu
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
SRC=${1:?usage: scripts/restore.sh BACKUP_DIR [--force]}
FORCE=${2:-}
eval "$($PY scripts/dbinfo.py)"
if [ "$ENGINE" = "postgresql" ]; then
  [ -f "$SRC/db.dump" ] || { echo "no PostgreSQL dump in $SRC" >&2; exit 1; }
  tables=$(psql "$DATABASE_URL" -Atc "select count(*) from information_schema.tables where table_schema = 'public'")
  if [ "$tables" != "0" ] && [ "$FORCE" != "--force" ]; then
    echo "the target database is not empty ($tables tables): restore into a fresh one, or pass --force" >&2; exit 1
  fi
  pg_restore --no-owner --no-privileges --exit-on-error ${FORCE:+--clean --if-exists} -d "$DATABASE_URL" "$SRC/db.dump"
else
  [ -f "$SRC/db.sqlite3" ] || { echo "no SQLite backup in $SRC" >&2; exit 1; }
  if [ -e "$NAME" ] && [ "$FORCE" != "--force" ]; then
    echo "$NAME exists: move it away, or pass --force" >&2; exit 1
  fi
  mkdir -p "$(dirname "$NAME")"
  rm -f "$NAME" "$NAME-wal" "$NAME-shm"
  cp "$SRC/db.sqlite3" "$NAME"
fi
if [ -f "$SRC/media.tar.gz" ]; then
  mkdir -p "$MEDIA"
  tar -xzf "$SRC/media.tar.gz" -C "$MEDIA"
fi
$PY manage.py migrate --noinput -v 0
$PY manage.py verify_audit
$PY manage.py refresh_rollups
$PY manage.py recount --dry-run
echo "restored from $SRC and verified"
