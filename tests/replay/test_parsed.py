"""Representatives parsed with their items and parties validated once: the same Transaction, the same errors."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from aidf import engine
from aidf.errors import InputError
from aidf.replay import parsed

BASE = {"id": "PO-1", "date": dt.date(2025, 6, 1), "action": "export", "destination": "sg",
        "items": [{"quantity": 1, "catalog": "nvidia-h200-sxm"}],
        "parties": {"ultimate_consignee": {"name": "SG Compute 1", "country": "sg", "id": "C1",
                                           "private_sector": True,
                                           "veu": {"type": "UVEU", "id": "V1", "installed_base_tpp": {"us": 5.0}}},
                    "end_user": {"name": "End User", "country": "FR", "headquarters": None}}}


def _with(path: tuple, value) -> dict:
    data = copy.deepcopy(BASE)
    at = data
    for k in path[:-1]:
        at = at[k]
    at[path[-1]] = value
    return data


def _same(data: dict) -> None:
    try:
        want = engine.parse_transaction(copy.deepcopy(data))
    except InputError as e:
        with pytest.raises(InputError) as got:
            parsed.transaction(copy.deepcopy(data))
        assert (got.value.field, got.value.reason) == (e.field, e.reason)
        return
    got = parsed.transaction(copy.deepcopy(data))
    assert got == want
    assert got.model_dump_json() == want.model_dump_json()
    for role, party in want.parties.entities():
        assert getattr(got.parties, role).model_fields_set == party.model_fields_set


CASES = [
    BASE,
    _with(("parties", "ultimate_consignee", "private_sector"), 1),   # strict: 1 is not True
    _with(("parties", "ultimate_consignee", "private_sector"), False),
    _with(("parties", "ultimate_consignee", "veu", "installed_base_tpp"), {"us": 5}),
    _with(("parties", "ultimate_consignee", "veu", "installed_base_tpp"), {"us": -1.0}),
    _with(("parties", "ultimate_consignee", "country"), "XX"),
    _with(("parties", "end_user", "name"), ""),
    _with(("items",), [{"quantity": 0, "catalog": "nvidia-h200-sxm"}]),
    _with(("items",), [{"catalog": "nvidia-h200-sxm"}]),
    _with(("items",), []),
    _with(("destination",), "ZZ"),
    _with(("date",), "not a date"),
    _with(("parties",), {"end_user": BASE["parties"]["end_user"]}),
    _with(("parties", "end_user"), "not a party"),
]


@pytest.mark.parametrize("data", CASES)
def test_a_representative_parses_as_the_engine_parses_it(data: dict) -> None:
    _same(data)


def test_parts_seen_before_are_shared_and_still_answer_for_their_own_data() -> None:
    parsed._parts.clear()
    for data in CASES + CASES[::-1]:  # every part is met both new and already validated
        _same(data)
    a, b = parsed.transaction(copy.deepcopy(BASE)), parsed.transaction(_with(("id",), "PO-2"))
    assert a.items[0] is b.items[0] and a.parties.ultimate_consignee is b.parties.ultimate_consignee
    assert b.id == "PO-2"


def test_the_memo_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parsed, "PARTS", 3)
    parsed._parts.clear()
    for i in range(10):
        parsed.transaction(_with(("parties", "ultimate_consignee", "name"), f"Party {i}"))
        assert len(parsed._parts) <= 3
