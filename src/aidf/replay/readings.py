"""Reading a book's text cells through their distinct values, each value once per book.

A text column of a batch is typed through its distinct values (few per column: dates, flags, codes,
names). `Readings` keeps, per column, every value read so far with its typed value and whether it is
unreadable, so that a value seen in an earlier batch is not read again: after the first batches,
a batch's columns bring few or no new values. A column with more distinct values than `limit` is
read batch by batch instead (`read_distinct`), its values not kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

LIMIT = 100_000  # distinct values kept per column


Plan = tuple[pl.Expr, "pl.Expr | None", str]  # typed cells, unreadable cells (None: none), reason


@dataclass
class _Seen:
    keys: pl.Series | None = None  # the values read so far (text)
    vals: pl.Series | None = None  # their typed values, in the same order
    bad: set[str] = field(default_factory=set)
    canonical: bool = True  # every value read so far types to itself: the cells are kept as they are
    why: str = ""  # the reason an unreadable cell of the column gets
    clean: bool = True  # every value read so far is its own text: no padding, not empty
    overflow: bool = False  # too many distinct values to keep: read batch by batch


class Readings:
    """The distinct values of each text column read so far in one book."""

    def __init__(self, limit: int | None = None) -> None:
        self.limit = LIMIT if limit is None else limit
        self.seen: dict[str, _Seen] = {}

    def plan(self, name: str, kind: str, u: pl.Series) -> Plan:
        """How to type column `name` of a batch whose distinct values (text, no null) are `u`."""
        seen = self.seen.setdefault(name, _Seen())
        # The values not read before, found by Polars (a batch of 10^5 lines lists up to tens of
        # thousands of names: tested one by one in Python they took a tenth of the reading).
        new = None if seen.overflow or u.len() > self.limit else \
            (u if seen.keys is None else u.filter(~u.is_in(seen.keys.implode())))
        if new is None or (0 if seen.keys is None else seen.keys.len()) + new.len() > self.limit:
            self.seen[name] = _Seen(overflow=True)  # the values kept so far are let go
            return read_distinct(name, kind, u)
        if new.len() or seen.keys is None:
            _read(seen, name, kind, new.to_list())
        why = seen.why
        bad = u.filter(u.is_in(pl.Series(sorted(seen.bad), dtype=pl.String).implode())) if seen.bad else None
        found = pl.col(name).cast(pl.String).is_in(bad.implode()) if bad is not None and bad.len() else None
        if seen.canonical:
            return pl.col(name), found, why
        cast = _numbers(name, kind, seen)
        return (_mapped(name, seen.keys, seen.vals) if cast is None else cast), found, why


def _read(seen: _Seen, name: str, kind: str, new: list[str]) -> None:
    """Type and check the `new` values of a column into `seen`."""
    from aidf.replay.book import _typed

    expr, bad, seen.why = _typed(name, kind, {name: pl.String})
    k = pl.Series(name, new, dtype=pl.String)
    m = pl.DataFrame([k]).select(expr.alias("v"), (bad if bad is not None else pl.lit(False)).alias("b"))
    v = m["v"]
    seen.keys = k if seen.keys is None else pl.concat([seen.keys, k])
    seen.vals = v if seen.vals is None else pl.concat([seen.vals, v])
    seen.bad.update(k.filter(m["b"].fill_null(False)).to_list())
    seen.canonical = seen.canonical and v.dtype == pl.String and bool(k.eq_missing(v).all())
    seen.clean = seen.clean and bool((k.str.strip_chars() == k).all()) and not bool((k == "").any())


def read_distinct(name: str, kind: str, u: pl.Series) -> Plan:
    """A batch's column typed through its own distinct values `u` (nothing kept for later batches)."""
    from aidf.replay.book import _typed

    expr, bad, why = _typed(name, kind, {name: pl.String})
    m = pl.DataFrame({name: u}).select(pl.col(name).alias("__k"), expr.alias("__v"),
                                       (bad if bad is not None else pl.lit(False)).alias("__bad"))
    bad_vals = m.filter(pl.col("__bad").fill_null(False))["__k"]
    found = pl.col(name).cast(pl.String).is_in(bad_vals.implode()) if bad_vals.len() else None
    v = m["__v"]
    if v.dtype == pl.String and m.select(pl.col("__k").eq_missing(pl.col("__v")).all()).item():
        return pl.col(name), found, why   # already canonical: the text as it is
    return _mapped(name, m["__k"], v), found, why


def _numbers(name: str, kind: str, seen: _Seen) -> pl.Expr | None:
    """Number cells read as they are when every value is its own text: the typing of each value (book.
    _typed) is then the cast itself; whole numbers so when none is unreadable. None otherwise."""
    f = pl.col(name).cast(pl.String).cast(pl.Float64, strict=False)
    if kind == "number" and seen.clean:
        return f
    if kind == "int" and seen.clean and not seen.bad:
        return f.cast(pl.Int64)
    return None


def _mapped(name: str, keys: pl.Series, vals: pl.Series) -> pl.Expr:
    return pl.col(name).cast(pl.String).replace_strict(keys, vals, default=None, return_dtype=vals.dtype)
