"""The ledger class the rest of aidf uses: core bookings and transfers plus licenses and holds."""

from __future__ import annotations

import datetime as dt

from aidf.ledger import db
from aidf.ledger.common import Clock
from aidf.ledger.holds import LicensesAndHolds
from aidf.ledger.store import DEFAULT_PENDING_TIMEOUT, StoreCore


class SqlLedger(StoreCore, LicensesAndHolds):
    """A ledger in SQLite or PostgreSQL; `url` is a SQLAlchemy URL. The schema is migrated on open."""

    def __init__(self, url: str, *, clock: Clock | None = None,
                 pending_timeout: dt.timedelta = DEFAULT_PENDING_TIMEOUT, migrate: bool = True):
        engine = db.make_engine(url)
        if url == "sqlite://":
            db.create_fresh(engine)
        elif migrate:
            db.migrate(engine)
        super().__init__(engine, clock=clock, pending_timeout=pending_timeout)
