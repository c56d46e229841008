"""The service's documented limits (README, "Service limits"; /docs shows them too).

They bound what one request may ask of a shared server, so no single caller can hold the others up.
A request over a limit is refused before any work: 413 for a body too large, 422 naming the field
and the limit for too many items or transactions.
"""

from __future__ import annotations

import math
import os
from typing import Any

MAX_BODY_BYTES = int(os.environ.get("AIDF_MAX_BODY_BYTES", 1 << 20))  # any request body ...
MAX_UPLOAD_BYTES = int(os.environ.get("AIDF_MAX_UPLOAD_BYTES", 64 << 20))  # ... but an order book uploaded
UPLOAD_PATHS = ("/simulate",)  # to these pages
MAX_ITEMS = 500  # item lines in one transaction
MAX_BATCH = 1000  # transactions in one batch request
# Threads per worker that plain decisions run on (readers.py). Measured with 16 clients on 2 workers:
# 2 threads against 8 gave 2,060-2,550 decisions/s at a p99 of 18-22 ms against 1,557-1,731 at 29-31
# (SQLite), and the same rate at a p99 of 35-39 ms against 45-93 (PostgreSQL).
READ_THREADS = 2
INLINE_ITEMS = 20  # a pure decision (no database) this small is answered on the event loop
DB_WAIT_S = float(os.environ.get("AIDF_DB_WAIT_S", 5))  # longest wait for a database lock before answering 503
RETRY_AFTER_S = 2  # the Retry-After of a 503
PAGE_DEFAULT = 100  # rows per page of a list, unless `limit` says otherwise
PAGE_MAX = 1000
SESSION_IDLE_S = int(os.environ.get("AIDF_SESSION_IDLE_S", 30 * 60))  # a dashboard session unused this long ends
SESSION_MAX_S = int(os.environ.get("AIDF_SESSION_MAX_S", 12 * 3600))  # and any session this old

SUMMARY = (f"Limits: request bodies up to {MAX_BODY_BYTES:,} bytes (413 beyond); {MAX_ITEMS} items per "
           f"transaction and {MAX_BATCH} transactions per batch request (422 naming the field); lists take "
           f"`limit` (default {PAGE_DEFAULT}, at most {PAGE_MAX}) and `cursor` (the `X-Next-Cursor` header of "
           f"the previous page); a database lock held longer than {DB_WAIT_S:g} s gives 503 with Retry-After. "
           "Dates lie between 1990-01-01 and 2099-12-31; text fields refuse control characters.")


def body_limit(path: str) -> int:
    return MAX_UPLOAD_BYTES if path in UPLOAD_PATHS else MAX_BODY_BYTES


def too_many_items(count: int) -> str | None:
    """The refusal for a transaction of `count` items, or None within the limit."""
    if count > MAX_ITEMS:
        return f"at most {MAX_ITEMS} items per transaction (got {count}); split the order"
    return None


def non_finite(tx: Any) -> str | None:
    """The dotted path of the first infinite or NaN figure in a transaction, or None.

    JSON has no Infinity, but Python's parser reads it; such a figure is refused here, naming its
    field, before the engine (which would meet it as a missing figure) sees it."""
    for i, item in enumerate(tx.items):
        figures = {"tpp": item.tpp, "die_area_mm2": item.die_area_mm2}
        figures |= {f"peak_dense.{k}": v for k, v in (item.peak_dense or {}).items()}
        if item.model_weights is not None:
            mw = item.model_weights
            figures |= {"model_weights.training_operations": mw.training_operations,
                        "model_weights.extra_training_operations": mw.extra_training_operations}
        for name, value in figures.items():
            if value is not None and not math.isfinite(value):
                return f"items.{i}.{name}"
    for role, party in tx.parties.entities():
        for country, value in ((party.veu.installed_base_tpp or {}) if party.veu else {}).items():
            if not math.isfinite(value):
                return f"parties.{role}.veu.installed_base_tpp.{country}"
    return None


def refusal(tx: Any) -> tuple[str, str] | None:
    """(field, reason) if a transaction is over a limit or carries a non-finite figure, else None."""
    too_many = too_many_items(len(tx.items))
    if too_many:
        return "items", too_many
    field = non_finite(tx)
    if field:
        return field, "must be a finite number"
    return None
