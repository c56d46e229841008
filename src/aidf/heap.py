"""Long batches and the cyclic garbage collector.

A batch of 10^5 decisions keeps its inputs and every answer alive to the end. Each collection of the
oldest generation walks all of them again, and the walks grow with the batch: on a 10^5-transaction
`decide_many` they took a third of the time. `survivors_set_aside()` moves everything alive at its
start out of the collector's reach (`gc.freeze`), and so does `settle()` every few hundred answers,
so a collection walks only the objects made since. At the end everything is handed back
(`gc.unfreeze`). Objects freed by their reference count are freed as usual; only cycles among
set-aside objects wait for the end. While a batch runs the collector looks only at the youngest
objects (BATCH_THRESHOLDS): what survives them is set aside at the next settle anyway, so the older
generations' collections would only walk it again (about a tenth of a 10^4-transaction run).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")
SETTLE_EVERY = 256  # decisions between two settles: few enough that a collection walks little
# Young collections every 5,000 new objects; the two older generations in effect never (settled instead).
BATCH_THRESHOLDS = (5000, 1 << 30, 1 << 30)
_lock = threading.Lock()
_open = 0  # batches running now; freezing is process-wide, so the last one to end hands back
_before: tuple[int, ...] = ()  # the thresholds to restore when the last batch ends


@contextmanager
def survivors_set_aside() -> Iterator[None]:
    """Set aside what is alive now; hand everything back when the last open batch ends."""
    global _open, _before
    with _lock:
        if _open == 0:
            _before = gc.get_threshold()
            gc.set_threshold(*BATCH_THRESHOLDS)
        _open += 1
        gc.freeze()
    try:
        yield
    finally:
        with _lock:
            _open -= 1
            if _open == 0:
                gc.unfreeze()
                gc.set_threshold(*_before)


def settle() -> None:
    """Inside a batch: set aside what the answers so far left alive."""
    with _lock:
        if _open:
            gc.freeze()


def settling(items: Iterable[T]) -> Iterator[T]:
    """Each of `items`, settling after every SETTLE_EVERY of them (inside a batch)."""
    for i, item in enumerate(items, 1):
        yield item
        if i % SETTLE_EVERY == 0:
            settle()
