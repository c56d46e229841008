"""The request hash (idempotency key of every booking) is the SHA-256 of one exact text: orjson may write
it only where it gives the standard library's bytes, so a request booked before still finds its booking."""

from __future__ import annotations

import hashlib
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from aidf.model import Transaction, request_text


def reference_hash(tx: Transaction) -> str:
    """The hash as first defined: the dump without nulls, "unknown" headquarters added, json.dumps."""
    body = tx.model_dump(mode="json", exclude_none=True)
    unknown = [f"{role}.{f}" for role, party in tx.parties.entities() for f in party.unknown_headquarters]
    if unknown:
        body["unknown"] = unknown
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


scalars = (st.none() | st.booleans() | st.integers() | st.integers(min_value=-(2**70), max_value=2**70)
           | st.floats(allow_nan=True, allow_infinity=True) | st.floats(min_value=-1e-3, max_value=1e-3)
           | st.text() | st.characters(max_codepoint=0x80).map(str))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=5)
                      | st.dictionaries(st.text(max_size=8), inner, max_size=5), max_leaves=30)


@settings(max_examples=600, deadline=None)
@given(st.dictionaries(st.text(max_size=8), values, max_size=6))
def test_request_text_is_the_standard_text(body):
    assert request_text(body) == json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


names = st.text(min_size=1, max_size=12).filter(lambda s: s.strip() and s.isprintable())
countries = st.sampled_from(["FR", "DE", "MX", "IN", "AE", "CN", "US"])
party = st.fixed_dictionaries({"name": names, "country": countries}, optional={
    "headquarters": st.none() | countries, "ultimate_parent_headquarters": st.none() | countries,
    "private_sector": st.booleans()})
item = st.one_of(
    st.fixed_dictionaries({"catalog": st.sampled_from(["nvidia-h100-sxm5", "nvidia-b200"]),
                           "quantity": st.integers(1, 10_000)}),
    st.fixed_dictionaries({"tpp": st.floats(1, 60_000), "die_area_mm2": st.floats(1, 3_000),
                           "quantity": st.integers(1, 1_000)}, optional={"datacenter": st.booleans()}))


@settings(max_examples=300, deadline=None)
@given(st.fixed_dictionaries({
    "id": names, "date": st.sampled_from(["2025-03-01", "2025-08-01", "2026-02-01"]),
    "action": st.sampled_from(["export", "reexport", "transfer"]), "destination": countries,
    "items": st.lists(item, min_size=1, max_size=3),
    "parties": st.fixed_dictionaries({"ultimate_consignee": party}, optional={"end_user": party})},
    optional={"end_use": names, "direct_to_consignee": st.booleans()}))
def test_content_hash_is_the_reference_hash(data):
    tx = Transaction.model_validate(data)
    assert tx.content_hash() == reference_hash(tx)
