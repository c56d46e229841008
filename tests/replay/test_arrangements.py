"""A government-to-government arrangement multiplies a country's allocation once, whether it is
recorded in the ledger, published in the parameters, or both (Supp. No. 5 to part 740)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import polars as pl
import pytest

from aidf.engine import decide_many
from aidf.ledger.memory import MemoryLedger
from aidf.replay.assemble import in_replay_order, transaction_dicts
from aidf.replay.book import DTYPES
from aidf.replay.columnar import replay
from aidf.replay.layout import BY_NAME, NAMES
from aidf.rules import parameters as params_mod
from aidf.rules.parameters import overlay

from .helpers import typed

ALLOC = "part742/country_allocation"
SINCE = dt.date(2025, 6, 1)


def _clear_caches() -> None:
    """Forget every value derived from the parameters (the rules', the replay's and the store's), keeping
    the patched files themselves."""
    overlay.drop_caches()


@pytest.fixture
def published():
    """The parameters with an arrangement for SA published from SINCE (none is known in fact)."""
    history = params_mod._files(None)[ALLOC]["arrangements"]
    saved = list(history)
    last = history[-1]
    history.append(dataclasses.replace(last, since=SINCE, value=[{"country": "SA", "since": SINCE,
                                                                  "reference": "G2G-SA-published"}]))
    _clear_caches()
    yield
    history[:] = saved
    _clear_caches()


def _book(lines: int) -> pl.DataFrame:
    # Each line 0.6 of SA's allocation (790,000,000 TPP): 3 lines fit under a doubled allocation, not 4.
    rows = [{"order_id": f"G{i}", "date": dt.date(2025, 7, 1) + dt.timedelta(days=i), "action": "export",
             "destination": "SA", "consignee_id": f"C{i}", "consignee_name": f"Riyadh Compute {i}",
             "consignee_country": "SA", "consignee_private_sector": True, "catalog": "nvidia-h100-sxm5",
             "quantity": 29_941, "direct_to_consignee": False} for i in range(lines)]
    df = pl.DataFrame(rows, infer_schema_length=None)
    return typed(df.select([(pl.col(c) if c in df.columns else pl.lit(None)).cast(DTYPES[BY_NAME[c].kind]).alias(c)
                            for c in NAMES]))


def _ledger(recorded: bool) -> MemoryLedger:
    led = MemoryLedger()
    if recorded:
        led.record_arrangement("SA", SINCE, "G2G-SA-recorded")
    return led


def _both(book: pl.DataFrame, recorded: bool) -> tuple[list[str | None], list[str | None]]:
    columnar = replay(book, ledger=_ledger(recorded)).lines["review_policy"].to_list()
    single = decide_many(transaction_dicts(in_replay_order(book)), ledger=_ledger(recorded))
    return columnar, [d.items[0].review_policy for d in single]


@pytest.mark.parametrize("recorded", [False, True])
def test_recorded_arrangement_doubles_once(recorded):
    columnar, single = _both(_book(7), recorded)
    assert columnar == single
    assert columnar.count("presumption_of_approval") == (3 if recorded else 1)


@pytest.mark.parametrize("recorded", [False, True])
def test_published_and_recorded_arrangement_doubles_once(published, recorded):
    columnar, single = _both(_book(7), recorded)
    assert columnar == single
    assert columnar.count("presumption_of_approval") == 3
