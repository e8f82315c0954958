#!/usr/bin/env bash
# The whole suite, as `make test` runs it:
#   1. lint (ruff check + format check) and a missing-migration check;
#   2. pytest on SQLite: unit, integration and browser (e2e) tests;
#   3. pytest again on PostgreSQL (database tests, including the concurrency
#      tests marked `postgres`), when PostgreSQL is reachable at DATABASE_URL
#      (default postgres://postgres@127.0.0.1:5432/kenshu).
# With CI=true an unreachable PostgreSQL (or a missing Chromium, see
# tests/e2e/conftest.py) is a failure, not a skip. pytest exits non-zero (5)
# when no test ran, and so does this script.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
CI="${CI:-false}"
PG_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/kenshu}"
unset DATABASE_URL

echo "== lint"
"$BIN/ruff" check .
"$BIN/ruff" format --check .
"$BIN/python" manage.py makemigrations --check --dry-run --verbosity 1

echo "== tests on SQLite (with browser tests)"
"$BIN/pytest" "$@"

echo "== tests on PostgreSQL"
if "$BIN/python" - "$PG_URL" <<'PY'
import sys

import environ
import psycopg

cfg = environ.Env.db_url_config(sys.argv[1])
try:
    psycopg.connect(
        host=cfg.get("HOST") or "127.0.0.1",
        port=cfg.get("PORT") or 5432,
        user=cfg.get("USER") or "postgres",
        password=cfg.get("PASSWORD") or None,
        dbname="postgres",
        connect_timeout=3,
    ).close()
except Exception as exc:
    print(f"PostgreSQL not reachable at {sys.argv[1]}: {exc}")
    sys.exit(1)
PY
then
  DATABASE_URL="$PG_URL" "$BIN/pytest" -m "not e2e" "$@"
elif [[ "$CI" == "true" || "$CI" == "1" ]]; then
  echo "FAIL: CI=true and PostgreSQL is not reachable" >&2
  exit 1
else
  echo "SKIPPED: PostgreSQL not reachable (set DATABASE_URL, or start it)"
fi
