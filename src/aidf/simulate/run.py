"""One scenario over one book: the replay, on a throwaway ledger, under the scenario's reforms."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from aidf.rules.parameters import overlay
from aidf.simulate.scenario import Scenario

# The replay's answer columns a simulation reads (the same names as `aidf replay --out`).
COLUMNS = ["line", "transaction_id", "date", "destination", "destination_tier", "catalog", "quantity", "eccn",
           "tpp_total", "outcome", "authorization", "review_policy", "effect_kind", "effect_tpp",
           "tx_outcome", "tx_authorization", "tx_review_policy"]


@dataclass
class ScenarioRun:
    scenario: Scenario
    lines: pl.DataFrame  # COLUMNS plus `past_allocation` (a licensed line its allocation could not cover)
    allocation_limits: dict[str, dict[str, Any]]  # Tier 2 country -> {limit_tpp, arrangement}
    start_used: dict[str, float]  # allocation drawn before the book (seeded ledger), TPP per country
    seconds: float


def throwaway_ledger(seed_from: str | None = None):
    """A memory ledger seeded with a real ledger's balances; None when there is nothing to seed (an
    empty ledger and no ledger read alike, and the replay is spared the lookups)."""
    if seed_from is None:
        return None
    from aidf.ledger.memory import MemoryLedger

    led = MemoryLedger()
    seed(led, seed_from)
    return led


def seed(led, url: str) -> None:
    """Copy every used balance of the ledger at `url` as one draw per account (nothing is written there)."""
    from aidf.ledger import open_ledger
    from aidf.ledger.base import Draw
    from aidf.model import AccountRef

    src = open_ledger(url)
    try:
        draws = [Draw(AccountRef(**{k: a[k] for k in ("kind", "country", "consignee", "year", "veu", "window")
                                    if a.get(k) is not None}), int(a["used"]), None)
                 for a in src.accounts() if a["used"] > 0 and a["kind"] in CONTRACT_KINDS]
        if draws:
            led.book("seed:" + url.split("@")[-1], "seed", {"seed": url}, draws, dt.date.today())
    finally:
        close = getattr(src, "close", None)
        if close:
            close()


CONTRACT_KINDS = {"country_allocation", "lpp_annual", "nveu_cap", "uveu_share", "aia_cumulative"}


def replay(book: str | Path, scenario: Scenario, seed_from: str | None = None) -> ScenarioRun:
    """Replay `book` under `scenario` on its own ledger; the shipped parameters are never touched."""
    import time

    from aidf.replay.run import run

    t0 = time.perf_counter()
    led = throwaway_ledger(seed_from)
    with overlay.use(scenario.layer):
        r = run(book, None, rules=scenario.rules, ledger=led)
        lines = decisions(r.result)
        limits = _limits(lines, led)
    start = {k.split("country=")[1].split(":")[0]: v / 1000 for k, v in r.result.init.items()
             if k.startswith("country_allocation:")}
    return ScenarioRun(scenario, lines, limits, start, time.perf_counter() - t0)


def decisions(result) -> pl.DataFrame:
    """The decoded answer columns of a replay result, with the replay's own past-allocation mark."""
    from aidf.replay.columnar import coded_columns, decode

    coded = result.coded
    out = decode(coded.select([c for c in coded_columns(COLUMNS, result.tables) if c in coded.columns]), result.limits,
                 COLUMNS, result.tables)
    past = coded["_past_allocation"] if "_past_allocation" in coded.columns else pl.Series([False] * coded.height)
    return out.with_columns(past.alias("past_allocation"))


def _limits(lines: pl.DataFrame, led) -> dict[str, dict[str, Any]]:
    """The allocation of each destination whose allocation the replay drew on (or found short), as the
    provision sets it on the last such date."""
    from aidf.rules.parameters import parameters
    from aidf.rules.review_policy import allocation_limit, published_arrangement

    out: dict[str, dict[str, Any]] = {}
    metered = (lines.filter((pl.col("effect_kind") == "country_allocation") | pl.col("past_allocation"))
               .group_by("destination").agg(pl.col("date").max()))
    for country, last in metered.iter_rows():
        p = parameters(last)
        arr = (led.arrangement(country, last) if led is not None else None) or published_arrangement(p, country, last)
        out[country] = {"limit_tpp": allocation_limit(p, arr) / 1000,
                        "arrangement": (arr or {}).get("reference")}
    return out
