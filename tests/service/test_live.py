"""Against a real `aidf serve` (one worker, one event loop): one request cannot freeze the others, a
locked database answers 503 with Retry-After, and a connection survives an error answer."""

from __future__ import annotations

import http.client
import json
import sqlite3
import subprocess
import sys
import threading
import time

import httpx
import pytest

from aidf.service.keys import KeyStore, keys_url
from aidf.service.server import free_port
from tests.service.conftest import tx


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("live")
    ledger = str(tmp / "ledger.sqlite")
    store = KeyStore(keys_url(ledger))
    key = store.create("olga", "officer")[0]
    store.close()
    port = free_port()
    cmd = [sys.executable, "-c", "from aidf.cli import main; main()", "serve", "--port", str(port),
           "--ledger", ledger]
    env = {"AIDF_DB_WAIT_S": "1"}
    import os

    proc = subprocess.Popen(cmd, cwd=tmp, env=os.environ | env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(url + "/v1/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        proc.kill()
        raise RuntimeError("server did not start: " + proc.stdout.read().decode(errors="replace"))
    yield {"url": url, "port": port, "key": key, "ledger": ledger}
    proc.terminate()
    proc.wait(timeout=20)


def _big(n: int) -> dict:
    return tx("BIG-1") | {"items": [{"catalog": "nvidia-h100-sxm5", "quantity": 1 + i % 7} for i in range(n)]}


def test_health_answers_while_a_5000_item_request_is_handled(live):
    h = {"X-API-Key": live["key"]}
    answer: dict = {}

    def big() -> None:
        answer["r"] = httpx.post(live["url"] + "/v1/decisions", json=_big(5000), headers=h, timeout=120)

    t = threading.Thread(target=big)
    t.start()
    worst = 0.0
    while t.is_alive():
        t0 = time.perf_counter()
        assert httpx.get(live["url"] + "/v1/health", timeout=10).status_code == 200
        worst = max(worst, time.perf_counter() - t0)
        time.sleep(0.02)
    t.join()
    r = answer["r"]
    assert r.status_code == 422 and r.json()["error"]["field"] == "items"
    assert "at most 500 items" in r.json()["error"]["reason"]
    assert worst < 1.0, f"health took {worst:.2f} s while the big request ran"  # a liveness bound, generous


def test_locked_database_gives_503_with_retry_after(live):
    h = {"X-API-Key": live["key"]}
    lock = sqlite3.connect(live["ledger"], timeout=1, isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        t0 = time.perf_counter()
        r = httpx.post(live["url"] + "/v1/decisions?book=true", json=tx("LOCKED-1"), headers=h, timeout=60)
        took = time.perf_counter() - t0
        health = httpx.get(live["url"] + "/v1/health", timeout=5)
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    assert r.status_code == 503 and r.headers["retry-after"].isdigit(), r.text
    assert took < 30
    assert health.status_code == 200
    r = httpx.post(live["url"] + "/v1/decisions?book=true", json=tx("LOCKED-1"), headers=h, timeout=60)
    assert r.status_code == 200  # once the lock is gone the same request books


def test_connection_survives_error_answers(live):
    conn = http.client.HTTPConnection("127.0.0.1", live["port"], timeout=30)
    h = {"X-API-Key": live["key"], "Content-Type": "application/json"}
    bad = [("GET", "/v1/decisions/a%00b", None), ("POST", "/v1/decisions", json.dumps(tx() | {"id": "a\u0000b"})),
           ("POST", "/v1/decisions", "{not json"), ("GET", "/v1/nowhere", None)]
    socks = set()
    for method, path, body in bad:
        conn.request(method, path, body=body, headers=h)
        r = conn.getresponse()
        r.read()
        assert 400 <= r.status < 500, (path, r.status)
        socks.add(id(conn.sock))
        conn.request("GET", "/v1/health")
        ok = conn.getresponse()
        ok.read()
        assert ok.status == 200
        socks.add(id(conn.sock))
    assert len(socks) == 1  # one connection throughout: never reset after an error
    conn.close()


def test_body_over_the_limit_is_413(live):
    h = {"X-API-Key": live["key"], "Content-Type": "application/json"}
    r = httpx.post(live["url"] + "/v1/decisions", content=b" " * (2 << 20), headers=h, timeout=30)
    assert r.status_code == 413 and r.json()["error"]["field"] == "body"
    assert "1,048,576" in r.json()["error"]["reason"]
