#!/usr/bin/env bash
# Sets everything up from a clean clone and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
bash scripts/services.sh
exec .venv/bin/python -m pytest "$@"
