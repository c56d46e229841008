"""Shapes decided side by side: a list of independent calls split among forked copies of this process.

Replay decides each shape with one Python call (static.noted_or_error), and the people columns decide
a representative line of some shapes with the engine. The calls read only what was loaded before them,
so they split cleanly among processes. A forked child inherits the loaded rules and parameters and the
inputs themselves (nothing is sent to it); it sends its answers back pickled through a pipe and exits.
The parent decides the first part itself, then reads the children's parts in order.

A child that fails, dies or stays silent for too long has its part decided by the parent: the answers
are the same either way, only later. Only pure Python runs in a child (the engine's provisions): no
Polars call (its thread pool does not survive a fork), no store, no file. Forking is used where the
platform forks cheaply (Linux) and only inside `workers(n)` with n > 1, which `aidf replay` opens.
"""

from __future__ import annotations

import contextvars
import gc
import os
import pickle
import select
import signal
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TypeVar

from aidf.heap import settling

T = TypeVar("T")
R = TypeVar("R")
MIN_PART = 1_000  # calls per process below which a fork costs more than it saves (a call takes ~0.1 ms)
MAX_WORKERS = 8
# A child is waited for this many times as long as the parent took for its own part (plus GRACE_S)
# before its part is taken back: far more than the same work needs, far less than forever.
PATIENCE = 20
GRACE_S = 10.0
_workers: contextvars.ContextVar[int] = contextvars.ContextVar("aidf_replay_workers", default=1)


def available() -> int:
    """Processes this one may run on at once (its CPU affinity), at most MAX_WORKERS."""
    try:
        n = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        n = os.cpu_count() or 1
    return max(1, min(n, MAX_WORKERS))


@contextmanager
def workers(n: int | None) -> Iterator[int]:
    """Within the block, `split_map` may use up to `n` processes (None: `available()`)."""
    n = available() if n is None else max(1, int(n))
    token = _workers.set(n)
    try:
        yield n
    finally:
        _workers.reset(token)


def _forks() -> bool:
    return sys.platform.startswith("linux") and hasattr(os, "fork")


def split_map(fn: Callable[[T], R], items: Sequence[T], min_part: int | None = None) -> list[R]:
    """`[fn(x) for x in items]`, split among up to `workers()` processes of at least `min_part` calls
    (default MIN_PART).

    `fn` must return picklable values and must not raise for a bad input it can report: a call that
    raises in a child has its part done again by the parent, where it raises as it would have."""
    n = min(_workers.get(), len(items) // max(1, MIN_PART if min_part is None else min_part))
    if n <= 1 or not _forks():
        return _here(fn, items)
    bounds = [len(items) * i // n for i in range(n + 1)]
    children = [_fork(fn, items[bounds[i]:bounds[i + 1]]) for i in range(1, n)]
    try:
        started = time.monotonic()
        out = _here(fn, items[bounds[0]:bounds[1]])
        patience = PATIENCE * (time.monotonic() - started) + GRACE_S
        for i, child in enumerate(children, 1):
            part = _collect(child, patience)
            out += part if part is not None else _here(fn, items[bounds[i]:bounds[i + 1]])
        return out
    finally:
        for child in children:
            if child is not None:
                _end(*child)


def _here(fn: Callable[[T], R], part: Sequence[T]) -> list[R]:
    """`part` decided in this process (settling between calls inside a batch: aidf.heap)."""
    return [fn(x) for x in settling(part)]


def _fork(fn: Callable[[T], R], part: Sequence[T]) -> tuple[int, int] | None:
    """A child deciding `part`: (its pid, the read end of its pipe); None when the system refuses a
    process or a pipe (the parent then decides the part itself)."""
    try:
        r, w = os.pipe()
    except OSError:
        return None
    try:
        pid = os.fork()
    except OSError:
        os.close(r)
        os.close(w)
        return None
    if pid == 0:  # the child: never returns
        code = 1
        try:
            os.close(r)
            gc.freeze()  # the inherited objects are not walked (nor their pages copied) by collections
            data = pickle.dumps(_here(fn, part), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(w, "wb") as f:
                f.write(data)
            code = 0
        finally:
            os._exit(code)
    os.close(w)
    return pid, r


def _collect(child: tuple[int, int] | None, patience: float) -> list | None:
    """The child's answers, or None if it was not made, failed, died or was silent for `patience` seconds."""
    if child is None:
        return None
    pid, fd = child
    chunks: list[bytes] = []
    deadline = time.monotonic() + patience
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            return None
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            break
        chunks.append(chunk)
    _, status = os.waitpid(pid, 0)
    if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
        return None
    try:
        return pickle.loads(b"".join(chunks))
    except Exception:  # a truncated or garbled answer is done again, never trusted
        return None


def _end(pid: int, fd: int) -> None:
    """Close the pipe and make sure the child is gone (killed if still running) and reaped."""
    try:
        os.close(fd)
    except OSError:
        pass
    try:
        if os.waitpid(pid, os.WNOHANG) == (0, 0):
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    except ChildProcessError:
        pass  # already reaped by _collect
