"""REST API load: `aidf serve --workers N` on 127.0.0.1 under 16 concurrent clients, from a separate process.

`run(quick)` first measures the baseline in this process: the same plain decisions through
Service.decide in a loop (no HTTP). Then, for a throwaway SQLite ledger and (when the server is
reachable) a throwaway PostgreSQL schema, it makes one officer key, starts `aidf serve --workers N`
(keys and sessions live in the ledger's database, so any worker answers any request) and drives it
from another process: a small asyncio HTTP/1.1 client keeping 16 keep-alive connections busy with
pre-built requests, each a different transaction. It sends plain decisions, then booked ones
(`?book=true`), then the mixed load (60% decide, 20% book, 20% reads) in `rounds` rounds over the
growing ledger, checks every answer, and reports rates and latency percentiles per phase and round.

    python benchmarks/api_bench.py [--full] [--workers N] [--rounds R]
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

DESTS = [("FR", "nvidia-b200"), ("MX", "nvidia-h200-sxm"), ("IN", "nvidia-h100-sxm5"), ("CN", "nvidia-rtx-5090"),
         ("BR", "amd-mi300x"), ("JP", "nvidia-gb200-gpu")]
WORKERS = 2
CONNECTIONS = 16


def transaction(i: int) -> dict:
    dest, chip = DESTS[i % len(DESTS)]
    return {"id": f"B-{i}", "date": "2025-07-01", "action": "export", "destination": dest,
            "items": [{"catalog": chip, "quantity": 1 + i % 40}],
            "parties": {"ultimate_consignee": {"name": f"Bench Consignee {i % 97}", "country": dest,
                                               "private_sector": True}}}


# ---- the load process ------------------------------------------------------------------------------

def _raw(port: int, key: str, method: str, path: str, body: bytes | None = None) -> bytes:
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-API-Key: {key}\r\n"
    if body is not None:
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    return (head + "\r\n").encode() + (body or b"")


def _request(port: int, key: str, path: str, i: int) -> bytes:
    return _raw(port, key, "POST", path, json.dumps(transaction(i)).encode())


def _mixed(port: int, key: str, start: int, n: int, booked: int = 500) -> list[bytes]:
    """60% plain decisions, 20% bookings, 20% reads (a page of holds, a booked decision, accounts);
    `booked`: how many the booking phase booked (its first ids are read back)."""
    reads = ["/v1/holds?limit=50", "/v1/accounts?kind=country_allocation", "/v1/decisions?limit=50"]
    out = []
    for j in range(n):
        i, slot = start + j, j % 10
        if slot < 6:
            out.append(_request(port, key, "/v1/decisions", i))
        elif slot < 8:
            out.append(_request(port, key, "/v1/decisions?book=true", i))
        elif slot == 8:
            out.append(_raw(port, key, "GET", f"/v1/decisions/B-{10**6 + j % max(1, min(booked, 500))}"))  # booked in the booking phase
        else:
            out.append(_raw(port, key, "GET", reads[(j // 10) % len(reads)]))
    return out


async def _exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> bytes | None:
    """Send one request; the body of a 200 answer, or None for any other status."""
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    body = await reader.readexactly(length)
    return body if head.startswith(b"HTTP/1.1 200 ") else None


async def _drive(port: int, key: str, path: str, start: int, warmup: int, n: int, connections: int,
                 cap_s: float) -> dict:
    """Warm up, then send `n` requests (ids start..start+n-1) over `connections` keep-alive connections;
    `path` "mixed" sends the mixed load instead of one kind."""
    conns = [await asyncio.open_connection("127.0.0.1", port) for _ in range(connections)]
    if path.startswith("mixed"):
        booked = int(path.partition(":")[2] or 500)
        warm = iter(_mixed(port, key, start + n, warmup, booked))
        reqs = _mixed(port, key, start, n, booked)
    else:
        warm = iter([_request(port, key, path, start + n + j) for j in range(warmup)])
        reqs = [_request(port, key, path, start + j) for j in range(n)]
    todo = iter(reqs)
    done, failed, sample, lat = 0, 0, None, []

    async def warm_worker(reader, writer) -> None:
        for req in warm:
            await _exchange(reader, writer, req)

    async def worker(reader, writer) -> None:
        nonlocal done, failed, sample
        for req in todo:
            t = time.perf_counter()
            if t - t0 > cap_s:
                return
            body = await _exchange(reader, writer, req)
            lat.append(time.perf_counter() - t)
            if body is None:
                failed += 1
            else:
                done += 1
                sample = body

    await asyncio.gather(*(warm_worker(r, w) for r, w in conns))
    t0 = time.perf_counter()
    await asyncio.gather(*(worker(r, w) for r, w in conns))
    secs = time.perf_counter() - t0
    for _, w in conns:
        w.close()
    lat.sort()
    decided = sample is not None and (path.startswith("mixed") or "outcome" in json.loads(sample))
    return {"ok": done, "failed": failed, "seconds": secs, "decision_seen": decided,
            "p50_ms": round(1e3 * lat[len(lat) // 2], 2) if lat else None,
            "p99_ms": round(1e3 * lat[min(len(lat) - 1, int(len(lat) * 0.99))], 2) if lat else None}


def _client_main(args: list[str]) -> None:
    port, key, path = int(args[0]), args[1], args[2]
    start, warmup, n, connections, cap = (int(a) for a in args[3:8])
    print(json.dumps(asyncio.run(_drive(port, key, path, start, warmup, n, connections, float(cap)))))


def _load(port: int, key: str, path: str, start: int, warmup: int, n: int, connections: int, cap_s: float) -> dict:
    """Run the load generator as its own process (it does not share the server's cores' interpreter)."""
    out = subprocess.run([sys.executable, __file__, "--client", str(port), key, path, str(start), str(warmup),
                          str(n), str(connections), str(int(cap_s))],
                         capture_output=True, text=True, timeout=cap_s + 120)
    if out.returncode != 0:
        raise RuntimeError(f"load generator failed: {out.stderr.strip()[-2000:]}")
    res = json.loads(out.stdout.strip().splitlines()[-1])
    if res["failed"] or not res["decision_seen"]:
        raise RuntimeError(f"{res['failed']} of {res['ok'] + res['failed']} requests to {path} failed")
    return res


# ---- the server ------------------------------------------------------------------------------------

def _serve(ledger: str, port: int, workers: int) -> subprocess.Popen:
    """`aidf serve --workers N` over the ledger (keys and sessions in its database)."""
    # A longer lock wait than the default 5 s: on a busy shared machine a queued booking may wait
    # longer, and this measures throughput, not the 503 an overloaded server answers (test_live.py).
    env = dict(os.environ, AIDF_LEDGER=ledger, AIDF_DB_WAIT_S=os.environ.get("AIDF_DB_WAIT_S", "30"))
    cmd = [sys.executable, "-c", "from aidf.cli import main; main()", "serve", "--host", "127.0.0.1",
           "--port", str(port), "--workers", str(workers), "--ledger", ledger]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _wait_ready(proc: subprocess.Popen, port: int, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"uvicorn exited ({proc.returncode}): {proc.stderr.read()[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("uvicorn did not answer /v1/health in time")


def _cpu_seconds(root: int) -> float | None:
    """CPU time used so far by a process and its children (Linux /proc; None elsewhere)."""
    try:
        tick = os.sysconf("SC_CLK_TCK")
        stats = {}
        for d in os.listdir("/proc"):
            if d.isdigit():
                try:
                    f = Path(f"/proc/{d}/stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                stats[int(d)] = (int(f[1]), int(f[11]) + int(f[12]))
    except (OSError, ValueError, AttributeError):
        return None
    family, grew = {root}, True
    while grew:
        more = {pid for pid, (ppid, _) in stats.items() if ppid in family} - family
        family |= more
        grew = bool(more)
    return sum(stats[p][1] for p in family if p in stats) / tick


def _settle(proc: subprocess.Popen, timeout_s: float = 30.0) -> None:
    """Wait until every worker has started (imports done, parameters loaded): the server uses under
    5% of a core over half a second. /v1/health answers as soon as one worker is up."""
    deadline = time.monotonic() + timeout_s
    last = _cpu_seconds(proc.pid)
    while last is not None and time.monotonic() < deadline:
        time.sleep(0.5)
        now = _cpu_seconds(proc.pid)
        if now is None or now - last < 0.025:
            return
        last = now


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()  # uvicorn's supervisor stops its workers on SIGTERM
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def engine_loop(n: int) -> dict:
    """The baseline, in this process: the same plain decisions through Service.decide, one after another."""
    from aidf.model import Transaction
    from aidf.service.core import Service

    with tempfile.TemporaryDirectory() as tmp:
        service = Service(str(Path(tmp) / "ledger.sqlite"))
        txs = [Transaction.model_validate(transaction(i)) for i in range(n + 200)]
        for tx in txs[n:]:
            service.decide(tx)  # warm the caches
        t0 = time.perf_counter()
        for tx in txs[:n]:
            service.decide(tx)
        secs = time.perf_counter() - t0
        service.close()
    return {"loop_decisions_per_s": round(n / secs, 1)}


def booking_loop(n: int) -> dict:
    """The booking baseline, in this process: bookings one after another, each its own ledger
    transaction and commit (what every booking cost before group commit), on a SQLite file."""
    from aidf import engine
    from aidf.model import Transaction
    from aidf.service.core import Service

    with tempfile.TemporaryDirectory() as tmp:
        service = Service(str(Path(tmp) / "ledger.sqlite"))
        txs = [Transaction.model_validate(transaction(5 * 10**6 + i)) for i in range(n + 20)]
        for tx in txs[n:]:
            engine.decide_and_book(tx, service.ledger, actor="bench")  # warm the caches
        t0 = time.perf_counter()
        for tx in txs[:n]:
            engine.decide_and_book(tx, service.ledger, actor="bench")
        secs = time.perf_counter() - t0
        service.close()
    return {"loop_bookings_per_s": round(n / secs, 1)}


def _pg_ledger() -> tuple[str | None, object]:
    """A throwaway PostgreSQL schema, or (None, None) when the server is not reachable."""
    import uuid

    from sqlalchemy import create_engine, text

    base = os.environ.get("AIDF_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    try:
        eng = create_engine(base, connect_args={"connect_timeout": 3})
        name = "bench_" + uuid.uuid4().hex[:10]
        with eng.begin() as c:
            c.execute(text(f"CREATE SCHEMA {name}"))
    except Exception:
        return None, None

    def drop() -> None:
        with eng.begin() as c:
            c.execute(text(f"DROP SCHEMA IF EXISTS {name} CASCADE"))
        eng.dispose()

    return f"{base}?options=-csearch_path%3D{name}", drop


def serve_and_load(ledger: str, quick: bool, workers: int, rounds: int) -> dict:
    from aidf.service.core import Service
    from aidf.service.server import free_port

    n, booked_n, mixed_n, cap = (3000, 600, 1000, 20.0) if quick else (20000, 3000, 4000, 120.0)
    service = Service(ledger)  # migrate once here, before the workers start together
    key = service.keys.create("bench", "officer")[0]
    service.close()
    port = free_port()
    proc = _serve(ledger, port, workers)
    try:
        _wait_ready(proc, port)
        _settle(proc)
        before = _cpu_seconds(proc.pid)
        dec = _load(port, key, "/v1/decisions", 0, 400, n, CONNECTIONS, cap)
        after = _cpu_seconds(proc.pid)
        book = _load(port, key, "/v1/decisions?book=true", 10**6, 40, booked_n, CONNECTIONS, cap)
        mixed = []
        for r in range(rounds):
            res = _load(port, key, f"mixed:{book['ok']}", 2 * 10**6 + r * 10**5, 50, mixed_n, CONNECTIONS, cap)
            mixed.append({"round": r + 1, "requests_per_s": round(res["ok"] / res["seconds"], 1),
                          "p50_ms": res["p50_ms"], "p99_ms": res["p99_ms"]})
    finally:
        _stop(proc)
    return {"decisions_per_s": round(dec["ok"] / dec["seconds"], 1), "decision_p50_ms": dec["p50_ms"],
            "decision_p99_ms": dec["p99_ms"],
            # server CPU per decision (warm-up included): steadier than the rate on a busy machine
            "server_cpu_ms_per_decision": None if before is None or after is None
            else round(1e3 * (after - before) / (dec["ok"] + 400), 3),
            "bookings_per_s": round(book["ok"] / book["seconds"], 1), "booking_p99_ms": book["p99_ms"],
            "mixed": mixed}


def run(quick: bool = True, workers: int = WORKERS, rounds: int = 5, postgresql: bool = True) -> dict:
    """The API under 16 clients on SQLite and (when reachable) PostgreSQL, beside the in-process loop."""
    # A ledger in a database server keeps its audit key outside it; a throwaway one for the benchmark.
    os.environ.setdefault("AIDF_AUDIT_KEY", "benchmark-audit-key")
    out = engine_loop(1000 if quick else 5000) | {"workers": workers, "connections": CONNECTIONS, "quick": quick}
    out |= booking_loop(200 if quick else 1000)
    with tempfile.TemporaryDirectory() as tmp:
        out["sqlite"] = serve_and_load(str(Path(tmp) / "ledger.sqlite"), quick, workers, rounds)
    pg, drop = _pg_ledger() if postgresql else (None, None)
    if pg:
        try:
            out["postgresql"] = serve_and_load(pg, quick, workers, rounds)
        finally:
            drop()
    best = max((out[db] for db in ("sqlite", "postgresql") if db in out), key=lambda r: r["decisions_per_s"])
    out |= {"api_decisions_per_s": best["decisions_per_s"], "api_decision_p99_ms": best["decision_p99_ms"],
            "api_bookings_per_s": max(out[db]["bookings_per_s"] for db in ("sqlite", "postgresql") if db in out),
            "api_vs_loop_ratio": round(best["decisions_per_s"] / out["loop_decisions_per_s"], 2),
            "api_bookings_vs_loop_ratio": round(max(out[db]["bookings_per_s"] for db in ("sqlite", "postgresql")
                                                    if db in out) / out["loop_bookings_per_s"], 2),
            "api_requests": sum(1 for db in ("sqlite", "postgresql") if db in out)}
    return out


if __name__ == "__main__":
    if sys.argv[1:2] == ["--client"]:
        _client_main(sys.argv[2:])
    else:
        w = int(sys.argv[sys.argv.index("--workers") + 1]) if "--workers" in sys.argv else WORKERS
        rounds = int(sys.argv[sys.argv.index("--rounds") + 1]) if "--rounds" in sys.argv else 5
        print(json.dumps(run(quick="--full" not in sys.argv, workers=w, rounds=rounds), indent=1))
