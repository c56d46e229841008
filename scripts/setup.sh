#!/usr/bin/env bash
# Creates .venv and installs aidf (with test extras when asked). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
# PyICU (transliteration for party screening, through rigour) builds from source: ICU headers,
# pkg-config and a C++ compiler. Debian's packages are installed when missing and apt-get is there.
if ! pkg-config --exists icu-uc 2>/dev/null || ! command -v g++ >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libicu-dev pkg-config g++) \
      >/dev/null 2>&1 || echo "warning: could not install libicu-dev, pkg-config, g++" >&2
  fi
fi
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
if [ -n "$extras" ]; then
  .venv/bin/python -m pip install -q -e ".[$extras]"
else
  .venv/bin/python -m pip install -q -e .
fi
