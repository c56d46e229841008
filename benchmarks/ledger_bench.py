"""Ledger throughput: bookings per second of a typical decision (a 2-draw linked group: the Tier 2
country allocation and the consignee's LPP year), one writer; one at a time (each its own durable
transaction: the baseline) and in batches of 100 and 8,000 (`book_many`, one transaction per batch),
as transactions/s and transfers/s; raw two-phase transfers (posting pending transfers with
`post(ids)`, 1, 100 or 8,000 ids per call) as post_transfers/s; and `decide_many` on the memory ledger against the same
transactions decided without booking (the engine alone: the baseline in the same run).

Run standalone: python benchmarks/ledger_bench.py [--quick]. PostgreSQL is measured in a throwaway
schema of $AIDF_BENCH_PG (default postgresql://postgres@127.0.0.1:5432/test); None if unreachable.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import tempfile
import time
import uuid

from sqlalchemy import create_engine, text

if __package__ in (None, ""):  # run as a script: the benchmarks package lies beside this file's folder
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from aidf.ledger import Draw, open_ledger
from aidf.model import AccountRef

PG = os.environ.get("AIDF_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
DAY = dt.date(2025, 6, 1)
LIMIT = 790_000_000 * 1000


def _booking(i: int, country: AccountRef) -> tuple:
    lpp = AccountRef(kind="lpp_annual", consignee=f"c{i % 50}", year=2025)
    return (f"b{i}", f"h{i}", {"outcome": "LICENSE_EXCEPTION"},
            [Draw(country, 16_000, LIMIT), Draw(lpp, 16_000, 26_900_000_000)], DAY)


def _bookings_per_s(spec: str, n: int, batch: int = 1) -> float:
    """Bookings/s: one `book` each (batch 1) or `book_many` in batches of `batch`."""
    led = open_ledger(spec)
    try:
        country = AccountRef(kind="country_allocation", country="AE", window="2025-2027")
        led.book("warm", "h", {}, [Draw(country, 1, LIMIT)], DAY)
        items = [_booking(i, country) for i in range(n)]
        start = time.perf_counter()
        if batch == 1:
            for item in items:
                led.book(*item)
        else:
            for i in range(0, n, batch):
                led.book_many(items[i:i + batch])
        rate = n / (time.perf_counter() - start)
        assert led.verify().ok
        return rate
    finally:
        led.close()


def _posts_per_s(spec: str, n: int, batch: int) -> float:
    """Raw transfers/s of two-phase posting: n bookings' 2n pending transfers are reserved first (not
    timed), then posted by `post(ids)` with `batch` transfer ids per call (one database transaction
    each, one audit entry per call)."""
    led = open_ledger(spec)
    try:
        country = AccountRef(kind="country_allocation", country="AE", window="2025-2027")
        items = [_booking(i, country) for i in range(n)]
        for i in range(0, n, 8000):
            led.book_many(items[i:i + 8000])
        ids = [f"b{i}/{k}" for i in range(n) for k in (0, 1)]
        start = time.perf_counter()
        for i in range(0, len(ids), batch):
            led.post(ids[i:i + batch], actor="bench")
        rate = len(ids) / (time.perf_counter() - start)
        assert led.verify().ok
        return rate
    finally:
        led.close()


def _sizes(spec_of, quick: bool) -> dict[str, float | None]:
    """Bookings (transactions/s; each is 2 pending transfers, so transfers/s is twice that) and raw
    posting of pending transfers (post_transfers/s), at batch sizes 1, 100 and 8,000."""
    out: dict[str, float | None] = {}
    for batch, n in ((1, 100 if quick else 1000), (100, 1000 if quick else 5000), (8000, 8000 if quick else 24000)):
        spec = spec_of()
        rate = None if spec is None else _bookings_per_s(spec, n, batch)
        out[f"tx_per_s_batch_{batch}"] = None if rate is None else round(rate, 1)
        out[f"transfers_per_s_batch_{batch}"] = None if rate is None else round(2 * rate, 1)
        spec = spec_of()
        posts = None if spec is None else _posts_per_s(spec, n // 2 if batch == 1 else n, batch)
        out[f"post_transfers_per_s_batch_{batch}"] = None if posts is None else round(posts, 1)
    return out


def _decide_many_per_s(n: int) -> dict[str, float]:
    """decide_many of n generated transactions on the memory ledger, and the engine alone on them."""
    from aidf.engine import decide, decide_many
    from aidf.ledger.memory import MemoryLedger
    from benchmarks.cases import generated_transactions

    txs = generated_transactions(n)
    start = time.perf_counter()
    for t in txs[: max(1, n // 10)]:
        decide(t)
    engine_alone = max(1, n // 10) / (time.perf_counter() - start)
    start = time.perf_counter()
    decide_many(txs, ledger=MemoryLedger())
    return {"decide_many_tx_per_s": round(n / (time.perf_counter() - start), 1),
            "decide_engine_alone_tx_per_s": round(engine_alone, 1), "decide_many_n": n}


def _sqlite(n: int) -> float:
    with tempfile.TemporaryDirectory(prefix="aidf-bench-") as tmp:
        return _bookings_per_s(os.path.join(tmp, "ledger.sqlite"), n)


def _postgresql(n: int) -> float | None:
    made: list = []
    try:
        url = _pg_spec(made)()
        return None if url is None else _bookings_per_s(url, n)
    finally:
        _drop(made)


def _pg_spec(holder: list):
    """A new throwaway schema per measurement (dropped at the end), or None when unreachable."""
    def make() -> str | None:
        schema = "bench_" + uuid.uuid4().hex[:10]
        try:
            admin = create_engine(PG, connect_args={"connect_timeout": 3})
            with admin.begin() as c:
                c.execute(text(f"CREATE SCHEMA {schema}"))
        except Exception:
            return None
        holder.append((admin, schema))
        return f"{PG}?options=-csearch_path%3D{schema}"
    return make


def _drop(made: list) -> None:
    """Drop the throwaway schemas `_pg_spec` made."""
    for admin, schema in made:
        with admin.begin() as c:
            c.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def run(quick: bool = False) -> dict[str, float | None]:
    n = 200 if quick else 2000
    os.environ.setdefault("AIDF_AUDIT_KEY", "benchmark-audit-key")
    out: dict[str, float | None] = {"ledger_bookings_per_s_sqlite": round(_sqlite(n), 1),
                                    "ledger_bookings_per_s_postgresql":
                                        (lambda v: None if v is None else round(v, 1))(_postgresql(n))}
    with tempfile.TemporaryDirectory(prefix="aidf-bench-") as tmp:
        names = iter(range(20))
        out |= {f"sqlite_{k}": v for k, v in _sizes(lambda: os.path.join(tmp, f"l{next(names)}.sqlite"),
                                                   quick).items()}
    made: list = []
    try:
        out |= {f"postgresql_{k}": v for k, v in _sizes(_pg_spec(made), quick).items()}
    finally:
        _drop(made)
    big = os.environ.get("CI") and not quick
    out |= _decide_many_per_s(2_000 if quick else (100_000 if big else 10_000))
    return out


if __name__ == "__main__":
    print(json.dumps(run(quick="--quick" in sys.argv), indent=2))
