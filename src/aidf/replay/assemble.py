"""From a typed order book to contract objects: replay order, and Transactions for the single path.

Replay order: by date; within a date, by the file position of each order's first line; the lines
of one order in file order. `decide_many` on `transactions(book)` is the single-decision path the
columnar replay must agree with.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from aidf.model import Transaction
from aidf.replay.book import first_rows, parse_installed_base
from aidf.replay.layout import PEAK_COLUMNS


def in_replay_order(df: pl.DataFrame) -> pl.DataFrame:
    """Sort lines into replay order and number each order's items (`item`, from 0)."""
    perm, _, item = replay_positions(df)
    first = first_rows(df).alias("tx_first_row")
    return df.with_columns(first, item.alias("item"))[perm]


def replay_positions(df: pl.DataFrame) -> tuple[pl.Series, pl.Series, pl.Series]:
    """Replay order without moving the lines: (positions in replay order, `seq` and `item` per line).

    The order is by date, then the file position (`row`) of each order's first line, then `row`; it
    is one sort of a packed integer key when the key fits (else a sort on the three columns). `seq`
    is a line's place in replay order and `item` its number within its order (from 0, in file order).
    """
    n = df.height
    if n == 0:
        empty = pl.Series([], dtype=pl.Int64)
        return empty.cast(pl.UInt32), empty.alias("seq"), empty.alias("item")
    first = first_rows(df)
    span = df.select((pl.col("date").max() - pl.col("date").min()).dt.total_days()).item()
    rmax = int(df["row"].max()) + 1
    if span is not None and df["date"].null_count() == 0 and (span + 1) * rmax * rmax < (1 << 62):
        d = pl.col("date").cast(pl.Int32).cast(pl.Int64) - pl.col("date").min().cast(pl.Int32).cast(pl.Int64)
        perm = df.select(((d * rmax + first) * rmax + pl.col("row")).arg_sort()).to_series()
    else:
        perm = df.select(pl.arg_sort_by(pl.col("date"), pl.lit(first), pl.col("row"))).to_series()
    positions = pl.int_range(0, n, dtype=pl.Int64, eager=True)
    seq = pl.zeros(n, dtype=pl.Int64, eager=True).alias("seq")
    seq.scatter(perm, positions)
    # Item numbers: an order's lines are contiguous in replay order when they share a date (checked
    # books do): the position in its run. Otherwise by rank of `row` within the order. Each working
    # column goes as soon as it is read (a few columns of the book's length at a time, not all).
    orders = first.n_unique()
    f = first.gather(perm)
    del first
    d = df["date"].gather(perm)
    # Each line against the one before it (slices, not shifted copies); the first line starts a run.
    after = ((f.slice(1) != f.slice(0, n - 1)) | (d.slice(1) != d.slice(0, n - 1))).fill_null(True)
    run = pl.concat([pl.Series([True]), after])
    del after
    del f, d
    if run.sum() == orders:
        start = pl.select(pl.when(run).then(positions).otherwise(None).forward_fill()).to_series()
        del run
        within = positions - start
        del start, positions
        item = pl.zeros(n, dtype=pl.Int64, eager=True).alias("item")
        item.scatter(perm, within)
    else:
        item = df.select((pl.col("row").rank("ordinal").over("order_id") - 1).cast(pl.Int64).alias("item"))["item"]
    return perm, seq, item


def _party(r: dict[str, Any], prefix: str) -> dict[str, Any] | None:
    if r.get(f"{prefix}_name") is None:
        return None
    out: dict[str, Any] = {"name": r[f"{prefix}_name"], "country": r[f"{prefix}_country"]}
    for k in ("id", "headquarters", "ultimate_parent_headquarters", "private_sector"):
        v = r.get(f"{prefix}_{k}")
        if v is not None:
            out[k] = v
    if prefix == "consignee" and r.get("veu_type") is not None:
        veu: dict[str, Any] = {"type": r["veu_type"], "id": r["veu_id"]}
        if r.get("veu_installed_base") is not None:
            veu["installed_base_tpp"] = parse_installed_base(r["veu_installed_base"])
        out["veu"] = veu
    return out


def item_dict(r: dict[str, Any]) -> dict[str, Any]:
    """One item of the contract from one book line."""
    it: dict[str, Any] = {} if r.get("quantity") is None else {"quantity": r["quantity"]}
    if r.get("weights_training_operations") is not None:
        w: dict[str, Any] = {"training_operations": r["weights_training_operations"],
                             "published": r.get("weights_published")}
        for col, key in (("weights_base_model_published", "base_model_published"),
                         ("weights_extra_training_operations", "extra_training_operations"),
                         ("weights_storage_meets_supp10", "storage_meets_supp10_14_15_18")):
            if r.get(col) is not None:
                w[key] = r[col]
        it["model_weights"] = w
    else:
        if r.get("catalog") is not None:
            it["catalog"] = r["catalog"]
        peaks = {c.removeprefix("peak_"): r[c] for c in PEAK_COLUMNS if r.get(c) is not None}
        if peaks:
            it["peak_dense"] = peaks
        elif r.get("tpp") is not None:
            it["tpp"] = r["tpp"]
        for k in ("die_area_mm2", "datacenter", "form", "chips_per_unit", "listed_eccn"):
            if r.get(k) is not None:
                it[k] = r[k]
    if r.get("description") is not None:
        it["description"] = r["description"]
    return it


def tx_dict(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """One transaction from the lines of one order (in item order)."""
    r = rows[0]
    parties: dict[str, Any] = {"ultimate_consignee": _party(r, "consignee")}
    end_user = _party(r, "end_user")
    if end_user is not None:
        parties["end_user"] = end_user
    tx: dict[str, Any] = {"id": r["order_id"], "date": r["date"], "action": r["action"],
                          "destination": r["destination"], "items": [item_dict(x) for x in rows],
                          "parties": parties}
    if r.get("destination_region") is not None:
        tx["destination_region"] = r["destination_region"]
    if r.get("end_use") is not None:
        tx["end_use"] = r["end_use"]
    if r.get("direct_to_consignee") is not None:
        tx["direct_to_consignee"] = r["direct_to_consignee"]
    if r.get("rules") is not None:
        tx["rules"] = r["rules"]
    return tx


def transaction_dicts(book: pl.DataFrame) -> list[dict[str, Any]]:
    """Transactions as contract dicts, in replay order (`book` already in replay order or not)."""
    if "item" not in book.columns:
        book = in_replay_order(book)
    out: list[dict[str, Any]] = []
    current: list[dict[str, Any]] = []
    for r in book.iter_rows(named=True):
        if current and r["order_id"] != current[0]["order_id"]:
            out.append(tx_dict(current))
            current = []
        current.append(r)
    if current:
        out.append(tx_dict(current))
    return out


def transactions(book: pl.DataFrame) -> list[Transaction]:
    return [Transaction.model_validate(t) for t in transaction_dicts(book)]
