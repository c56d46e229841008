"""Resolve the --ledger option: `memory`, a file path, or a database URL."""

from __future__ import annotations

import os

from aidf.ledger.memory import MemoryLedger

DEFAULT_LEDGER = os.path.join(".aidf", "ledger.sqlite")


def open_ledger(spec: str | None = None):
    spec = spec or os.environ.get("AIDF_LEDGER") or DEFAULT_LEDGER
    if spec == "memory":
        return MemoryLedger()
    # Placeholder until the durable SQLite/PostgreSQL stores land: refuse rather than pretend.
    raise NotImplementedError(f"durable ledger {spec!r} is not available yet; use --ledger memory")
