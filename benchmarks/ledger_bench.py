"""Ledger throughput: bookings per second of a typical decision (a 2-draw linked group: the Tier 2
country allocation and the consignee's LPP year), each its own durable transaction, one writer.

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

from aidf.ledger import Draw, open_ledger
from aidf.model import AccountRef

PG = os.environ.get("AIDF_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
DAY = dt.date(2025, 6, 1)
LIMIT = 790_000_000 * 1000


def _bookings_per_s(spec: str, n: int) -> float:
    led = open_ledger(spec)
    try:
        country = AccountRef(kind="country_allocation", country="AE", window="2025-2027")
        led.book("warm", "h", {}, [Draw(country, 1, LIMIT)], DAY)
        start = time.perf_counter()
        for i in range(n):
            lpp = AccountRef(kind="lpp_annual", consignee=f"c{i % 50}", year=2025)
            led.book(f"b{i}", f"h{i}", {"outcome": "LICENSE_EXCEPTION"},
                     [Draw(country, 16_000_000, LIMIT), Draw(lpp, 16_000_000, 26_900_000_000)], DAY)
        return n / (time.perf_counter() - start)
    finally:
        led.close()


def _sqlite(n: int) -> float:
    with tempfile.TemporaryDirectory(prefix="aidf-bench-") as tmp:
        return _bookings_per_s(os.path.join(tmp, "ledger.sqlite"), n)


def _postgresql(n: int) -> float | None:
    schema = "bench_" + uuid.uuid4().hex[:10]
    try:
        admin = create_engine(PG, connect_args={"connect_timeout": 3})
        with admin.begin() as c:
            c.execute(text(f"CREATE SCHEMA {schema}"))
    except Exception:
        return None
    try:
        return _bookings_per_s(f"{PG}?options=-csearch_path%3D{schema}", n)
    finally:
        with admin.begin() as c:
            c.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def run(quick: bool = False) -> dict[str, float | None]:
    n = 200 if quick else 2000
    return {"ledger_bookings_per_s_sqlite": round(_sqlite(n), 1),
            "ledger_bookings_per_s_postgresql": (lambda v: None if v is None else round(v, 1))(_postgresql(n))}


if __name__ == "__main__":
    print(json.dumps(run(quick="--quick" in sys.argv), indent=2))
