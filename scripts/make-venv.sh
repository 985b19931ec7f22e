#!/usr/bin/env bash
# Create the virtualenv with a Python >= 3.12 (Django 6 needs it). Looks on PATH, then in pyenv.
set -euo pipefail
venv=${1:-.venv}
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then
  exit 0
fi
for candidate in python3.13 python3.12 python3 /root/.pyenv/versions/3.13*/bin/python3 /root/.pyenv/versions/3.12*/bin/python3 /usr/local/bin/python3.1[23]; do
  if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys, venv, sqlite3; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
    echo "Creating $venv with $candidate ($("$candidate" --version))"
    rm -rf "$venv"
    "$candidate" -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check --upgrade pip
    exit 0
  fi
done
echo "Tandem needs Python 3.12 or newer (Django 6). Install it (e.g. pyenv install 3.12) and retry." >&2
exit 1
