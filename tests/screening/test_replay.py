"""Replay screens each distinct party of a book once (screening/replay.py)."""

from __future__ import annotations

import polars as pl

from aidf.ledger import MemoryLedger
from aidf.screening import check
from aidf.screening.replay import distinct_parties, screen_book
from tests.screening.helpers import load_fixture

BOOK = pl.DataFrame({"consignee_name": ["Lyon Calcul SAS", "Korvath Trading", "Lyon Calcul SAS", "Korvath Trading"],
                     "consignee_country": ["FR", "DE", "FR", "DE"],
                     "end_user_name": [None, "Lysandra Calcul", None, None],
                     "end_user_country": [None, "FR", None, None]})


def test_each_distinct_party_once(monkeypatch):
    led = MemoryLedger()
    assert screen_book(BOOK, led) is None  # no list loaded
    load_fixture(led)
    calls = []
    real = check.screen_party
    monkeypatch.setattr(check, "screen_party", lambda *a, **k: calls.append(a[4]) or real(*a, **k))
    s = screen_book(BOOK, led)
    assert sorted(calls) == ["Korvath Trading", "Lyon Calcul SAS", "Lysandra Calcul"]
    assert s["parties_screened"] == 3 and s["by_status"] == {"clear": 1, "match": 1, "possible_match": 1}
    assert {h["best"]["entry_id"] for h in s["hits"]} == {"DPL:fx03", "EL:fx13"}
    assert distinct_parties(BOOK)[2] == ("end_user", "Lysandra Calcul", "FR")
