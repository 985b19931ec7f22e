#!/usr/bin/env bash
# System packages the test suite needs: Debian's Chromium for the browser tests (driven by Playwright; never
# `playwright install`: no downloads) and GNU gettext (tests/test_i18n.py extracts the source strings to check
# that every catalogue has them).
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v xgettext >/dev/null || missing+=(gettext)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" != "0" ]; then
  echo "Missing system packages: run 'sudo apt-get install -y ${missing[*]}' (the test suite needs them)." >&2
  exit 1
fi
echo "Installing Debian's ${missing[*]} for the test suite..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
