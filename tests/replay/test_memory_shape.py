"""What keeps replay's memory down must not change what it reads: an order's first line found from runs
of equal order ids is the one grouping finds, and the checked book is one chunk per column."""

from __future__ import annotations

import polars as pl
import pytest

from aidf.replay import book as bookmod
from aidf.replay.generate import generate
from aidf.replay.io import iter_book, write_table


def _grouped(df: pl.DataFrame) -> pl.Series:
    return df.select(pl.col("row").min().over("order_id").alias("f"))["f"]


@pytest.mark.parametrize("ids", [
    ["A", "A", "B", "C", "C", "C"],          # every order one run
    ["A", "B", "A", "C", "C", "B"],          # orders split: grouped
    [None, None, "A", "A", "B"],             # lines without an id, one run
    [None, "A", None, "B", "B"],             # lines without an id, two runs: grouped
    ["A"],
    ["C", "C", "A", "B", "B"],               # one run each, ids not in order
    ["C", "A", "A", "C"],                    # ids not in order, an order split: grouped
    ["A", "A", "B", None, None],             # ids in order but for the empty ones at the end: grouped or runs
])
def test_first_rows_are_the_grouped_first_rows(ids):
    df = pl.DataFrame({"order_id": pl.Series(ids, dtype=pl.String),
                       "row": pl.int_range(0, len(ids), dtype=pl.Int64, eager=True)})
    assert bookmod.first_rows(df).to_list() == _grouped(df).to_list()


def test_checked_book_is_one_chunk_per_column(tmp_path):
    write_table(generate(500, seed=5), tmp_path / "b.csv")
    batches, _ = iter_book(tmp_path / "b.csv", 64)
    df, errs = bookmod.parse_batches(batches)
    assert not errs
    assert {df[c].n_chunks() for c in df.columns} == {1}
    assert bookmod.first_rows(df).equals(_grouped(df))
