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
