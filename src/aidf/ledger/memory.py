"""A throwaway in-process ledger (`--ledger memory`).

It is the durable store itself over a private in-memory SQLite database, so its rules (limits,
idempotency, expiry, audit) are the same code, not a look-alike kept in dicts.
"""

from __future__ import annotations

import datetime as dt

from aidf.ledger.common import Clock
from aidf.ledger.durable import SqlLedger


class MemoryLedger(SqlLedger):
    def __init__(self, *, clock: Clock | None = None, pending_timeout: dt.timedelta | None = None):
        super().__init__("sqlite://", clock=clock, pending_timeout=pending_timeout)
        self.label = "memory"
