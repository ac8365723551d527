#!/bin/sh
# A streaming read replica of the local PostgreSQL cluster, for the replica test and bench/replica.py.
#
#   sh scripts/replica.sh start    # pg_basebackup of 127.0.0.1:5432 into $REPLICA_DIR, started on port $REPLICA_PORT
#   sh scripts/replica.sh stop     # stop it and remove its data directory
#   sh scripts/replica.sh status   # exit 0 when it answers and is in recovery (a standby)
#
# It is a real hot standby (standby.signal + primary_conninfo written by `pg_basebackup -R`), following the
# primary's WAL over a replication connection. The primary must accept replication connections from 127.0.0.1:
# when it does not, `start` adds `host replication all 127.0.0.1/32 trust` to its pg_hba.conf and reloads it
# (a local development or CI cluster only; production replicas are set up by the operators, docs/DEPLOY.md).
# Needs root (to act as the postgres user) or to be run as postgres.
set -eu
PRIMARY_PORT=${PRIMARY_PORT:-5432}
REPLICA_PORT=${REPLICA_PORT:-5433}
REPLICA_DIR=${REPLICA_DIR:-/var/lib/postgresql/liaison-replica}
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}

as_postgres() {
  if [ "$(id -un)" = postgres ]; then "$@"; else su postgres -s /bin/sh -c "$(printf '%s ' "$@")"; fi
}

answers() {
  psql -h 127.0.0.1 -p "$REPLICA_PORT" -U postgres -d postgres -Atc "select pg_is_in_recovery()" 2>/dev/null | grep -q t
}

case "${1:-}" in
  start)
    if answers; then echo "replica already running on port $REPLICA_PORT"; exit 0; fi
    hba=$(psql -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -d postgres -Atc "show hba_file")
    if ! grep -Eq '^[[:space:]]*host[[:space:]]+replication[[:space:]]' "$hba"; then
      echo "host replication all 127.0.0.1/32 trust" >>"$hba"
      psql -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -d postgres -Atc "select pg_reload_conf()" >/dev/null
    fi
    as_postgres rm -rf "$REPLICA_DIR"
    as_postgres "$PGBIN/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -D "$REPLICA_DIR" -R -X stream -c fast
    # Debian keeps the primary's configuration outside its data directory: give the standby its own.
    cat >"$REPLICA_DIR/postgresql.conf" <<EOF
port = $REPLICA_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '/tmp'
hot_standby = on
hot_standby_feedback = on
max_connections = $(psql -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -d postgres -Atc "show max_connections")
shared_buffers = 128MB
max_standby_streaming_delay = 30s
EOF
    printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' >"$REPLICA_DIR/pg_hba.conf"
    [ "$(id -un)" = postgres ] || chown postgres: "$REPLICA_DIR/postgresql.conf" "$REPLICA_DIR/pg_hba.conf"
    as_postgres "$PGBIN/pg_ctl" -D "$REPLICA_DIR" -l "$REPLICA_DIR/replica.log" -w -t 60 start >/dev/null
    for _ in $(seq 1 30); do answers && break; sleep 1; done
    answers || { echo "replica did not start; see $REPLICA_DIR/replica.log" >&2; exit 1; }
    echo "replica streaming from port $PRIMARY_PORT, answering on port $REPLICA_PORT"
    ;;
  stop)
    if [ -d "$REPLICA_DIR" ]; then
      as_postgres "$PGBIN/pg_ctl" -D "$REPLICA_DIR" -m fast -w stop >/dev/null 2>&1 || true
      as_postgres rm -rf "$REPLICA_DIR"
    fi
    ;;
  status)
    answers
    ;;
  *)
    echo "usage: $0 start|stop|status" >&2
    exit 2
    ;;
esac
