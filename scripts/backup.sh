#!/bin/sh
# Back up Liaison: the database and the uploaded files, into one timestamped directory.
#   PostgreSQL: pg_dump in custom format (restore with pg_restore; consistent snapshot, site stays up).
#   SQLite (the embedded default): SQLite's online backup API, safe while the site writes.
#   Media (photos, attachments, bulletins): a tar.gz of LIAISON_MEDIA_ROOT.
# Usage: scripts/backup.sh [DEST]   DEST defaults to $LIAISON_BACKUP_DIR or var/backups.
# Rotation: keeps the newest $LIAISON_BACKUP_KEEP (default 14) backups in DEST; run it daily from cron/systemd.
# Not included, on purpose: the secret key and LIAISON_AUDIT_KEYS (keep them apart from the data they protect).
set -eu
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
DEST=${1:-${LIAISON_BACKUP_DIR:-var/backups}}
KEEP=${LIAISON_BACKUP_KEEP:-14}
eval "$($PY scripts/dbinfo.py)"
STAMP=$(date +%Y%m%d-%H%M%S)
OUT="$DEST/liaison-$STAMP"
mkdir -p "$OUT.partial"
if [ "$ENGINE" = "postgresql" ]; then
  pg_dump --format=custom --no-owner --file "$OUT.partial/db.dump" "$DATABASE_URL"
else
  $PY - "$NAME" "$OUT.partial/db.sqlite3" <<'PYEOF'
import sqlite3, sys
src, dst = sqlite3.connect(sys.argv[1]), sqlite3.connect(sys.argv[2])
with dst:
    src.backup(dst)
dst.close(); src.close()
PYEOF
fi
if [ -d "$MEDIA" ]; then
  tar -czf "$OUT.partial/media.tar.gz" -C "$MEDIA" .
fi
printf 'engine=%s\ncreated=%s\n' "$ENGINE" "$(date -Iseconds)" > "$OUT.partial/manifest.txt"
mv "$OUT.partial" "$OUT"
# Rotation: the newest $KEEP stay.
ls -1d "$DEST"/liaison-* 2>/dev/null | grep -v '\.partial$' | sort | head -n "-$KEEP" | while read -r old; do rm -rf "$old"; done
echo "$OUT"
