#!/bin/sh
# Serve the demo: background worker (tasks + notification outbox) and the web server on 127.0.0.1:$1.
set -e
PORT=${1:-8000}
PY=.venv/bin/python
# The demo serves plain HTTP on loopback, so cookies cannot be Secure-only here (production keeps them Secure).
export LIAISON_COOKIE_SECURE=${LIAISON_COOKIE_SECURE:-0}
$PY manage.py demo_accounts
$PY manage.py worker --loop &
WORKER=$!
trap 'kill $WORKER 2>/dev/null' EXIT INT TERM
echo "Liaison: http://127.0.0.1:$PORT/  (Ctrl+C stops the server and the worker)"
# gthread, as in production (deploy/liaison-web.service): a slow phone upload holds one thread, not a worker, and
# the worker's 30 s heartbeat no longer kills it mid-upload (there is no nginx to buffer the body here).
.venv/bin/gunicorn liaison.wsgi --bind "127.0.0.1:$PORT" --workers 2 --worker-class gthread --threads 4 \
    --access-logfile - --error-logfile -
