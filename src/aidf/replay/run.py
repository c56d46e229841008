"""Replay as a whole: load a book, decide it columnar, write the answers, book them, summarize."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from aidf import meters
from aidf.replay import book as bookmod
from aidf.replay.codes import ItemTable
from aidf.replay.columnar import ReplayResult, coded_columns, decode, decode_exprs, replay_owned
from aidf.replay.io import file_format, write_batches, write_parquet_parts

# Columns written to --out (the rest of the result frame serves booking and summaries).
OUT_COLUMNS = ["line", "transaction_id", "item", "date", "destination", "destination_tier", "catalog", "quantity",
               "eccn", "tpp", "tpp_total", "outcome", "authorization", "review_policy", "license_required",
               "effect_kind", "effect_account", "effect_tpp", "tally_account", "tally_tpp",
               "tx_outcome", "tx_authorization", "tx_review_policy", "rule_set"]
PER_LINE = ["line", "transaction_id"]  # a value (nearly) per line: written without a dictionary
STAGES = ["read", "check", "order", "shapes", "LPP", "VEU", "allocation", "answers", "write"]
WRITE_ROWS = 125_000  # lines decoded and written at a time (a Parquet row group; at 250,000 the writer held ~100 MB more)


@dataclass
class Run:
    result: ReplayResult
    seconds: float
    ignored_columns: list[str]

    @property
    def lines(self) -> int:
        return self.result.coded.height


def run(orders: str | Path, out: str | Path | None = None, rules: str | None = None, ledger=None,
        strict: bool = False, progress: Callable[[str], None] | None = None, write_rows: int = WRITE_ROWS) -> Run:
    say = progress or (lambda _s: None)
    t0 = time.perf_counter()
    say("read")
    from aidf.replay.io import iter_book

    batches, ignored = iter_book(orders, bookmod.BATCH_ROWS)
    say("check")
    items = ItemTable()
    df, errors = bookmod.parse_batches(batches, strict=strict, items=items)
    del batches
    if errors:
        raise bookmod.BookErrors(errors)
    holder = [df]
    del df
    result = replay_owned(holder, ledger=ledger, rules=rules, progress=say,
                          items=bookmod.normalize(items.table()))
    say("write")
    if out is not None:
        write_answers(result, out, write_rows)
    return Run(result, time.perf_counter() - t0, ignored)


def write_answers(result: ReplayResult, out: str | Path, batch_rows: int = WRITE_ROWS,
                  columns: list[str] | None = None) -> None:
    """The --out table (OUT_COLUMNS, or `columns`), decoded from the coded answers `batch_rows` lines at a time."""
    cols = OUT_COLUMNS if columns is None else columns
    tables = result.tables
    coded = result.coded.select(coded_columns(cols, tables))
    if file_format(out, "out") == "parquet":
        # Categoricals go to the file as dictionaries: no text per line is built (at 10^7 lines the
        # texts of one 250,000-line slice, warnings included, held several hundred MB in the writer).
        exprs = decode_exprs(coded.schema, cols, text=False, tables=tables)
        write_parquet_parts((coded.slice(o, batch_rows).select(exprs) for o in range(0, max(coded.height, 1), batch_rows)),
                            out, plain=PER_LINE)
        return
    write_batches(coded, out, lambda part: decode(part, columns=cols, tables=tables), batch_rows,
                  lazy=coded.lazy().select(decode_exprs(coded.schema, cols, tables=tables)))


def summary(result: ReplayResult) -> dict[str, Any]:
    """Counts by outcome and authorization, allocation used per country, lines needing review."""
    lines = result.coded
    text = pl.String
    by_outcome = dict(lines.group_by("outcome").len().with_columns(pl.col("outcome").cast(text))
                      .sort("outcome").iter_rows())
    auth = lines.select("authorization").filter(pl.col("authorization").is_not_null())
    by_auth = dict(auth.group_by("authorization").len()
                   .with_columns(pl.col("authorization").cast(text)).sort("authorization").iter_rows())
    # Each count reads its own columns (a filter of the whole table would copy every column of its rows).
    alloc = (lines.select("effect_kind", "effect_account", "amount_milli")
             .filter(pl.col("effect_kind") == "country_allocation")  # the effect's amount is the line's
             .group_by("effect_account").agg(pl.col("amount_milli").sum())
             .with_columns(pl.col("effect_account").cast(text)).sort("effect_account"))
    allocation = {}
    for acct, milli in alloc.iter_rows():
        start = result.init.get(acct, 0)
        allocation[acct.split("country=")[1].split(":")[0]] = {"drawn_tpp": milli / 1000,
                                                               "used_tpp": (start + milli) / 1000}
    past = int(lines["_past_allocation"].sum())
    review = lines.select("line", "outcome").filter(pl.col("outcome") == "NEEDS_REVIEW")
    # Each order has one line numbered 0 within it (`item`): counting those counts the transactions
    # without hashing every line's id (at 10^7 lines that held about 300 MB beside the answers).
    transactions = int((lines["item"] == 0).sum())
    return {"lines": lines.height, "transactions": transactions, "shapes": result.shapes,
            "by_outcome": by_outcome, "by_authorization": by_auth, "allocation": allocation,
            "licensed_past_allocation_lines": past,
            "needs_review_lines": review.height, "needs_review_first": review["line"].head(20).to_list()}


def book_result(result: ReplayResult, orders_book: pl.DataFrame, ledger, progress=None) -> int:
    """Book every transaction's draws in replay order; returns the number of transactions booked.

    Uses the store's `book_many` (one database transaction) when it has one, else one `book` per
    transaction (each all-or-none, idempotent by transaction id).
    """
    from aidf.meters import Draw
    from aidf.model import Decision
    from aidf.replay.assemble import in_replay_order, transaction_dicts
    from aidf.rules.ruleset import resolve

    full = result.lines
    txs = {t["id"]: t for t in transaction_dicts(in_replay_order(orders_book))}
    from aidf.engine import parse_transaction

    bookings = []
    for (tid,), rows in full.group_by(["transaction_id"], maintain_order=True):
        tx = parse_transaction(txs[tid])
        hq = tx.parties.ultimate_consignee.hq  # a UVEU draw carries it: the store checks every share limit
        draws: list[Draw] = []
        effects: dict[str, dict] = {}
        items = []
        for r in rows.iter_rows(named=True):
            items.append({"line": r["item"], "description": r["catalog"] or "", "eccn": r["eccn"], "tpp": r["tpp"],
                          "tpp_total": r["tpp_total"], "outcome": r["outcome"], "authorization": r["authorization"],
                          "review_policy": r["review_policy"], "license_required": r["license_required"]})
            for kind, milli, limit, role in ((r["effect_kind"], r["effect_milli"], _limit(r, ledger, tx.rules), "draw"),
                                             ("uveu_share" if r["tally_account"] else None, r["amount_milli"], None,
                                              "tally")):
                if kind is None:
                    continue
                ref = _ref(kind, r)
                draws.append(Draw(ref, milli, limit, kind=role, hq=hq if (kind, role) == (meters.UVEU_SHARE, "draw")
                                  else None))
                e = effects.setdefault(ref.id, {"account": ref.model_dump(exclude_none=True), "tpp": 0.0})
                e["tpp"] += milli / 1000
            if r["aia_tally"] and r["authorization"] == "AIA":
                draws.append(Draw(meters.aia_account(r["consignee_key"]), r["amount_milli"], None))
        draws = _floors(tx, draws) + draws
        ref, warnings = resolve(tx.rules, tx.date).ref(tx.date)
        first = rows.row(0, named=True)
        decision = Decision(transaction_id=tid, date=tx.date, rules=ref, destination_tier=first["destination_tier"],
                            outcome=first["tx_outcome"], authorization=first["tx_authorization"],
                            review_policy=first["tx_review_policy"], items=items, ledger_effects=list(effects.values()),
                            warnings=[*warnings, "decided by replay (columnar); trace and duties not kept"],
                            request_hash=tx.content_hash())
        bookings.append((tid, tx.content_hash(), decision.model_dump(mode="json"), draws, tx.date))
    many = getattr(ledger, "book_many", None)
    if many is not None:
        many(bookings)
    else:
        for i, b in enumerate(bookings):
            ledger.book(*b)
            if progress and i % 1000 == 0:
                progress(i, len(bookings))
    return len(bookings)


def _floors(tx, draws) -> list:
    """A declared installed base goes to the store as floors, as the engine sends it (rules/veu.floors)."""
    from aidf.rules.veu import declared_base, floors

    veu = tx.parties.ultimate_consignee.veu
    declared = declared_base(veu.installed_base_tpp) if veu is not None and veu.installed_base_tpp else None
    kinds = {d.account.kind for d in draws if d.kind == "draw"}
    if not declared:
        return []
    if veu.type == "UVEU" and "uveu_share" in kinds:
        return floors("uveu_share", veu.id, declared)
    if veu.type == "NVEU" and "nveu_cap" in kinds:
        return floors("nveu_cap", veu.id, declared, {d.account.country for d in draws if d.account.kind == "nveu_cap"})
    return []


def _ref(kind: str, r: dict[str, Any]):
    if kind == meters.LPP_ANNUAL:
        return meters.lpp_account(r["consignee_key"], r["_year"])
    if kind == meters.NVEU_CAP:
        return meters.nveu_account(r["_veu"], r["_dest"])
    if kind == meters.UVEU_SHARE:
        return meters.uveu_account(r["_veu"], r["_dest"])
    return meters.allocation_account(r["_dest"], r["_window"])


def _limit(r: dict[str, Any], ledger, rules: str | None = None) -> int | None:
    """The limit the engine would book a line's draw under (None: unlimited or a declared base)."""
    kind = r["effect_kind"]
    if kind == "lpp_annual":
        return r["_lpp_limit"]
    if kind == "country_allocation":
        arranged = r["_alloc_published"] or ledger.arrangement(r["_dest"], r["date"]) is not None
        return r["_alloc_limit_arranged"] if arranged else r["_alloc_limit"]
    if kind == "nveu_cap" and not r["_declared"]:
        from aidf.rules.ruleset import resolve
        from aidf.rules.veu import nveu_caps, quarter

        d = r["date"]
        return nveu_caps(resolve(rules, d).ruleset.params(d))[quarter(d)]
    return None
