#!/usr/bin/env bash
# Sets up aidf and runs the main job on the embedded default: classifies the built-in catalog,
# decides and books the sample order book into the SQLite ledger, and serves the dashboard.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/aidf catalog
exec .venv/bin/aidf serve --sample --open-dashboard-without-key --host 127.0.0.1 --port "${PORT:-8000}" "$@"
