"""Group commit of bookings: the bookings a worker receives at once are written in one ledger transaction.

One commit (one fsync on SQLite, one chain-head lock and commit on PostgreSQL) per booking bounded the
service at a few hundred bookings a second. Here each request thread hands its validated transaction
to one writer thread of the worker and waits for its answer. The writer takes the first booking that
waits and every other one already queued behind it (at most MAX_GROUP), in arrival order, and books
them in ONE ledger batch: each is decided against the batch's live view of the ledger, the earlier
bookings of the group included, so each gets exactly the answer it would get alone, one after the
other, and the batch never lets a draw past a limit. While a group is being written, the next one
gathers; a lone booking waits for nobody.

Isolation: when any booking of a group raises (an id retried with other content, a limit the ledger
refuses, bad input the route let through), the group's transaction is rolled back whole and its
bookings are written again one at a time, in the same order, each in its own transaction: the one
that failed gets its own error and its neighbours get the answers they would have had. A busy
database (lock wait over limits.DB_WAIT_S) fails the group, since writing its members one at a time
would only wait again. Idempotency keys hold across a group: a second booking of an id in the same
group finds the first (the batch keeps what it booked) and returns the first answer.

Across workers (processes), groups serialise in the database: PostgreSQL's audit chain head row
(its lock waiters queue), SQLite's file write lock. SQLite's own wait for that lock sleeps in growing
steps (up to 100 ms), so a worker whose writer starts its next group at once kept the lock while the
other slept: the other's bookings waited seconds. On a SQLite file the writers of all workers
therefore first take a small lock file beside it (polled every half millisecond, bounded by
limits.DB_WAIT_S) and pause a millisecond after each group, so the workers' groups take turns. A
writer gathers its group once its turn has come: what arrived during the other worker's group joins it.
"""

from __future__ import annotations

import os
import queue
import threading
import time
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import TimeoutError as PoolTimeout

from aidf.model import Decision, Transaction
from aidf.service import limits
from aidf.service.guard import DB_BUSY

MAX_GROUP = 64  # bookings in one ledger transaction: bounds a group's lock hold and its latency
TURN_POLL_S = 0.0005  # how often a waiting writer tries the SQLite turn lock
TURN_GAP_S = 0.001  # the pause after a group, in which another worker's writer takes its turn


@dataclass
class _Booking:
    tx: Transaction
    actor: str
    answer: Future = field(default_factory=Future)


class GroupWriter:
    """The writer thread of one worker's ledger: bookings in, one transaction per group out."""

    def __init__(self, ledger: Any, max_group: int = MAX_GROUP):
        self.ledger, self.max_group = ledger, max_group
        self._queue: queue.SimpleQueue[_Booking | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start = threading.Lock()
        self.groups = self.booked = 0  # counters for the benchmark and tests
        self._turn_path = _turn_lock_path(ledger)
        self._turn_fd: int | None = None

    def book(self, tx: Transaction, actor: str) -> Decision:
        """Queue a booking and wait for its answer (or its error); 503 after limits.DB_WAIT_S."""
        item = _Booking(tx, actor)
        self._running()
        self._queue.put(item)
        try:
            return item.answer.result(timeout=limits.DB_WAIT_S + 1)
        except FutureTimeout:
            item.answer.cancel()  # not written if the writer has not taken it yet
            raise PoolTimeout("the ledger's writer is busy") from None  # 503 with Retry-After (guard.py)

    def close(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=limits.DB_WAIT_S + 1)
            self._thread = None
        if self._turn_fd is not None:
            os.close(self._turn_fd)
            self._turn_fd = None

    @contextmanager
    def _turn(self):
        """This worker's turn to write a SQLite file (see the module text); nothing for other ledgers."""
        if self._turn_path is None:
            yield
            return
        import fcntl

        if self._turn_fd is None:
            self._turn_fd = os.open(self._turn_path, os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.monotonic() + limits.DB_WAIT_S
        while True:
            try:
                fcntl.flock(self._turn_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise PoolTimeout("another worker's writer held the ledger too long") from None
                time.sleep(TURN_POLL_S)
        try:
            yield
        finally:
            fcntl.flock(self._turn_fd, fcntl.LOCK_UN)
        time.sleep(TURN_GAP_S)

    def _running(self) -> None:
        if self._thread is None:
            with self._start:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._loop, name="aidf-group-writer", daemon=True)
                    self._thread.start()

    def _loop(self) -> None:
        stop = False
        while not stop:
            first = self._queue.get()
            if first is None:
                return
            group = [first]
            try:
                # The group is gathered once this worker's turn has come, so the bookings that arrived
                # while another worker's group was being written join this one.
                with self._turn():
                    stop = self._gather(group)
                    live = [b for b in group if b.answer.set_running_or_notify_cancel()]
                    if live:
                        self._write(live)
            except DB_BUSY as exc:  # no turn within limits.DB_WAIT_S
                for b in group:
                    if not b.answer.done():
                        b.answer.set_exception(exc)

    def _gather(self, group: list[_Booking]) -> bool:
        """Add what waits behind the group's first booking (up to max_group); True when closing."""
        while len(group) < self.max_group:
            try:
                nxt = self._queue.get_nowait()
            except queue.Empty:
                return False
            if nxt is None:
                return True
            group.append(nxt)
        return False

    def _write(self, group: list[_Booking]) -> None:
        from aidf import engine

        try:
            with self.ledger.batch() as b:
                b.prefetch([g.tx.id for g in group])
                answers = [engine.decide_and_book(g.tx, b, actor=g.actor) for g in group]
        except DB_BUSY as exc:
            for g in group:
                g.answer.set_exception(exc)
            return
        except Exception:  # noqa: BLE001 - rolled back whole; each booking again on its own
            self._one_by_one(group)
            return
        self.groups += 1
        self.booked += len(group)
        for g, a in zip(group, answers, strict=True):
            g.answer.set_result(a)

    def _one_by_one(self, group: list[_Booking]) -> None:
        from aidf import engine

        for g in group:
            try:
                g.answer.set_result(engine.decide_and_book(g.tx, self.ledger, actor=g.actor))
                self.groups += 1
                self.booked += 1
            except Exception as exc:  # noqa: BLE001 - handed to the waiting request, which answers it
                g.answer.set_exception(exc)


def _turn_lock_path(ledger: Any) -> str | None:
    """The turn lock file beside a SQLite ledger file (None: another database, or no file locks here)."""
    engine = getattr(ledger, "engine", None)
    url = getattr(engine, "url", None)
    if url is None or url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    try:
        import fcntl  # noqa: F401 - POSIX only; elsewhere SQLite's own lock is the only turn
    except ImportError:
        return None
    return url.database + ".writer-turn"
