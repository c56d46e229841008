"""Group commit (issue 12): bookings gathered into one ledger transaction answer as one at a time would.

Every check is differential: the same bookings, in the order the writer took them, booked one at a
time on a fresh ledger, must give the same answers, the same balances and the same holds.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from aidf.ledger import IdempotencyConflict
from aidf.model import Transaction
from aidf.service.app import create_app
from aidf.service.core import Service
from aidf.service.keys import Principal
from tests.service.conftest import Api, tx

OFFICER = Principal(name="officer-user", role="officer", key_id="k1")


def bookings() -> list[dict]:
    """LPP's yearly room runs out part way (later ones need a license), with a retry and two countries."""
    out = [tx(f"G{i:02d}", qty=400) for i in range(8)]
    out.insert(3, tx("G01", qty=400))  # an idempotent retry inside the group
    out += [tx("P1", dest="PL", qty=300), tx("I1", dest="IN", qty=900), tx("G09", qty=50)]
    return out


def state(service: Service) -> tuple:
    accounts = sorted((a["id"], a["posted_tpp"], a["reserved_tpp"]) for a in service.accounts())
    holds = sorted((h["transaction_id"], h["reason"]) for h in service.holds())
    return accounts, holds


def one_at_a_time(spec: str, bodies: list[dict]) -> tuple[list, tuple]:
    service = Service(spec)
    try:
        answers = []
        for b in bodies:
            try:
                answers.append(service.decide(Transaction.model_validate(b), book=True, actor=OFFICER).model_dump(mode="json", by_alias=True))
            except Exception as exc:  # noqa: BLE001 - the error is part of the answer compared
                answers.append(type(exc).__name__)
        return answers, state(service)
    finally:
        service.close()


def gathered(service: Service, bodies: list[dict]) -> list:
    """Book `bodies` as ONE group: all are queued, in this order, before the writer thread starts."""
    writer = service.writer
    start = writer._running
    writer._running = lambda: None
    answers: list = [None] * len(bodies)

    def run(i: int) -> None:
        try:
            answers[i] = service.decide(Transaction.model_validate(bodies[i]), book=True, actor=OFFICER).model_dump(mode="json", by_alias=True)
        except Exception as exc:  # noqa: BLE001
            answers[i] = type(exc).__name__

    threads = []
    for i in range(len(bodies)):
        threads.append(threading.Thread(target=run, args=(i,)))
        threads[-1].start()
        while writer._queue.qsize() < i + 1:
            time.sleep(0.001)
    del writer._running
    start()
    for t in threads:
        t.join(30)
    return answers


def test_one_group_answers_as_one_at_a_time(tmp_path):
    bodies = bookings()
    service = Service(str(tmp_path / "grouped.sqlite"))
    try:
        got = gathered(service, bodies)
        assert service.writer.groups == 1 and service.writer.booked == len(bodies)  # one transaction
        got_state = state(service)
        assert service.ledger.verify().ok is True
    finally:
        service.close()
    want, want_state = one_at_a_time(str(tmp_path / "reference.sqlite"), bodies)
    assert got == want and got_state == want_state
    outcomes = [a["outcome"] for a in got]
    assert "LICENSE_REQUIRED" in outcomes and "LICENSE_EXCEPTION" in outcomes  # the limit fell inside the group
    assert got[1] == got[3]  # the retry inside the group has the first answer


def test_a_refused_booking_does_not_fail_its_neighbours(tmp_path):
    bodies = bookings()
    bodies.insert(5, tx("G00", qty=999))  # the same id with other content: refused (409)
    service = Service(str(tmp_path / "grouped.sqlite"))
    try:
        got = gathered(service, bodies)
        assert service.writer.groups == len(bodies) - 1  # rolled back whole, then each alone
        got_state = state(service)
        assert service.ledger.verify().ok is True
    finally:
        service.close()
    want, want_state = one_at_a_time(str(tmp_path / "reference.sqlite"), bodies)
    assert got[5] == IdempotencyConflict.__name__
    assert got == want and got_state == want_state


@pytest.mark.postgres
def test_one_group_on_postgresql(request):
    from tests.service.conftest import pg_url

    bodies = bookings()
    service = Service(pg_url(request))
    try:
        got = gathered(service, bodies)
        assert service.writer.groups == 1
        got_state = state(service)
        assert service.ledger.verify().ok is True
    finally:
        service.close()
    want, want_state = one_at_a_time(pg_url(request), bodies)
    assert got == want and got_state == want_state


def test_concurrent_http_bookings_match_one_at_a_time_in_the_writers_order(ledger_spec, tmp_path, request):
    """16 clients at once through the API; replayed one at a time in the order the ledger booked them."""
    from tests.service.conftest import pg_url

    bodies = [tx(f"H{i:02d}", dest=("MX", "PL", "IN")[i % 3], qty=300 + 7 * i) for i in range(40)]
    bodies += [tx("H03", dest="MX", qty=321), tx("H05", dest="IN", qty=999)]  # a retry, and a conflict
    app = create_app(ledger_spec)
    api = Api(app)
    try:
        with ThreadPoolExecutor(16) as pool:
            got = list(pool.map(lambda b: api.post("/v1/decisions?book=true", json=b), bodies))
        assert sorted(r.status_code for r in got) == [200] * 41 + [409], [r.text for r in got if r.status_code >= 400]
        booked = {b["id"]: (b, r.json()) for b, r in zip(bodies, got, strict=True) if r.status_code == 200}
        order = [e["subject"] for e in api.get("/v1/audit?limit=1000", "officer").json()
                 if e["action"] == "book"]
        assert sorted(order) == sorted(booked) and api.get("/v1/audit/verify", "officer").json()["ok"] is True
        grouped_state = state(app.state.service)
    finally:
        app.state.service.close()
    ref = pg_url(request) if ledger_spec.startswith("postgresql") else str(tmp_path / "reference.sqlite")
    want, want_state = one_at_a_time(ref, [booked[i][0] for i in order])
    assert [booked[i][1] for i in order] == want
    assert grouped_state == want_state


def test_two_workers_on_one_sqlite_file_take_turns(tmp_path):
    """Two services on one file (two workers): every booking answered, none lost, the chain verifies."""
    spec = str(tmp_path / "shared.sqlite")
    services = [Service(spec), Service(spec)]
    try:
        bodies = [tx(f"W{i:02d}", dest=("MX", "PL")[i % 2], qty=100 + i) for i in range(40)]

        def book(i: int):
            return services[i % 2].decide(Transaction.model_validate(bodies[i]), book=True, actor=OFFICER)

        with ThreadPoolExecutor(16) as pool:
            answers = list(pool.map(book, range(len(bodies))))
        assert [a.transaction_id for a in answers] == [b["id"] for b in bodies]
        assert sum(s.writer.booked for s in services) == len(bodies)
        assert all(s.writer._turn_path == spec + ".writer-turn" for s in services)
        assert services[0].ledger.verify().ok and len(services[1].bookings(100)) == len(bodies)
    finally:
        for s in services:
            s.close()


def test_bookings_that_arrive_while_another_worker_writes_join_one_group(tmp_path):
    """The writer gathers its group once its turn has come: the first booking waits for the turn, and the
    ones queued meanwhile are written with it, in one transaction, in arrival order."""
    import fcntl
    import os
    import queue

    bodies = bookings()
    service = Service(str(tmp_path / "turns.sqlite"))
    taken = threading.Event()

    class Queue(queue.SimpleQueue):
        def get(self, *args, **kwargs):
            item = super().get(*args, **kwargs)
            taken.set()
            return item

    service.writer._queue = Queue()
    other = os.open(service.writer._turn_path, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(other, fcntl.LOCK_EX)  # another worker's turn
    answers: list = [None] * len(bodies)

    def run(i: int) -> None:
        answers[i] = service.decide(Transaction.model_validate(bodies[i]), book=True, actor=OFFICER)

    try:
        threads = [threading.Thread(target=run, args=(0,))]
        threads[0].start()
        assert taken.wait(30)  # the writer has taken the first booking and waits for its turn
        for i in range(1, len(bodies)):
            threads.append(threading.Thread(target=run, args=(i,)))
            threads[-1].start()
            while service.writer._queue.qsize() < i:
                time.sleep(0.001)
        fcntl.flock(other, fcntl.LOCK_UN)
        for t in threads:
            t.join(30)
        assert service.writer.groups == 1 and service.writer.booked == len(bodies)
        got = [a.model_dump(mode="json", by_alias=True) for a in answers]
        got_state = state(service)
    finally:
        os.close(other)
        service.close()
    want, want_state = one_at_a_time(str(tmp_path / "reference.sqlite"), bodies)
    assert got == want and got_state == want_state
