"""Screening for replay: each distinct party of an order book is screened once (a book repeats its
consignees on many lines), and the result is summarized beside the replay's own answers.

Replay decides lines by columns and does not call the engine's screening step; this is the function
it calls with the book. It returns nothing when no list is loaded in the ledger.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import polars as pl

from aidf.screening.check import screen_distinct

ROLES = {"consignee": "ultimate_consignee", "end_user": "end_user", "purchaser": "purchaser",
         "intermediate_consignee": "intermediate_consignee"}
SHOWN = 20


def distinct_parties(book: pl.DataFrame) -> list[tuple[str, str, str | None]]:
    """(role, name, country) once each, in order of first appearance."""
    seen: dict[tuple[str, str | None], str] = {}
    for prefix, role in ROLES.items():
        name, country = f"{prefix}_name", f"{prefix}_country"
        if name not in book.columns:
            continue
        cols = [pl.col(name).cast(pl.String)]
        cols.append(pl.col(country).cast(pl.String) if country in book.columns else pl.lit(None, pl.String).alias(country))
        for n, c in book.select(cols).filter(pl.col(name).is_not_null()).unique(maintain_order=True).iter_rows():
            seen.setdefault((n, c), role)
    return [(role, n, c) for (n, c), role in seen.items()]


def screen_book(book: pl.DataFrame, ledger: Any) -> dict[str, Any] | None:
    """Screen a book's distinct parties once each; a summary for the replay report, or None (no list)."""
    parties = distinct_parties(book)
    results = screen_distinct(((n, c) for _, n, c in parties), ledger)
    if not results and parties:
        return None
    by_status = Counter(r.status for r in results.values())
    hits = [{"role": role, "name": n, "country": c, "status": results[(n, c)].status,
             "best": results[(n, c)].matches[0].model_dump(include={"list", "entry_id", "name", "score"})}
            for role, n, c in parties if results[(n, c)].matches and results[(n, c)].status != "cleared_by_officer"]
    version = next(iter(results.values())).list_version if results else None
    return {"list_version": version, "parties_screened": len(results), "by_status": dict(sorted(by_status.items())),
            "hits": hits[:SHOWN], "hits_total": len(hits)}
