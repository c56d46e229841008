"""The threads that plain decisions read the ledger on.

A plain decision reads balances and the screening list's version, so it leaves the event loop. It
goes straight to these threads through asyncio's executor hand-off, which costs far less per call than
the general thread pool (starlette's run_in_threadpool, with its capacity limiter and cancel scopes):
on the busiest route that hand-off was about a seventh of the process's time. There are few threads
(limits.READ_THREADS, fewer than the ledger connections a process keeps): a decision is mostly Python,
so more threads only take turns holding the interpreter, and a request's wait grows with the number
taking turns. Waiting in the pool's queue instead is first come, first served. One pool serves every
app of the process.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from aidf.service.limits import READ_THREADS

T = TypeVar("T")
_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None


def _executor() -> ThreadPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=READ_THREADS, thread_name_prefix="aidf-read")
        return _pool


async def run(fn: Callable[..., T], *args: Any) -> T:
    """fn(*args) on a reader thread; the event loop goes on meanwhile."""
    return await asyncio.get_running_loop().run_in_executor(_executor(), fn, *args)
