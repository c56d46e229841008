"""Polars' allocator for a whole replay: freed memory goes back to the system within 50 ms.

Polars allocates with jemalloc and, when it is loaded, sets its options to `dirty_decay_ms:500,
muzzy_decay_ms:1000` followed by whatever `_RJEM_MALLOC_CONF` already held (later options win). Under
those, freed pages stay resident for up to a second and a half (muzzy pages are released lazily and
still count as resident). A replay frees and allocates columns of tens of MB in bursts: the book is
read in batches and then made one column at a time, so for a moment the batches' freed pages and the
finished columns were both resident. On a 10^7-line book that set the peak: 2,471 MB, against
2,044 MB with the setting below, in the same time (a background thread returns the pages, not the
replay's own threads).

The setting is read once, when Polars is first loaded: `prompt_return()` is called by a command before
it imports anything that imports Polars, and keeps a value the user set in the environment.

Only a large book gets it. Pages handed back are faulted in again when the next column needs them: on
a 10^6-line book that cost 0.5 CPU-seconds of system time and 0.3 to 0.5 s of its 7.5 s, to lower a
peak of 600 MB by 70 MB. At 10^7 lines the setting keeps the peak under 2 GB (1,984 to 1,990 MB,
against 2,437 MB under Polars' own).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ENV = "_RJEM_MALLOC_CONF"  # how Polars' bundled jemalloc reads its options
PROMPT_RETURN = "background_thread:true,dirty_decay_ms:50,muzzy_decay_ms:0"


# Bytes on disk from which a book is large: about 2 million lines of a book as the template lays it out
# (139 bytes a line in CSV, twice that in JSON Lines, 12 in Parquet). An Excel sheet never is.
LARGE_BOOK_BYTES = {"csv": 256 << 20, "jsonl": 512 << 20, "parquet": 24 << 20}


def large_book(path: Path | None) -> bool:
    """Whether a replay of `path` may reach a peak worth the setting: a large book, or one whose size
    cannot be told here (no file, or a format of unknown size per line: the setting then, to be safe)."""
    if path is None or not path.is_file():
        return True
    from aidf.replay.formats import FORMATS  # no Polars: the setting must precede it

    kind = FORMATS.get(path.suffix.lower())
    if kind == "xlsx":
        return False
    return kind not in LARGE_BOOK_BYTES or path.stat().st_size >= LARGE_BOOK_BYTES[kind]


def prompt_return(book: Path | None = None) -> bool:
    """Ask Polars' allocator to return freed memory promptly when replaying `book` (None: a book of
    unknown size); False when the book is small, when it is too late (Polars is loaded already) or when
    the user chose a setting of their own."""
    if "polars" in sys.modules or ENV in os.environ or not large_book(book):
        return False
    os.environ[ENV] = PROMPT_RETURN
    return True
