"""Row codes computed all columns at once group the rows as the codes computed a column at a time do."""

from __future__ import annotations

import datetime as dt
import random

import polars as pl
import pytest

from aidf.replay import codes
from aidf.replay.codes import dense_index, row_codes, row_codes_by_column


def _column(rng: random.Random, kind: str, n: int) -> pl.Series:
    k = rng.randint(1, 30)
    gap = rng.random() < 0.2
    if kind == "number":
        odd = [None, float("nan"), -0.0, 0.0, 1.5, 1e300, float("inf")]
        return pl.Series([rng.choice(odd) if rng.random() < 0.3 else float(rng.randint(0, k)) for _ in range(n)],
                         dtype=pl.Float64)
    if kind == "int":
        return pl.Series([None if gap and rng.random() < 0.5 else rng.randint(-k, k) for _ in range(n)], dtype=pl.Int64)
    if kind in ("text", "categorical"):
        s = pl.Series([None if rng.random() < 0.2 else f"v{rng.randint(0, k)}" for _ in range(n)], dtype=pl.String)
        return s.cast(pl.Categorical) if kind == "categorical" else s
    if kind == "flag":
        return pl.Series([None if rng.random() < 0.2 else rng.random() < 0.5 for _ in range(n)], dtype=pl.Boolean)
    if kind == "date":
        return pl.Series([None if rng.random() < 0.2 else dt.date(2025, 1, 1) + dt.timedelta(days=rng.randint(0, k))
                          for _ in range(n)], dtype=pl.Date)
    return pl.Series([None] * n, dtype=pl.Float64)


@pytest.mark.parametrize("seed", range(6))
def test_row_codes_equal_codes_column_by_column(seed):
    rng = random.Random(seed)
    kinds = ["number", "int", "text", "categorical", "flag", "date", "empty"]
    for _ in range(40):
        n = rng.randint(0, 150)
        df = pl.DataFrame({f"c{i}": _column(rng, rng.choice(kinds), n) for i in range(rng.randint(1, 24))})
        cols = list(df.columns)
        rng.shuffle(cols)
        _assert_same_groups(df, cols)


def _assert_same_groups(df: pl.DataFrame, cols: list[str]) -> None:
    fast, slow = row_codes(df, cols), row_codes_by_column(df, cols)
    assert fast.dtype == slow.dtype == pl.Int64
    assert fast.name == slow.name
    # Same first rows, same group per row: the only things callers read of the codes.
    for a, b in zip(dense_index(fast), dense_index(slow), strict=True):
        assert a.equals(b)


@pytest.mark.parametrize("small", [codes.SMALL_RANGE, 4, 0])
def test_wide_digits_fall_back_to_ranks_then_renumbering(monkeypatch, small):
    monkeypatch.setattr(codes, "SMALL_RANGE", small)
    rng = random.Random(9)
    wide = pl.DataFrame({f"c{i}": pl.Series([rng.randint(0, 999) * 40_000 for _ in range(500)]) for i in range(9)})
    _assert_same_groups(wide, wide.columns)
    narrow = pl.DataFrame({f"c{i}": pl.Series([rng.randint(-3, 3) for _ in range(500)]) for i in range(30)})
    _assert_same_groups(narrow, narrow.columns)
    dates = pl.DataFrame({"d": pl.Series([dt.date(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 900))
                                          for _ in range(500)]), "b": [rng.random() < 0.5 for _ in range(500)]})
    _assert_same_groups(dates, ["d", "b"])


def test_a_frame_past_the_digits_bound_is_coded_a_column_at_a_time(monkeypatch):
    rng = random.Random(4)
    df = pl.DataFrame({f"c{i}": _column(rng, "int", 200) for i in range(5)})
    monkeypatch.setattr(codes, "DIGITS_BYTES", df.height * df.width * 8 - 1)
    assert row_codes(df, df.columns).equals(row_codes_by_column(df, df.columns))
    monkeypatch.setattr(codes, "DIGITS_BYTES", df.height * df.width * 8)
    _assert_same_groups(df, df.columns)


@pytest.mark.parametrize("seed", range(4))
def test_dense_index_numbers_keys_by_first_appearance(seed):
    """dense_index against a plain reading of its promise: first rows in row order, and each row's
    number among them (nulls a key like any other)."""
    rng = random.Random(seed)
    for _ in range(30):
        n, k = rng.randint(0, 300), rng.randint(1, 60)
        values = [None if rng.random() < 0.1 else rng.randint(-k, k) * 7919 for _ in range(n)]
        pos, idx = dense_index(pl.Series(values, dtype=pl.Int64))
        first: dict[int | None, int] = {}
        for i, v in enumerate(values):
            first.setdefault(v, i)
        rows = sorted(first.values())
        number = {values[r]: j for j, r in enumerate(rows)}
        assert pos.to_list() == rows and idx.dtype == pl.UInt32
        assert idx.to_list() == [number[v] for v in values]


@pytest.mark.parametrize("rows", [0, 1, 7, 8, 9, 40])
def test_position_in_a_slice_at_a_time_equals_at_once(monkeypatch, rows):
    """Lookups made a slice at a time (codes.LOOKUP_ROWS) give each value the same position, whatever
    the slice's size against the column's length; a value that is not a key is an error, not a guess."""
    rng = random.Random(rows)
    keys = pl.Series("k", rng.sample(range(-500, 500), 30), dtype=pl.Int64)
    values = keys.gather(pl.Series([rng.randrange(30) for _ in range(rows)], dtype=pl.UInt32)).alias("v")
    want = [keys.to_list().index(v) for v in values.to_list()]
    monkeypatch.setattr(codes, "LOOKUP_ROWS", 8)
    got = codes.position_in(values, keys)
    assert got.to_list() == want and got.dtype == pl.UInt32 and got.name == "v"
    with pytest.raises(pl.exceptions.InvalidOperationError):
        codes.position_in(pl.Series("v", [keys[0], 10_000], dtype=pl.Int64), keys)
