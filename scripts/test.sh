#!/usr/bin/env bash
# The whole suite: lint + layer contract, pytest on SQLite, then pytest on PostgreSQL.
# In CI (CI=true) the PostgreSQL pass is mandatory and the server is started if it is down;
# elsewhere it runs when a server answers at 127.0.0.1:5432.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PG_URL=${TANDEM_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/tandem}
export TANDEM_TESTING=1 TANDEM_DEBUG=0 PYTHONDONTWRITEBYTECODE=1
# Test processes per database pass (pytest-xdist); the suite is written to run in parallel.
WORKERS=${TANDEM_TEST_WORKERS:-2}

pg_up() {
  "$VENV/bin/python" - "$PG_URL" <<'PY'
import sys, psycopg
try:
    psycopg.connect(sys.argv[1].rsplit("/", 1)[0] + "/postgres", connect_timeout=3).close()
except Exception:
    sys.exit(1)
PY
}

echo "== lint (ruff, import-linter layers)"
"$VENV/bin/ruff" check --quiet .
"$VENV/bin/lint-imports" --no-cache >/dev/null

echo "== tests on SQLite"
DATABASE_URL="sqlite:///$(pwd)/var/test.sqlite3" "$VENV/bin/pytest" -q -n "$WORKERS" "$@"

if ! pg_up && [ "${CI:-}" = "true" ]; then
  echo "PostgreSQL is down; starting it"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n1)" main start || true
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
fi
if pg_up; then
  echo "== tests on PostgreSQL ($PG_URL)"
  DATABASE_URL="$PG_URL" "$VENV/bin/pytest" -q -n "$WORKERS" "$@"
elif [ "${CI:-}" = "true" ]; then
  echo "PostgreSQL at $PG_URL is not reachable; CI must run the suite on it." >&2
  exit 1
else
  echo "== PostgreSQL not reachable at $PG_URL: PostgreSQL pass not run (it is mandatory in CI)"
fi
