"""REST API throughput: decisions per second through uvicorn on 127.0.0.1, from a local load generator.

`run(quick)` starts the app in a background thread over a throwaway SQLite ledger, then sends a
bounded number of POST /v1/decisions (and booked ones) from a few concurrent clients, stopping early
at a time cap. Returns rates; the caller compares them against its own baseline.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import uvicorn

from aidf.service.app import create_app
from aidf.service.server import free_port

DESTS = [("FR", "nvidia-b200"), ("MX", "nvidia-h200-sxm"), ("IN", "nvidia-h100-sxm5"), ("CN", "nvidia-rtx-5090"),
         ("BR", "amd-mi300x"), ("JP", "nvidia-gb200-gpu")]


def transaction(i: int) -> dict:
    dest, chip = DESTS[i % len(DESTS)]
    return {"id": f"B-{i}", "date": "2025-07-01", "action": "export", "destination": dest,
            "items": [{"catalog": chip, "quantity": 1 + i % 40}],
            "parties": {"ultimate_consignee": {"name": f"Bench Consignee {i % 97}", "country": dest,
                                               "private_sector": True}}}


async def _load(url: str, key: str, n: int, concurrency: int, cap_s: float, book: bool, start: int) -> tuple[int, float]:
    done, errors, t0 = 0, 0, time.perf_counter()
    counter = iter(range(start, start + n))
    path = "/v1/decisions?book=true" if book else "/v1/decisions"

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal done, errors
        for i in counter:
            if time.perf_counter() - t0 > cap_s:
                return
            r = await client.post(path, content=json.dumps(transaction(i)),
                                  headers={"X-API-Key": key, "content-type": "application/json"})
            if r.status_code == 200:
                done += 1
            else:
                errors += 1

    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
    if errors:
        raise RuntimeError(f"{errors} requests failed")
    return done, time.perf_counter() - t0


def run(quick: bool = True) -> dict:
    n, cap = (300, 20.0) if quick else (3000, 120.0)
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(str(Path(tmp) / "ledger.sqlite"))
        key = app.state.service.keys.create("bench", "officer")[0]
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        url = f"http://127.0.0.1:{port}"
        for _ in range(200):
            if server.started:
                break
            time.sleep(0.05)
        try:
            asyncio.run(_load(url, key, 20, 2, cap, False, 10**6))  # warm-up
            decided, secs = asyncio.run(_load(url, key, n, 8, cap, False, 0))
            booked, bsecs = asyncio.run(_load(url, key, n // 3, 8, cap, True, 2 * 10**6))
        finally:
            server.should_exit = True
            thread.join(timeout=30)
            app.state.service.close()
    return {"api_decisions_per_s": round(decided / secs, 1), "api_bookings_per_s": round(booked / bsecs, 1),
            "api_requests": decided + booked, "quick": quick}


if __name__ == "__main__":
    print(json.dumps(run(quick="--full" not in sys.argv), indent=1))
