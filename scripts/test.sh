#!/usr/bin/env bash
# Sets everything up from a clean clone and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
bash scripts/services.sh
# One pytest worker per core (pytest-xdist); every test makes its own ledger, schema and server port.
# AIDF_TEST_WORKERS=0 runs in this process (for a debugger or py-spy).
exec .venv/bin/python -m pytest -n "${AIDF_TEST_WORKERS:-auto}" "$@"
