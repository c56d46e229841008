"""Replay both ways and compare: columnar replay vs decide_many on a throwaway ledger."""

from __future__ import annotations

from collections import defaultdict

import polars as pl

from aidf.engine import decide_many
from aidf.ledger.memory import MemoryLedger
from aidf.replay.assemble import in_replay_order, transaction_dicts
from aidf.replay.book import normalize, parse_book
from aidf.replay.columnar import replay


def typed(df: pl.DataFrame) -> pl.DataFrame:
    """A generated (typed) book as if read from a file: checked, with line numbers."""
    raw = df.with_columns(pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("line"))
    out, errors = parse_book(raw)
    assert not errors, errors[:5]
    return normalize(out)


def single_path(book: pl.DataFrame):
    txs = transaction_dicts(in_replay_order(book))
    return decide_many(txs, ledger=MemoryLedger())


def differences(book: pl.DataFrame, limit: int = 20) -> list[str]:
    """Every disagreement between the two paths, line by line and transaction by transaction."""
    res = replay(book).lines
    decisions = single_path(book)
    out: list[str] = []
    by_tx: dict[str, list[dict]] = defaultdict(list)
    for r in res.iter_rows(named=True):
        by_tx[r["transaction_id"]].append(r)
    assert len(by_tx) == len(decisions)
    for d in decisions:
        rows = by_tx[d.transaction_id]
        assert len(rows) == len(d.items), d.transaction_id
        for it, r in zip(d.items, rows, strict=True):
            for k in ("outcome", "authorization", "review_policy", "license_required", "eccn"):
                want = getattr(it, k)
                want = want.value if hasattr(want, "value") else want
                if r[k] != want:
                    out.append(f"{d.transaction_id} line {r['line']} item {it.line}: {k} {r[k]!r} != single {want!r}")
            if it.tpp is not None and r["tpp"] != it.tpp:
                out.append(f"{d.transaction_id} line {r['line']}: tpp {r['tpp']!r} != {it.tpp!r}")
            if it.tpp_total is not None and r["tpp_total"] != it.tpp_total:
                out.append(f"{d.transaction_id} line {r['line']}: tpp_total {r['tpp_total']!r} != {it.tpp_total!r}")
        tx = rows[0]
        for k in ("outcome", "authorization", "review_policy"):
            want = getattr(d, k)
            want = want.value if hasattr(want, "value") else want
            if tx[f"tx_{k}"] != want:
                out.append(f"{d.transaction_id}: tx {k} {tx[f'tx_{k}']!r} != single {want!r}")
        mine: dict[str, float] = defaultdict(float)
        for r in rows:
            if r["effect_account"] is not None:
                mine[r["effect_account"]] += r["effect_tpp"]
            if r["tally_account"] is not None:
                mine[r["tally_account"]] += r["tally_tpp"]
        theirs = {e.account.id: e.tpp for e in d.ledger_effects}
        if dict(mine) != theirs:
            out.append(f"{d.transaction_id}: effects {dict(mine)} != single {theirs}")
        if len(out) >= limit:
            break
    return out


def book_rows(tx: dict) -> list[dict]:
    """Book lines (text cells) for one contract transaction."""
    out = []
    parties = tx["parties"]
    for item in tx["items"]:
        r: dict = {"order_id": tx["id"], "date": str(tx["date"]), "action": tx["action"],
                   "destination": tx["destination"], "end_use": tx.get("end_use"), "rules": tx.get("rules"),
                   "direct_to_consignee": tx.get("direct_to_consignee")}
        for role, prefix in (("ultimate_consignee", "consignee"), ("end_user", "end_user")):
            p = parties.get(role)
            if not p:
                continue
            for k in ("name", "id", "country", "headquarters", "ultimate_parent_headquarters", "private_sector"):
                r[f"{prefix}_{k}"] = p.get(k)
            if p.get("veu"):
                r["veu_type"], r["veu_id"] = p["veu"]["type"], p["veu"]["id"]
                if p["veu"].get("installed_base_tpp"):
                    r["veu_installed_base"] = ";".join(f"{c}={v}" for c, v in p["veu"]["installed_base_tpp"].items())
        for k, v in item.items():
            if k == "peak_dense":
                r.update({f"peak_{p}": x for p, x in v.items()})
            elif k == "model_weights":
                for wk, wv in v.items():
                    r["weights_storage_meets_supp10" if wk == "storage_meets_supp10_14_15_18" else f"weights_{wk}"] = wv
            else:
                r[k] = v
        out.append({k: (None if v is None else str(v)) for k, v in r.items()})
    return out


def book_of(rows: list[dict]) -> pl.DataFrame:
    """A checked book from text rows (as if read from a CSV file)."""
    cols = sorted({k for r in rows for k in r})
    raw = pl.DataFrame([{c: r.get(c) for c in cols} for r in rows], schema={c: pl.String for c in cols})
    return typed(raw)
