"""Typing and checking an order book, column by column: every bad cell is reported with its line.

`parse_book(raw)` turns the raw table (text cells, see io.py) into typed layout columns and a list
of `LineError(line, field, reason)`. The checks mirror the contract model (aidf.model) so that a
book that passes here builds valid Transactions; whatever slips through is caught when the
distinct item and party shapes are built as model objects, and reported on their lines too.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import lru_cache

import polars as pl

from aidf.catalog import load_catalog
from aidf.model import ISO2
from aidf.replay.layout import BY_NAME, COLUMNS, ORDER_LEVEL, PEAK_COLUMNS, REQUIRED, WEIGHT_COLUMNS

TRUE = ("true", "t", "yes", "y", "1")
FALSE = ("false", "f", "no", "n", "0")
DTYPES = {"text": pl.String, "country": pl.String, "enum": pl.String, "date": pl.Date, "bool": pl.Boolean,
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
    if kind == "enum":
        norm = raw.str.to_uppercase() if name == "veu_type" else raw.str.to_lowercase()
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


def parse_book(raw: pl.DataFrame, strict: bool = False) -> tuple[pl.DataFrame, list[LineError]]:
    """Typed layout columns + `line` + `row` (0-based file order), and the errors found (sorted by line)."""
    present = set(raw.columns)
    schema = dict(raw.schema)
    typed: list[pl.Expr] = []
    checks: list[tuple[str, pl.Expr, str]] = []
    missing = [n for n in REQUIRED if n not in present]
    for c in COLUMNS:
        expr, bad, why = _typed(c.name, c.kind, schema)
        typed.append(expr)
        if bad is not None:
            checks.append((c.name, bad, why))
    df = raw.select(pl.col("line"), pl.int_range(0, pl.len(), dtype=pl.Int64).alias("row"), *typed)
    # Unreadable cells, on the raw values.
    errors: list[LineError] = []
    if missing:
        errors.extend(LineError(1, m, "required column is missing") for m in missing)
    bad_frame = raw.select(pl.col("line"), *[b.alias(f"__bad_{i}") for i, (_, b, _) in enumerate(checks)])
    errors.extend(_collect(bad_frame, [(f, f"__bad_{i}", why) for i, (f, _, why) in enumerate(checks)]))
    if strict and errors:
        return df, sorted(errors)[:1]
    errors.extend(_row_rules(df, present))
    errors.extend(_order_rules(df))
    errors.sort()
    if strict:
        errors = errors[:1]
    return df, errors


def _collect(frame: pl.DataFrame, specs: list[tuple[str, str, str]]) -> list[LineError]:
    out: list[LineError] = []
    for field, col, why in specs:
        lines = frame.filter(pl.col(col).fill_null(False))["line"].to_list()
        out.extend(LineError(n, field, why) for n in lines)
    return out


def _row_rules(df: pl.DataFrame, present: set[str]) -> list[LineError]:
    col = pl.col
    has_chip_fig = col("tpp").is_not_null() | pl.any_horizontal([col(p).is_not_null() for p in PEAK_COLUMNS])
    has_peak = pl.any_horizontal([col(p).is_not_null() for p in PEAK_COLUMNS])
    kinds = (col("catalog").is_not_null().cast(pl.Int8) + has_chip_fig.cast(pl.Int8)
             + col("weights_training_operations").is_not_null().cast(pl.Int8))
    other_weights = pl.any_horizontal([col(c).is_not_null() for c in WEIGHT_COLUMNS
                                       if c != "weights_training_operations"])
    end_user_any = pl.any_horizontal([col(c).is_not_null() for c in df.columns if c.startswith("end_user_")])
    rules_ok = _rule_ids()
    floor = _date_floor()
    specs: list[tuple[str, pl.Expr, str]] = []
    for name in REQUIRED:
        specs.append((name, col(name).is_null(), "required"))
    specs += [
        ("item", kinds == 0, "no item: give catalog, tpp (or peak_*), or weights_training_operations"),
        ("item", kinds > 1, "an item is exactly one of: catalog id, chip figures (tpp or peak_*), model weights"),
        ("tpp", col("tpp").is_not_null() & has_peak, "give tpp or peak_* columns, not both"),
        ("catalog", col("catalog").is_not_null() & ~col("catalog").str.to_lowercase().is_in(_catalog_ids()),
         "unknown catalog id (see `aidf catalog`)"),
        ("tpp", col("tpp") <= 0, "must be > 0"),
        ("die_area_mm2", col("die_area_mm2") <= 0, "must be > 0"),
        *[(p, col(p) <= 0, "must be a number > 0") for p in PEAK_COLUMNS],
        ("quantity", col("quantity") < 1, "must be a whole number >= 1"),
        ("chips_per_unit", col("chips_per_unit") < 1, "must be a whole number >= 1"),
        ("chips_per_unit", (col("form") == "computer") & col("chips_per_unit").is_null(),
         "required when form is computer"),
        ("form", col("weights_training_operations").is_not_null()
         & ((col("form").fill_null("ic") != "ic") | col("chips_per_unit").is_not_null()),
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
        ("rules", col("rules").is_not_null() & ~col("rules").is_in(rules_ok),
         f"unknown rule set; allowed: {', '.join(rules_ok)}"),
        ("date", col("date") < floor, f"before {floor}, when the 3A090 test these rule sets apply began"),
    ]
    frame = df.select(pl.col("line"), *[e.alias(f"__r{i}") for i, (_, e, _) in enumerate(specs)])
    out = _collect(frame, [(f, f"__r{i}", why) for i, (f, _, why) in enumerate(specs)])
    # Installed base text: few distinct values, checked one by one.
    if "veu_installed_base" in present:
        vals = df.select("veu_installed_base").drop_nulls().unique()["veu_installed_base"].to_list()
        bad = {}
        for v in vals:
            try:
                parse_installed_base(v)
            except (ValueError, json.JSONDecodeError, AttributeError) as e:
                bad[v] = str(e)
        if bad:
            rows = df.filter(col("veu_installed_base").is_in(list(bad))).select("line", "veu_installed_base")
            out.extend(LineError(n, "veu_installed_base", bad[v]) for n, v in rows.iter_rows())
    return out


def _order_rules(df: pl.DataFrame) -> list[LineError]:
    """Every line of one order carries the same transaction and party facts as the order's first line."""
    if df.height == 0:
        return []
    first = df.filter(pl.col("order_id").is_not_null()).group_by("order_id").agg(
        [pl.col(c).sort_by("row").first().alias(f"__first_{c}") for c in ORDER_LEVEL])
    if first.height == df.select(pl.col("order_id").n_unique()).item() and \
            df.height == first.height:
        return []
    joined = df.select("line", "order_id", *ORDER_LEVEL).join(first, on="order_id", how="inner")
    specs = [(c, ~pl.col(c).eq_missing(pl.col(f"__first_{c}")),
              "differs from the first line of the same order_id (transaction and party columns must agree)")
             for c in ORDER_LEVEL]
    frame = joined.select("line", *[e.alias(f"__o{i}") for i, (_, e, _) in enumerate(specs)])
    return _collect(frame, [(f, f"__o{i}", why) for i, (f, _, why) in enumerate(specs)])


def _rule_ids() -> list[str]:
    from aidf.rules.ruleset import RULESETS

    return list(RULESETS)


def _date_floor() -> dt.date:
    from aidf.rules.parameters import parameters

    return parameters(dt.date(2100, 1, 1)).get("dates", "oct2023_rule_effective")


def normalize(df: pl.DataFrame) -> pl.DataFrame:
    """Canonical cell values the engine reads identically: catalog ids in lower case."""
    return df.with_columns(pl.col("catalog").str.to_lowercase())


def load(path, strict: bool = False) -> tuple[pl.DataFrame, list[str]]:
    """Read, type and check a book; raise BookErrors listing the bad lines (the first only if strict)."""
    from aidf.replay.io import read_book

    raw, ignored = read_book(path)
    df, errors = parse_book(raw, strict=strict)
    if errors:
        raise BookErrors(errors)
    return normalize(df), ignored
