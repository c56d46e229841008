"""The threads that plain decisions read the ledger on.

A plain decision reads balances and the screening list's version, so it leaves the event loop. It
goes straight to these threads through asyncio's executor hand-off, which costs far less per call than
the general thread pool (starlette's run_in_threadpool, with its capacity limiter and cancel scopes):
on the busiest route that hand-off was about a seventh of the process's time. There are few threads
(limits.READ_THREADS, fewer than the ledger connections a process keeps): a decision is mostly Python,
so more threads only take turns holding the interpreter, and a request's wait grows with the number
taking turns. Waiting in the pool's queue instead is first come, first served. A call not answered
within limits.DB_WAIT_S (and a second) is answered 503 with Retry-After (guard.py), and if it had not
started it never runs: a stalled database fills the queue with refusals, not with waits. One pool
serves every app of the process.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

from sqlalchemy.exc import TimeoutError as PoolTimeout

from aidf.service import limits

T = TypeVar("T")
_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None


def _executor() -> ThreadPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=limits.READ_THREADS, thread_name_prefix="aidf-read")
        return _pool


async def run(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """fn(*args, **kwargs) on a reader thread; the event loop goes on meanwhile."""
    call = asyncio.get_running_loop().run_in_executor(_executor(), partial(fn, *args, **kwargs))
    try:
        return await asyncio.wait_for(call, limits.DB_WAIT_S + 1)
    except TimeoutError:
        raise PoolTimeout("the ledger's readers are busy") from None
