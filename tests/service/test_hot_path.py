"""The hot path stays safe: cached keys still die on revocation, the short road for POST /v1/decisions
answers exactly as the ordinary route does, and the worker socket keeps TCP_NODELAY."""

from __future__ import annotations

import socket
import time

import pytest

from aidf.model import Transaction
from aidf.service import fast as short_road
from aidf.service.keys import KeyStore
from aidf.service.server import listen
from tests.service.conftest import tx


def _decide(api, role: str = "analyst", **kw):
    return api.client.post("/v1/decisions", json=tx(**kw), headers=api.h(role))


def test_revoked_key_stops_at_once_in_this_process(sqlite_api):
    a = sqlite_api
    assert _decide(a).status_code == 200  # the key is now verified and cached
    assert a.get("/v1/catalog", "analyst").status_code == 200
    key_id = a.keys["analyst"].split("_")[1]
    assert a.client.delete(f"/v1/keys/{key_id}", headers=a.h("admin")).status_code == 204
    r = _decide(a)
    assert r.status_code == 401 and r.json()["error"]["field"] == "X-API-Key"
    assert a.get("/v1/catalog", "analyst").status_code == 401


def test_revocation_elsewhere_is_seen_within_the_ttl(sqlite_api, tmp_path):
    a = sqlite_api
    a.app.state.service.keys.cache_ttl = 0.3
    assert _decide(a).status_code == 200
    other = KeyStore(f"sqlite:///{tmp_path / 'ledger.sqlite'}")  # e.g. `aidf keys revoke` or another worker
    try:
        assert other.revoke(a.keys["analyst"].split("_")[1], actor="cli")
    finally:
        other.close()
    time.sleep(0.35)
    assert _decide(a).status_code == 401
    assert a.get("/v1/catalog", "analyst").status_code == 401


def test_cache_holds_digests_only_and_checks_the_secret(sqlite_api):
    a = sqlite_api
    store = a.app.state.service.keys
    assert _decide(a).status_code == 200
    assert store._cache and all(isinstance(h, bytes) and len(h) == 32 for h in store._cache)
    assert not any(a.keys["analyst"].encode() in h for h in store._cache)
    forged = a.keys["analyst"][:-3] + "zzz"  # same key id, wrong secret: not served from the cache
    assert a.client.post("/v1/decisions", json=tx(), headers={"X-API-Key": forged}).status_code == 401


def test_revocation_racing_a_lookup_is_not_cached(sqlite_api):
    store = sqlite_api.app.state.service.keys
    key = sqlite_api.keys["viewer"]
    real_connect = store.engine.connect

    def connect_then_revoke():
        conn = real_connect()
        row = conn.exec_driver_sql("SELECT 1").first()  # the read begins...
        assert row is not None
        store.forget(key.split("_")[1])  # ...while a revocation lands
        return conn

    store.engine.connect = connect_then_revoke
    try:
        assert store.check(key) is not None
    finally:
        store.engine.connect = real_connect
    assert store.cached(key) is None


def test_short_road_answers_as_the_route_does(sqlite_api, monkeypatch):
    a = sqlite_api
    a.app.state.service.keys.cache_ttl = 60  # the cached key must not expire between calls on a busy machine
    taken = []

    class Counting:
        @staticmethod
        def model_validate(data):
            taken.append(1)
            return Transaction.model_validate(data)

    monkeypatch.setattr(short_road, "Transaction", Counting)
    for kw in ({}, {"dest": "CN", "chip": "nvidia-b200", "qty": 3}, {"dest": "FR", "qty": 50000}):
        a.app.state.service.keys.forget()
        slow = _decide(a, **kw)  # a key not yet cached goes the ordinary way
        fast = _decide(a, **kw)
        routed = a.client.post("/v1/decisions?book=false", json=tx(**kw), headers=a.h("analyst"))
        assert slow.status_code == fast.status_code == routed.status_code == 200
        assert slow.json() == fast.json() == routed.json()
        assert fast.headers["content-type"] == routed.headers["content-type"]
    assert len(taken) == 3  # once per case: the cached key's plain decision went the short road


@pytest.mark.parametrize("body, field", [
    (tx() | {"items": [{"catalog": "no-such-chip", "quantity": 1}]}, "items.0.catalog"),
    (tx() | {"date": "yesterday"}, "date"),
    (tx() | {"surprise": 1}, "surprise"),
    ([1, 2], "body"),
])
def test_short_road_refusals_keep_their_shape(sqlite_api, body, field):
    a = sqlite_api
    assert _decide(a).status_code == 200  # warm the cache so the short road is taken
    r = a.client.post("/v1/decisions", json=body, headers=a.h("analyst"))
    assert r.status_code == 422 and r.json()["error"]["field"] == field


def test_short_road_roles_and_content(sqlite_api):
    a = sqlite_api
    for role in ("viewer", "analyst"):
        _decide(a, role=role)  # both keys cached now
    r = _decide(a, role="viewer")
    assert r.status_code == 403 and "analyst" in r.json()["error"]["reason"]
    r = a.client.post("/v1/decisions", content=b'{"id": ', headers=a.h("analyst") | {"content-type": "application/json"})
    assert r.status_code == 422 and "malformed JSON" in r.json()["error"]["reason"]
    assert a.client.post("/v1/decisions", json=tx()).status_code == 401


def test_worker_socket_is_tcp_with_nodelay():
    sock = listen("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    finally:
        sock.close()


def test_a_stalled_ledger_read_is_answered_503_and_queued_ones_never_run(sqlite_api, monkeypatch):
    """Plain decisions wait for the reader threads at most limits.DB_WAIT_S and a second: then 503 with
    Retry-After; one still queued behind them is cancelled, not run later."""
    from concurrent.futures import ThreadPoolExecutor

    from aidf.service import limits

    service = sqlite_api.app.state.service
    started, release = [], __import__("threading").Event()
    decide = service.decide

    def stalled(tx_, *a, **kw):
        started.append(tx_.id)
        release.wait(30)  # a read the database does not answer
        return decide(tx_, *a, **kw)

    monkeypatch.setattr(limits, "DB_WAIT_S", 0.2)
    monkeypatch.setattr(service, "decide", stalled)
    ids = [f"S{i}" for i in range(limits.READ_THREADS + 1)]
    try:
        with ThreadPoolExecutor(len(ids)) as pool:
            answers = list(pool.map(lambda i: sqlite_api.post("/v1/decisions", "analyst", json=tx(i)), ids))
    finally:
        release.set()
    assert [r.status_code for r in answers] == [503] * len(ids)
    assert all(r.headers["retry-after"].isdigit() for r in answers)
    time.sleep(0.3)
    assert len(started) == limits.READ_THREADS  # the one queued behind the stalled reads never ran
    monkeypatch.setattr(service, "decide", decide)
    assert sqlite_api.post("/v1/decisions", "analyst", json=tx("AFTER")).status_code == 200
