"""Invariants of the engine, checked on generated transactions (hypothesis)."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aidf.catalog import load_catalog
from aidf.engine import decide, decide_many
from aidf.ledger.memory import MemoryLedger
from aidf.model import OUTCOME_ORDER, Outcome

COUNTRIES = ["US", "FR", "DE", "JP", "KR", "TW", "MX", "BR", "IN", "IL", "SG", "MY", "SA", "AE", "KZ", "VN",
             "CN", "MO", "HK", "RU", "IR", "TH"]
ORDER = ["AIA", "ACM", "NAC", "ACA", "LPP", "UVEU", "NVEU"]
CHIPS = sorted(load_catalog())

party = st.fixed_dictionaries({
    "name": st.sampled_from(["Alpha", "Beta", "Gamma"]),
    "country": st.sampled_from(COUNTRIES),
    "headquarters": st.sampled_from(COUNTRIES),
    "ultimate_parent_headquarters": st.sampled_from(COUNTRIES),
    "private_sector": st.sampled_from([True, False]),
})
shape = st.fixed_dictionaries({
    "date": st.dates(dt.date(2025, 1, 13), dt.date(2027, 12, 31)).map(str),
    "action": st.sampled_from(["export", "reexport", "transfer"]),
    "destination": st.sampled_from(COUNTRIES),
    "end_use": st.sampled_from(["data_center", "production", "development", "storage", "research"]),
    "direct_to_consignee": st.booleans(),
    "chip": st.sampled_from(CHIPS),
    "form": st.sampled_from(["ic", "computer"]),
})


def tx(s: dict, consignee: dict, quantity: int, veu: dict | None = None) -> dict:
    item = {"catalog": s["chip"], "quantity": quantity}
    if s["form"] == "computer":
        item.update(form="computer", chips_per_unit=8)
    c = dict(consignee, veu=veu) if veu else consignee
    return {"id": "T", "date": s["date"], "action": s["action"], "destination": s["destination"],
            "end_use": s["end_use"], "direct_to_consignee": s["direct_to_consignee"], "items": [item],
            "parties": {"ultimate_consignee": c}}


def rank(d) -> int:
    return OUTCOME_ORDER.index(d.outcome)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shape, party, st.integers(1, 3000), st.integers(1, 60000),
       st.sampled_from([None, {"type": "UVEU", "id": "U1"}, {"type": "NVEU", "id": "N1"}]))
def test_more_tpp_never_makes_an_authorization_more_available(s, consignee, q, extra, veu):
    small = decide(tx(s, consignee, q, veu))
    big = decide(tx(s, consignee, q + extra, veu))
    assert rank(big) >= rank(small), (small.outcome, big.outcome)
    if big.authorization is not None and big.outcome in (Outcome.LICENSE_EXCEPTION, Outcome.VEU):
        assert small.authorization is not None
        assert ORDER.index(small.authorization) <= ORDER.index(big.authorization)


@settings(max_examples=200, deadline=None)
@given(shape, party, st.integers(1, 5000))
def test_tier3_destination_is_never_nlr_for_a_level_items(s, consignee, q):
    s = dict(s, destination="CN")
    d = decide(tx(s, consignee, q))
    if d.items[0].eccn in ("3A090.a", "4A090.a"):
        assert d.outcome != Outcome.NLR
        assert d.authorization in (None, "NAC", "ACA")


@settings(max_examples=150, deadline=None)
@given(shape, party, st.integers(1, 5000))
def test_single_decision_equals_first_of_a_sequence(s, consignee, q):
    t = tx(s, consignee, q)
    one = decide(t).model_dump(mode="json")
    seq = decide_many([t], ledger=MemoryLedger())[0].model_dump(mode="json")
    assert one == seq


@settings(max_examples=100, deadline=None)
@given(shape, party, st.integers(1, 2000))
def test_every_decision_explains_itself(s, consignee, q):
    d = decide(tx(s, consignee, q))
    assert d.trace and all(step.cite for step in d.trace)
    assert any("15 CFR" in step.cite for step in d.trace)
    assert d.rules.id == "ai-diffusion-2025" and d.rules.status
    if d.outcome in (Outcome.LICENSE_EXCEPTION, Outcome.VEU):
        assert d.duties
