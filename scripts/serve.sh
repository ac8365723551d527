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
.venv/bin/gunicorn liaison.wsgi --bind "127.0.0.1:$PORT" --workers 2 --access-logfile - --error-logfile -
