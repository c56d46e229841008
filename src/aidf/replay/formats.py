"""The file formats of order books and decision tables, told by a file's suffix.

Kept apart from the readers and writers (replay/io.py), which load Polars: the allocator's setting
(replay/allocator.py) reads a book's format before Polars may be loaded.
"""

from __future__ import annotations

from pathlib import Path

from aidf.errors import InputError

FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl",
           ".xlsx": "xlsx"}


def file_format(path: str | Path, field: str = "file") -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise InputError(field, f"unsupported file type {suffix or '(none)'!r} of {Path(path).name}; "
                                f"use one of {', '.join(sorted(set(FORMATS)))}")
    return FORMATS[suffix]
