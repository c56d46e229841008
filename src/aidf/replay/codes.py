"""Row codes and the compact (item id) form of a typed book.

A typed book carries about twenty item columns per line (`catalog`, `tpp`, twelve `peak_*`, weights
figures, ...), nearly all empty; a book has few distinct items. The compact form keeps per line only
an item id (`iid`, UInt32) into a table of the distinct items, which is what replay reads.
"""

from __future__ import annotations

import polars as pl

from aidf.replay.layout import COLUMNS

# The columns that make an item (quantity and description are per line and read by no provision).
ITEM_COLS = [c.name for c in COLUMNS if c.level == "item" and c.name not in ("quantity", "description")]
DROPPED = [*ITEM_COLS, "description"]


def row_codes(df: pl.DataFrame, cols: list[str]) -> pl.Series:
    """One Int64 per row that is equal exactly when the rows agree on every column (nulls included).

    Callers read only which rows share a code, never the codes' order. Each column gives a digit, all
    columns in one select: integer, date and categorical columns of a small range their value (no
    look-up), other columns a number per distinct value (found by hash); the digits are combined
    into one number, or renumbered a column at a time (`row_codes_by_column`) when they do not fit.
    """
    parts = [c for c in cols if df[c].null_count() != df.height]
    if not parts:
        return pl.zeros(df.height, dtype=pl.Int64, eager=True)
    if len(set(parts)) < len(parts) or df.height * len(parts) * 8 > DIGITS_BYTES:
        return row_codes_by_column(df, cols)
    phys = pl.DataFrame([_physical(df[c]) for c in parts])
    for small in (SMALL_RANGE, 0):  # when value digits do not fit, ranks (fewer digits) may
        exprs, radix = _digits(phys, small)
        if None not in radix and _fits(radix):  # every radix known: the key in one select, no digits kept
            return phys.select(_packed(exprs, radix).alias("zeros"))["zeros"]
        digits = phys.select(exprs)
        radix = [int(digits[c].max()) + 1 if r is None else r for c, r in zip(parts, radix, strict=True)]
        if _fits(radix):
            return digits.select(_packed([pl.col(c) for c in parts], radix).alias("zeros"))["zeros"]
    return row_codes_by_column(df, cols)


def _packed(digits: list[pl.Expr], radix: list[int]) -> pl.Expr:
    key = pl.lit(0, dtype=pl.Int64)
    for d, r in zip(digits, radix, strict=True):
        key = key * r + d
    return key


SMALL_RANGE = 1 << 16  # an integer column spanning at most this many values is its own digit
# The one select holds every column's digit at once (8 bytes a line each): past this, a column at a
# time (at 10^7 lines, seven account parts' digits set the whole replay's peak, 300 MB above the rest).
DIGITS_BYTES = 1 << 28


def _fits(radix: list[int]) -> bool:
    span = 1
    for r in radix:
        span *= r
    return span < 1 << 62


def _digits(phys: pl.DataFrame, small: int) -> tuple[list[pl.Expr], list[int | None]]:
    """Each column's digit (0 for null) and its radix (None: 1 + its largest digit); integer columns
    spanning at most `small` values as value - least + 1, other columns by a number per distinct value."""
    ints = [c for c, t in phys.schema.items() if t.is_integer()] if small else []
    ends = phys.select(*(pl.col(c).min().alias(f"lo:{c}") for c in ints),
                       *(pl.col(c).max().alias(f"hi:{c}") for c in ints)).row(0, named=True) if ints else {}
    exprs, radix = [], []
    for c, t in phys.schema.items():
        s = pl.col(c)
        if t == pl.Boolean:
            exprs.append(s.cast(pl.Int64).fill_null(2))
            radix.append(3)
        elif c in ints and ends[f"hi:{c}"] - ends[f"lo:{c}"] < small and -(1 << 62) < ends[f"lo:{c}"] \
                and ends[f"hi:{c}"] < 1 << 62:
            exprs.append((s.cast(pl.Int64) - (ends[f"lo:{c}"] - 1)).fill_null(0).alias(c))
            radix.append(ends[f"hi:{c}"] - ends[f"lo:{c}"] + 2)
        else:
            # Numbered from 1 in the order the distinct values come (callers read which rows share a
            # code, never the codes' order), looked up by hash (a sorted search per cell took 3 times as long).
            u = s.drop_nulls().unique()
            number = s.replace_strict(u, pl.int_range(1, u.len() + 1, dtype=pl.Int64), default=0,
                                      return_dtype=pl.Int64)
            exprs.append(pl.when(s.is_null()).then(0).otherwise(number).alias(c))
            radix.append(None)
    return exprs, radix


def _physical(s: pl.Series) -> pl.Series:
    """The values a column's codes are ranked by: text and categoricals by their categorical codes
    (text encoded here, a column at a time, as `row_codes_by_column` does), dates by their day numbers."""
    if s.dtype == pl.String:
        s = s.cast(pl.Categorical)
    if isinstance(s.dtype, (pl.Categorical, pl.Enum)) or s.dtype.is_temporal():
        s = s.to_physical()
    return s


def row_codes_by_column(df: pl.DataFrame, cols: list[str]) -> pl.Series:
    """`row_codes` a column at a time, renumbering the key densely whenever the next digit would overflow."""
    key = pl.zeros(df.height, dtype=pl.Int64, eager=True)
    span = 1
    for c in cols:
        s = df[c]
        if s.null_count() == s.len():
            continue
        if s.dtype == pl.Boolean:
            code = s.cast(pl.Int64).fill_null(2)
            radix = 3
        else:
            if s.dtype == pl.String:
                s = s.cast(pl.Categorical)
            if isinstance(s.dtype, (pl.Categorical, pl.Enum)) or s.dtype.is_temporal():
                s = s.to_physical()
            # Dense codes from the sorted distinct values (few per column): a binary search per cell.
            u = s.drop_nulls().unique().sort()
            code = (u.search_sorted(s).cast(pl.Int64) + 1).set(s.is_null(), 0)
            radix = u.len() + 1
        if radix == 1:
            continue
        if span * radix >= 1 << 62:
            key = key.rank("dense").cast(pl.Int64)
            span = int(key.max()) + 1
        key = key * radix + code
        span *= radix
    return key


def dense_index(key: pl.Series) -> tuple[pl.Series, pl.Series]:
    """(positions of the first row of each distinct key, in row order; each row's index among them)."""
    first = key.is_first_distinct()
    pos = pl.int_range(0, key.len(), dtype=pl.Int64, eager=True).filter(first)
    keys = key.filter(first)
    return pos, position_in(key, keys).alias("")


LOOKUP_ROWS = 500_000  # values looked up at a time (10^7 at once held 200 MB beside a 40 MB answer)


def position_in(values: pl.Series, keys: pl.Series) -> pl.Series:
    """Each value's position among `keys` (distinct; every value is one of them, or Polars raises).

    Looked up by hash: a binary search per value among the sorted keys took 1.5 to 5 times as long
    (10^6 to 10^7 values, 30 to 500,000 keys). A long column is looked up a slice at a time into
    its answer, so the look-up's working memory is a slice's."""
    number = pl.int_range(0, keys.len(), dtype=pl.UInt32, eager=True)
    n = values.len()
    if n <= LOOKUP_ROWS:
        return values.replace_strict(keys, number, return_dtype=pl.UInt32)
    out = pl.zeros(n, dtype=pl.UInt32, eager=True).alias(values.name)
    for o in range(0, n, LOOKUP_ROWS):
        part = values.slice(o, LOOKUP_ROWS).replace_strict(keys, number, return_dtype=pl.UInt32)
        out.scatter(pl.int_range(o, o + part.len(), dtype=pl.UInt32, eager=True), part)
    return out


class ItemTable:
    """The distinct items seen so far (a frame of ITEM_COLS, row i = item id i), grown batch by batch."""

    def __init__(self) -> None:
        self.items: pl.DataFrame | None = None

    def compact(self, df: pl.DataFrame) -> pl.DataFrame:
        """`df` (typed lines) with its item columns replaced by `iid`, the id of its item in the table."""
        present = [c for c in ITEM_COLS if c in df.columns]
        pos, idx = dense_index(row_codes(df, present))
        local = df.select(pl.col(c) if c in df.columns else pl.lit(None).alias(c) for c in ITEM_COLS)[pos]
        local = _uniform(local)
        if self.items is None or self.items.height == 0:
            gid = pl.int_range(0, local.height, dtype=pl.UInt32, eager=True)
            self.items = local
        else:
            known = self.items.with_row_index("__g")
            m = local.with_row_index("__l").join(known, on=ITEM_COLS, how="left", nulls_equal=True,
                                                 maintain_order="left").sort("__l")
            new = m["__g"].is_null()
            n_new = int(new.sum())
            start = self.items.height
            fresh = pl.int_range(start, start + n_new, dtype=pl.UInt32, eager=True)
            gid = m["__g"].cast(pl.UInt32).scatter(new.arg_true(), fresh) if n_new else m["__g"].cast(pl.UInt32)
            if n_new:
                self.items = pl.concat([self.items, local.filter(new)])
        out = df.drop([c for c in DROPPED if c in df.columns])
        return out.with_columns(gid.gather(idx).alias("iid"))

    def table(self) -> pl.DataFrame:
        if self.items is None:
            return _uniform(pl.DataFrame({c: [] for c in ITEM_COLS}))
        return self.items


def _uniform(items: pl.DataFrame) -> pl.DataFrame:
    """Item columns in the typed book's dtypes (an all-null column keeps its layout type)."""
    from aidf.replay.book import _out_dtype

    kinds = {c.name: c.kind for c in COLUMNS}
    return items.select(pl.col(c).cast(_out_dtype(c, kinds[c])) for c in ITEM_COLS)


def compact(book: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A whole typed book in compact form: (lines with `iid`, item table)."""
    t = ItemTable()
    lines = t.compact(book)
    return lines, t.table()


def expand(lines: pl.DataFrame, items: pl.DataFrame, cols: list[str] | None = None) -> pl.DataFrame:
    """`lines` (with `iid`) with the item columns `cols` (default all) taken from the table by id."""
    cols = ITEM_COLS if cols is None else cols
    return lines.with_columns(items[c].gather(lines["iid"]) for c in cols)
