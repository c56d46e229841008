"""Typing and checking an order book, column by column: every bad cell is reported with its line.

`parse_book(raw)` turns the raw table (text cells, see io.py) into typed layout columns and a list
of `LineError(line, field, reason)`. The checks mirror the contract model (aidf.model) so that a
book that passes here builds valid Transactions; whatever slips through is caught when the
distinct item and party shapes are built as model objects, and reported on their lines too.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

import polars as pl

from aidf.catalog import load_catalog
from aidf.model import ISO2, ISO_REGIONS
from aidf.replay.layout import BY_NAME, COLUMNS, NAMES, ORDER_LEVEL, PEAK_COLUMNS, REQUIRED, WEIGHT_COLUMNS
from aidf.replay.readings import Readings

LINE_DTYPE = pl.UInt32  # a book's line numbers and positions (4 billion lines would not fit in memory)
TRUE = ("true", "t", "yes", "y", "1")
FALSE = ("false", "f", "no", "n", "0")
DTYPES = {"text": pl.String, "country": pl.String, "region": pl.String, "enum": pl.String, "date": pl.Date, "bool": pl.Boolean,
          "number": pl.Float64, "int": pl.Int64}


@dataclass(frozen=True, order=True)
class LineError:
    line: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.reason}"


class BookErrors(Exception):
    """The order book has bad lines; nothing in it was decided."""

    def __init__(self, errors: list[LineError], total: int | None = None):
        self.errors = errors
        self.total = len(errors) if total is None else total
        super().__init__(f"{self.total} bad line(s); first: {errors[0] if errors else '-'}")


def _text(col: str) -> pl.Expr:
    e = pl.col(col).cast(pl.String).str.strip_chars()
    return pl.when(e == "").then(None).otherwise(e)


def _typed(name: str, kind: str, schema: dict) -> tuple[pl.Expr, pl.Expr | None, str]:
    """(typed expression, expression true where a given cell is unreadable, reason)."""
    if name not in schema:
        return pl.lit(None, dtype=DTYPES[kind]).alias(name), None, ""
    if kind == "date" and schema[name] in (pl.Date, pl.Datetime):
        return pl.col(name).cast(pl.Date).alias(name), None, ""
    dtype = schema[name]
    # Typed sources (Parquet, JSON): the same values and checks as reading their text, without the text.
    if kind == "bool" and dtype == pl.Boolean:
        return pl.col(name).alias(name), None, ""
    if kind in ("number", "int") and (dtype.is_integer() or dtype.is_float()):
        f = pl.col(name).cast(pl.Float64)
        if kind == "number":
            return f.alias(name), f.is_not_null() & ~f.is_finite(), "not a number"
        ok = f.is_finite() & (f == f.round(0)) & (f.abs() < 2.0**53)
        return pl.when(ok).then(f).otherwise(None).cast(pl.Int64).alias(name), f.is_not_null() & ~ok, \
            "not a whole number"
    raw = _text(name)
    c = BY_NAME[name]
    if kind == "text":
        return raw.alias(name), None, ""
    if kind == "country":
        up = raw.str.to_uppercase()
        return up.alias(name), up.is_not_null() & ~up.is_in(sorted(ISO2)), \
            "unknown ISO 3166-1 alpha-2 country code"
    if kind == "region":
        up = raw.str.to_uppercase()
        return up.alias(name), up.is_not_null() & ~up.is_in(sorted(ISO_REGIONS)), \
            "unknown ISO 3166-2 region code (e.g. UA-43)"
    if kind == "enum":
        norm = raw.str.to_uppercase() if name in ("veu_type", "listed_eccn") else raw.str.to_lowercase()
        return norm.alias(name), norm.is_not_null() & ~norm.is_in(list(c.choices)), \
            f"must be one of {', '.join(c.choices)}"
    if kind == "date":
        d = raw.str.slice(0, 10).str.strptime(pl.Date, "%Y-%m-%d", strict=False)
        bad = raw.is_not_null() & (d.is_null() | ((raw.str.len_chars() > 10)
                                                  & ~raw.str.contains(r"^\d{4}-\d\d-\d\d[T ]00:00(:00(\.0+)?)?$")))
        return d.alias(name), bad, "not an ISO date (YYYY-MM-DD)"
    if kind == "bool":
        low = raw.str.to_lowercase()
        b = pl.when(low.is_in(list(TRUE))).then(True).when(low.is_in(list(FALSE))).then(False).otherwise(None)
        return b.alias(name), raw.is_not_null() & b.is_null(), "not a yes/no value (true/false)"
    f = raw.cast(pl.Float64, strict=False)
    finite = f.is_finite()
    if kind == "number":
        return f.alias(name), raw.is_not_null() & (f.is_null() | ~finite), "not a number"
    # int
    ok = f.is_not_null() & finite & (f == f.round(0)) & (f.abs() < 2.0**53)
    return pl.when(ok).then(f).otherwise(None).cast(pl.Int64).alias(name), raw.is_not_null() & ~ok, \
        "not a whole number"


@lru_cache(maxsize=1)
def _catalog_ids() -> list[str]:
    return sorted(load_catalog())


def parse_installed_base(text: str) -> dict[str, float]:
    """'US=2e9;DE=1e8' (or a JSON object) -> {country: TPP}; ValueError with the reason."""
    text = text.strip()
    if text.startswith("{"):
        obj = json.loads(text)
        pairs = list(obj.items())
    else:
        pairs = []
        for part in text.replace(",", ";").split(";"):
            if not part.strip():
                continue
            if "=" not in part and ":" not in part:
                raise ValueError(f"{part.strip()!r} is not CC=TPP")
            k, v = part.replace(":", "=", 1).split("=", 1)
            pairs.append((k, v))
    out: dict[str, float] = {}
    for k, v in pairs:
        code = str(k).strip().upper()
        if code not in ISO2:
            raise ValueError(f"unknown country code {k!r}")
        try:
            tpp = float(v)
        except (TypeError, ValueError):
            raise ValueError(f"{code}: {v!r} is not a number") from None
        if not tpp >= 0:
            raise ValueError(f"{code}: must be >= 0")
        out[code] = tpp
    return out


BATCH_ROWS = 100_000  # lines read and typed at a time: the reader holds a few batches ahead
# Typed layout columns kept per line: text, country and enum cells as categoricals (a code per line,
# each distinct string stored once), order ids as text; dates, flags and numbers in their own types.
CATEGORICAL_KINDS = ("text", "country", "region", "enum")


def _out_dtype(name: str, kind: str):
    if kind in CATEGORICAL_KINDS and name != "order_id":
        return pl.Categorical
    return DTYPES[kind]


def _slices(raw: pl.DataFrame, batch_rows: int) -> Iterator[pl.DataFrame]:
    if raw.height == 0:
        yield raw
        return
    for off in range(0, raw.height, batch_rows):
        yield raw.slice(off, batch_rows)


def parse_book(raw: pl.DataFrame, strict: bool = False,
               batch_rows: int = BATCH_ROWS) -> tuple[pl.DataFrame, list[LineError]]:
    """Typed layout columns + `line` + `row` (0-based file order), and the errors found (sorted by line)."""
    return parse_batches(_slices(raw, max(1, batch_rows)), strict=strict)


def parse_batches(batches: Iterable[pl.DataFrame], strict: bool = False,
                  items=None) -> tuple[pl.DataFrame, list[LineError]]:
    """`parse_book` over a book given as consecutive row batches (raw cells + `line`, same columns each).

    Each batch is typed and checked on its own and its raw cells are dropped before the next is read:
    a text column's distinct values are typed and checked once per book (readings.Readings), then
    mapped back onto the lines.
    Line rules are checked per batch; the order rule (lines of one order agree) on the typed book.
    With `items` (a codes.ItemTable), each checked batch keeps only an item id (`iid`) per line in
    place of its item columns, and the distinct items go to the table (compact form, for replay).
    """
    parts: list[pl.DataFrame] = []
    cell_errors: list[LineError] = []
    row_errors: list[LineError] = []
    present: set[str] | None = None
    offset = 0
    readings = Readings()
    limits = _rule_ids(), _date_floor()  # looked up once per book, not per batch
    for raw in batches:
        if present is None:
            present = set(raw.columns)
            cell_errors.extend(LineError(1, m, "required column is missing") for m in REQUIRED if m not in present)
        typed, errs = _type_batch(raw, offset, readings)
        offset += raw.height
        cell_errors.extend(errs)
        if not (strict and cell_errors):
            row_errors.extend(_row_rules(typed, present, *limits))
        if items is not None:
            typed = items.compact(typed)
        parts.append(typed)
        del raw, typed
    df = one_chunk(parts)
    if strict and cell_errors:
        return df, sorted(cell_errors)[:1]
    errors = cell_errors + row_errors
    errors.extend(_order_rules(df))
    errors.sort()
    if strict:
        errors = errors[:1]
    return df, errors


def one_chunk(parts: list[pl.DataFrame]) -> pl.DataFrame:
    """The batches as one frame of single-chunk columns, copied a few columns at a time (`parts` is emptied).

    Columns chunked unlike each other make Polars copy the whole frame at its next expression; a few
    columns at a time here cost those columns beside the book, not a second book."""
    df = pl.concat(parts, rechunk=False) if len(parts) > 1 else parts[0]
    parts.clear()
    return in_groups(df, pl.DataFrame.rechunk) if df.width else df


COLUMN_GROUP = 4  # columns copied at once: Polars copies a group's columns side by side (2 cores: about x1.8)


def in_groups(df: pl.DataFrame, make: Callable[[pl.DataFrame], pl.DataFrame]) -> pl.DataFrame:
    """`make(df)` (a function of each column alone, such as a gather) made COLUMN_GROUP columns at a time,
    each group taken out of `df` (emptied) once made: a group beside the frame, not a second frame."""
    out: list[pl.Series] = []
    while df.width:
        group = pl.DataFrame([df.drop_in_place(n) for n in df.columns[:COLUMN_GROUP]])
        out += make(group).get_columns()
        del group
    return pl.DataFrame(out)


def _type_batch(raw: pl.DataFrame, offset: int,
                readings: Readings) -> tuple[pl.DataFrame, list[LineError]]:
    """One batch: the typed columns and its unreadable cells.

    Two passes over the batch, each one select of all its columns (Polars runs them side by side):
    the first lists each text column's distinct values, of which `readings` types and checks those
    not seen in earlier batches; the second maps them onto the lines and marks the unreadable ones.
    """
    h = raw.height
    line = raw["line"]
    live = [c for c in COLUMNS if c.name in raw.columns and not (h and raw[c.name].null_count() == h)]
    raw = raw.select("line", *_text_cells(raw, live))
    schema = dict(raw.schema)
    by_distinct = [c for c in live if _typed_by_distinct(c, schema[c.name])]
    # Nulls dropped first: most columns are nearly empty. The order of the distinct values does not matter.
    uniq = raw.select(pl.col(c.name).drop_nulls().unique(maintain_order=True).cast(pl.String).implode()
                      for c in by_distinct)
    plans = {c.name: readings.plan(c.name, c.kind, uniq[c.name][0]) for c in by_distinct}
    exprs: list[pl.Expr] = []
    checks: list[tuple[str, pl.Expr, str]] = []
    for c in live:
        expr, bad, why = plans[c.name] if c.name in plans else _typed_cells(raw, c, schema)
        exprs.append(expr.cast(_out_dtype(c.name, c.kind)).alias(c.name))
        if bad is not None:
            checks.append((c.name, bad.fill_null(False).alias(f"__bad_{c.name}"), why))
    frame = raw.select(*exprs, *(e for _, e, _ in checks))
    errors: list[LineError] = []
    for name, _, why in checks:
        errors.extend(LineError(n, name, why) for n in line.filter(frame[f"__bad_{name}"]).to_list())
    # File line and position as 32-bit counts (decoded answers give the line as Int64): 8 bytes a line
    # less through the whole replay.
    cols = [line.cast(LINE_DTYPE), pl.int_range(offset, offset + h, dtype=LINE_DTYPE, eager=True).alias("row")]
    cols += [frame[c.name] for c in live if not (h and frame[c.name].null_count() == h)]
    # Columns without a value in the batch stay constant (no memory per line).
    have = {s.name for s in cols}
    df = pl.DataFrame(cols).with_columns(pl.lit(None, dtype=_out_dtype(c.name, c.kind)).alias(c.name)
                                         for c in COLUMNS if c.name not in have)
    return df.select("line", "row", *NAMES), errors


def _typed_cells(raw: pl.DataFrame, c, schema: dict) -> tuple[pl.Expr, pl.Expr | None, str]:
    """A column typed cell by cell; text already canonical (order ids, as a rule) is kept as it is."""
    expr, bad, why = _typed(c.name, c.kind, schema)
    if c.kind == "text" and schema[c.name] == pl.String \
            and raw.select(expr.eq_missing(pl.col(c.name)).all()).item():
        return pl.col(c.name), bad, why
    return expr, bad, why


def _typed_by_distinct(c, dtype) -> bool:
    """Text cells are typed through their distinct values; order ids (nearly all distinct) directly."""
    return c.name != "order_id" and (dtype in (pl.String, pl.Categorical))


def _text_cells(raw: pl.DataFrame, live: list) -> list[pl.Expr]:
    """The live columns, text ones as text (or categorical when kept so): what their typing reads."""
    out = []
    schema = raw.schema
    for c in live:
        e, dtype = pl.col(c.name), schema[c.name]
        if dtype in (pl.String, pl.Categorical) or c.kind in CATEGORICAL_KINDS:
            if dtype not in (pl.String, pl.Categorical):
                e, dtype = e.cast(pl.String), pl.String
            if _out_dtype(c.name, c.kind) == pl.Categorical and dtype != pl.Categorical:
                e = e.cast(pl.Categorical)
        out.append(e)
    return out


def _collect(frame: pl.DataFrame, specs: list[tuple[str, str, str]]) -> list[LineError]:
    out: list[LineError] = []
    for field, col, why in specs:
        lines = frame.filter(pl.col(col).fill_null(False))["line"].to_list()
        out.extend(LineError(n, field, why) for n in lines)
    return out


def _bad_distinct(df: pl.DataFrame, name: str, reason) -> list[LineError]:
    """Lines whose `name` cell is one of its distinct values that `reason(value)` rejects (a text or None)."""
    vals = df[name].drop_nulls().unique().cast(pl.String).to_list()
    bad = {}
    for v in vals:
        why = reason(v)
        if why is not None:
            bad[v] = why
    if not bad:
        return []
    rows = df.filter(pl.col(name).cast(pl.String).is_in(list(bad))).select("line", pl.col(name).cast(pl.String))
    return [LineError(n, name, bad[v]) for n, v in rows.iter_rows()]


def _installed_base_reason(v: str) -> str | None:
    try:
        parse_installed_base(v)
    except (ValueError, json.JSONDecodeError, AttributeError) as e:
        return str(e)
    return None


def _row_rules(df: pl.DataFrame, present: set[str], rules_ok: list[str], floor: dt.date) -> list[LineError]:
    col = pl.col
    has_chip_fig = col("tpp").is_not_null() | pl.any_horizontal([col(p).is_not_null() for p in PEAK_COLUMNS])
    has_peak = pl.any_horizontal([col(p).is_not_null() for p in PEAK_COLUMNS])
    kinds = (col("catalog").is_not_null().cast(pl.Int8) + has_chip_fig.cast(pl.Int8)
             + col("weights_training_operations").is_not_null().cast(pl.Int8))
    other_weights = pl.any_horizontal([col(c).is_not_null() for c in WEIGHT_COLUMNS
                                       if c != "weights_training_operations"])
    end_user_any = pl.any_horizontal([col(c).is_not_null() for c in df.columns if c.startswith("end_user_")])
    form = col("form").cast(pl.String)
    specs: list[tuple[str, pl.Expr, str]] = []
    for name in REQUIRED:
        specs.append((name, col(name).is_null(), "required"))
    specs += [
        ("item", kinds == 0, "no item: give catalog, tpp (or peak_*), or weights_training_operations"),
        ("item", kinds > 1, "an item is exactly one of: catalog id, chip figures (tpp or peak_*), model weights"),
        ("tpp", col("tpp").is_not_null() & has_peak, "give tpp or peak_* columns, not both"),
        ("tpp", col("tpp") <= 0, "must be > 0"),
        ("die_area_mm2", col("die_area_mm2") <= 0, "must be > 0"),
        *[(p, col(p) <= 0, "must be a number > 0") for p in PEAK_COLUMNS],
        ("quantity", col("quantity") < 1, "must be a whole number >= 1"),
        ("quantity", col("quantity").is_null() & col("weights_training_operations").is_null(),
         "required on every chip or computer line (never assumed to be 1)"),
        ("chips_per_unit", col("chips_per_unit") < 1, "must be a whole number >= 1"),
        ("destination_region", col("destination_region").is_not_null()
         & ~col("destination_region").cast(pl.String).str.starts_with(col("destination").cast(pl.String) + "-"),
         "not a region of the destination"),
        ("listed_eccn", col("weights_training_operations").is_not_null() & col("listed_eccn").is_not_null(),
         "for chip and computer lines, not model weights"),
        ("chips_per_unit", (form == "computer") & col("chips_per_unit").is_null(),
         "required when form is computer"),
        ("form", col("weights_training_operations").is_not_null()
         & ((form.fill_null("ic") != "ic") | col("chips_per_unit").is_not_null()),
         "model weights take no form or chips_per_unit"),
        ("weights_published", col("weights_training_operations").is_not_null() & col("weights_published").is_null(),
         "required with weights_training_operations"),
        ("weights_training_operations", col("weights_training_operations").is_null() & other_weights,
         "required when other weights_* columns are given"),
        ("weights_training_operations", col("weights_training_operations") < 0, "must be >= 0"),
        ("weights_extra_training_operations", col("weights_extra_training_operations") < 0, "must be >= 0"),
        ("veu_id", col("veu_type").is_not_null() & col("veu_id").is_null(), "required with veu_type"),
        ("veu_type", col("veu_type").is_null() & (col("veu_id").is_not_null()
                                                  | col("veu_installed_base").is_not_null()),
         "required with veu_id or veu_installed_base"),
        ("end_user_name", end_user_any & col("end_user_name").is_null(), "required when an end user is given"),
        ("end_user_country", end_user_any & col("end_user_country").is_null(),
         "required when an end user is given"),
        ("date", col("date") < floor, f"before {floor}, when the 3A090 test these rule sets apply began"),
    ]
    # One pass asks which rules some line breaks; only those rules list their lines.
    hit = df.select(e.any().alias(f"__r{i}") for i, (_, e, _) in enumerate(specs)).row(0)
    broken = [(i, f, e, why) for i, (f, e, why) in enumerate(specs) if hit[i]]
    frame = df.select(pl.col("line"), *[e.alias(f"__r{i}") for i, _, e, _ in broken])
    out = _collect(frame, [(f, f"__r{i}", why) for i, f, _, why in broken])
    del frame
    # Columns read by value: distinct values, checked once each.
    catalog = set(_catalog_ids())
    out.extend(_bad_distinct(df, "catalog", lambda v: None if v.lower() in catalog
                             else "unknown catalog id (see `aidf catalog`)"))
    rules_set = set(rules_ok)
    out.extend(_bad_distinct(df, "rules", lambda v: None if v in rules_set
                             else f"unknown rule set; allowed: {', '.join(rules_ok)}"))
    if "veu_installed_base" in present:
        out.extend(_bad_distinct(df, "veu_installed_base", _installed_base_reason))
    return out


def _order_rules(df: pl.DataFrame) -> list[LineError]:
    """Every line of one order carries the same transaction and party facts as the order's first line.

    Each line is compared with its order's first line (a gather by row number, no join); `df` holds the
    book in file order with `row` numbering its lines from 0. When orders are runs of lines, a column
    whose every line agrees with the line before it in its run agrees with the run's first line: only
    the other columns are gathered.
    """
    if df.height == 0:
        return []
    start = _runs(df["order_id"])
    first = _first_rows(df, start)
    rows = df["row"]
    if (first == rows).all():
        return []
    cols = ORDER_LEVEL
    if start is not None:
        moved = df.with_columns(start.alias("__start")).select(
            (~pl.col("__start") & ~pl.col(c).eq_missing(pl.col(c).shift(1))).any().alias(c) for c in cols).row(0)
        cols = [c for c, m in zip(cols, moved, strict=True) if m]
    pos = first - rows[0]
    has_id = df["order_id"].is_not_null()
    line = df["line"]
    out: list[LineError] = []
    why = "differs from the first line of the same order_id (transaction and party columns must agree)"
    for c in cols:
        s = df[c]
        bad = has_id & ~s.eq_missing(s.gather(pos))
        if bad.any():
            out.extend(LineError(n, c, why) for n in line.filter(bad).to_list())
    return out


def first_rows(df: pl.DataFrame) -> pl.Series:
    """Each line's order's first `row` (the least), for a book in file order.

    When every order's lines are one run of consecutive lines (the usual book), the run starts are
    read off neighbouring order ids: no grouping, whose group lists would cost more than the book's
    order ids. Otherwise the lines are grouped by order id.
    """
    return _first_rows(df, _runs(df["order_id"]))


def _runs(oid: pl.Series) -> pl.Series | None:
    """Where each run of equal order ids starts, when every order is one run (else None)."""
    n = oid.len()
    if n <= 1:
        return None
    start = pl.concat([pl.Series([True]), oid.slice(1, n - 1).ne_missing(oid.slice(0, n - 1))])
    # Runs are orders when the run starts' ids are all distinct; ids in order (one pass) always are.
    if oid.is_sorted() or start.sum() == oid.filter(start).n_unique():
        return start
    return None


def _first_rows(df: pl.DataFrame, start: pl.Series | None) -> pl.Series:
    if start is not None:
        return pl.select(pl.when(start).then(df["row"]).otherwise(None).forward_fill().alias("f")).to_series()
    return df.select(pl.col("row").min().over("order_id").alias("f"))["f"]


def _rule_ids() -> list[str]:
    from aidf.rules.ruleset import RULE_IDS

    return list(RULE_IDS)


def _date_floor() -> dt.date:
    from aidf.rules.parameters import parameters

    return parameters(dt.date(2100, 1, 1)).get("dates", "oct2023_rule_effective")


def normalize(df: pl.DataFrame) -> pl.DataFrame:
    """Canonical cell values the engine reads identically: catalog ids in lower case."""
    cat = df["catalog"]
    vals = cat.drop_nulls().unique().cast(pl.String)
    low = vals.str.to_lowercase()
    if (vals == low).all():
        return df
    return df.with_columns(cat.cast(pl.String).replace_strict(vals, low, default=None)
                           .cast(cat.dtype).alias("catalog"))


def read_lines(path, lines: pl.Series) -> pl.DataFrame:
    """The typed rows of the given line numbers of a book (already checked by a replay of it)."""
    from aidf.replay.io import read_rows

    df, _ = parse_book(read_rows(path, lines))
    return normalize(df)


def load(path, strict: bool = False) -> tuple[pl.DataFrame, list[str]]:
    """Read, type and check a book; raise BookErrors listing the bad lines (the first only if strict)."""
    from aidf.replay.io import read_book

    raw, ignored = read_book(path)
    df, errors = parse_book(raw, strict=strict)
    if errors:
        raise BookErrors(errors)
    return normalize(df), ignored
