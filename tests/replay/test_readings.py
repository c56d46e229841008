"""Values read once per book (readings.Readings) type and check cells as reading every batch anew does."""

from __future__ import annotations

import polars as pl
import pytest

from aidf.replay import book as bookmod
from aidf.replay import readings
from aidf.replay.generate import generate
from aidf.replay.io import iter_book, read_book, write_table

from .test_batches import BAD


def _parse(path, batch: int, limit: int | None, monkeypatch) -> tuple[pl.DataFrame, list]:
    monkeypatch.setattr(readings, "LIMIT", readings.LIMIT if limit is None else limit)
    batches, _ = iter_book(path, batch)
    return bookmod.parse_batches(batches)


@pytest.mark.parametrize("batch", [1, 3, 1000])
def test_kept_values_check_the_same_cells_as_each_batch_anew(tmp_path, monkeypatch, batch):
    path = tmp_path / "bad.csv"
    path.write_text(BAD)
    kept, kept_errs = _parse(path, batch, None, monkeypatch)
    anew, anew_errs = _parse(path, batch, 0, monkeypatch)   # every column read batch by batch
    some, some_errs = _parse(path, batch, 2, monkeypatch)   # columns past 2 values switch over midway
    assert kept_errs == anew_errs == some_errs and kept_errs
    assert kept.equals(anew) and kept.equals(some)


def test_kept_values_type_the_same_cells_as_each_batch_anew(tmp_path, monkeypatch):
    df = generate(400, seed=5, intensity=5.0).with_columns(pl.col("date").cast(pl.String))
    # Cells a person types: padded, upper and lower case; canonical in some batches, not in others.
    odd = pl.int_range(pl.len()) % 7 == 0
    df = df.with_columns(pl.when(odd).then(" " + pl.col("destination").str.to_lowercase() + " ")
                         .otherwise(pl.col("destination")).alias("destination"),
                         pl.when(odd).then(pl.col("action").str.to_uppercase()).otherwise(pl.col("action"))
                         .alias("action"))
    # Numbers and order ids padded only late in the book: numbers read by a cast and order ids kept as
    # they are until then, typed cell by cell after.
    late = pl.int_range(pl.len()) > 300
    df = df.with_columns(pl.when(late & odd).then(" " + pl.col(n).cast(pl.String) + " ")
                         .otherwise(pl.col(n).cast(pl.String)).alias(n) for n in ("quantity", "tpp", "order_id"))
    write_table(df, tmp_path / "b.csv")
    raw, _ = read_book(tmp_path / "b.csv")
    whole, errs = bookmod.parse_book(raw, batch_rows=10**6)
    assert not errs
    for limit in (None, 0, 5):
        part, errs = _parse(tmp_path / "b.csv", 50, limit, monkeypatch)
        assert not errs
        assert part.equals(whole)
