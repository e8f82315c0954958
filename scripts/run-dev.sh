#!/usr/bin/env bash
# Serve Kenshu for development: the web app, the task worker, the outbox
# dispatch loop, the waiting-list offer expiry and the applications' completion
# (invoice, acceptance email), stopped together with Ctrl-C.
# Called by `make run`.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PORT="${PORT:-8000}"

pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

"$PY" manage.py db_worker --interval 1 --no-reload &
pids+=($!)
"$PY" manage.py send_queued_email --loop 30 &
pids+=($!)
"$PY" manage.py expire_waiting_list_offers --loop 60 &
pids+=($!)
"$PY" manage.py complete_applications --loop 1 &
pids+=($!)

"$PY" manage.py print_demo_users
echo "Kenshu: http://127.0.0.1:${PORT}/  (sent mail: http://127.0.0.1:${PORT}/dev/mail/, Ctrl-C stops)"
"$PY" manage.py runserver "127.0.0.1:${PORT}" &
pids+=($!)
wait -n "${pids[@]}"
