"""The benchmarks' IO-alone process (benchmarks/floor.py): it reads a book and writes this tree's
answers again, and its parts add up to its time."""

from __future__ import annotations

import os

import polars as pl
from benchmarks.baseline import _env
from benchmarks.floor import headroom, io_alone, least

from aidf.replay.generate import write
from aidf.replay.run import run


def test_io_alone_reads_the_book_and_writes_the_answers(tmp_path):
    book, out = str(tmp_path / "b.csv"), str(tmp_path / "o.parquet")
    write(300, book, seed=3)
    run(book, out)
    io = io_alone(book, out, _env(None))
    assert set(io) == {"seconds", "read", "write", "start"}
    assert abs(io["seconds"] - (io["start"] + io["read"] + io["write"])) <= 0.02  # rounded parts
    assert min(io.values()) >= 0
    assert pl.read_parquet(out).height == 300 and os.path.exists(out)


def test_headroom_is_a_third_of_the_baseline_less_the_io():
    io = {"seconds": 1.5, "read": 1.0, "write": 0.3, "start": 0.2}
    h = headroom(io, now_least=7.5, base_least=7.8)
    assert h == {"io_alone": io, "x3_seconds": 2.6, "x3_left_beyond_io": 1.1, "now_beyond_io": 6.0}
    assert least([{"seconds": 2.0}, {"seconds": 1.0}]) == {"seconds": 1.0}
