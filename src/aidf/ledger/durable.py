"""The ledger class the rest of aidf uses: core bookings and transfers plus licenses and holds."""

from __future__ import annotations

import datetime as dt

from aidf.ledger import audit, db
from aidf.ledger.common import Clock
from aidf.ledger.holds import LicensesAndHolds
from aidf.ledger.store import StoreCore


class SqlLedger(StoreCore, LicensesAndHolds):
    """A ledger in SQLite or PostgreSQL; `url` is a SQLAlchemy URL. The schema is migrated on open.

    Reservations never lapse by the clock (`pending_timeout` is accepted and ignored)."""

    def __init__(self, url: str, *, clock: Clock | None = None, pending_timeout: dt.timedelta | None = None,
                 migrate: bool = True):
        engine = db.make_engine(url)
        key = audit.load_key(str(engine.url))
        if url == "sqlite://":
            db.create_fresh(engine)
        elif migrate:
            db.migrate(engine, key)
        super().__init__(engine, clock=clock, audit_key=key)
