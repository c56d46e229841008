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


@pytest.mark.parametrize("ids", [
    ["A", "A", "A", "B", "B", None, None, "C"],      # runs: only columns that move within a run are gathered
    ["A", "B", "A", "A", "B", None, "C", None],      # orders split: grouped
])
def test_order_rule_names_the_lines_that_differ_from_their_orders_first(ids):
    from aidf.replay.layout import ORDER_LEVEL

    n = len(ids)
    dest = ["FR", "DE", "FR", "US", "US", "FR", "DE", "JP"]  # a line differing, then one agreeing again
    df = pl.DataFrame({"order_id": pl.Series(ids, dtype=pl.String),
                       "row": pl.int_range(0, n, dtype=pl.Int64, eager=True),
                       "line": pl.int_range(2, n + 2, dtype=pl.Int64, eager=True),
                       **{c: pl.Series([None] * n, dtype=pl.String) for c in ORDER_LEVEL}})
    df = df.with_columns(pl.Series("destination", dest), pl.Series("consignee_name", ["X"] * n))
    first = _grouped(df)
    expected = [(ln, "destination") for ln, oid, d, f in zip(df["line"], ids, dest, first, strict=True)
                if oid is not None and d != dest[f]]
    assert expected
    assert [(e.line, e.field) for e in bookmod._order_rules(df)] == expected
