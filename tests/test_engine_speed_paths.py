"""The engine's faster paths give what the slower ones gave (issues 10 and 11).

- trace steps and duties built by `Built.model_construct` / `.but` equal pydantic's own construction;
- a sequence computes each request hash once and passes it down: the answers keep the hash of the
  request as sent, also when a headquarters is unknown (so the same request sent again is no conflict);
- an open booking batch reads the newest list version once: decide_many with a list loaded screens as
  one-at-a-time does.
"""

from __future__ import annotations

import random

import pytest
from pydantic import BaseModel

from aidf.engine import decide, decide_and_book, decide_many
from aidf.ledger import MemoryLedger
from aidf.model import Built, Duty, TraceStep, Transaction
from tests.screening.helpers import load_fixture

STEP_VALUES = [
    {"rule": "r", "cite": "c", "result": "x"},
    {"rule": "r", "cite": "c", "result": "x", "why": "because", "line": 3},
    {"line": 0, "result": "x", "cite": "c", "rule": "r"},  # keyword order differs from the fields'
    {"rule": "r", "cite": "c"},  # a required field not given stays unset, as pydantic leaves it
    {"rule": "r", "cite": "c", "result": "x", "not_a_field": 1},  # an unknown name is dropped
]
DUTY_VALUES = [
    {"what": "w", "cite": "c"},
    {"what": "w", "cite": "c", "when": "before", "kind": "notice", "line": 1},
]


def _same(a: BaseModel, b: BaseModel) -> None:
    assert list(a.__dict__.items()) == list(b.__dict__.items())
    assert a.model_fields_set == b.model_fields_set
    assert a.__pydantic_extra__ == b.__pydantic_extra__ and a.__pydantic_private__ == b.__pydantic_private__
    assert repr(a) == repr(b)
    if "result" in a.__dict__ or not isinstance(a, TraceStep):
        assert a.model_dump() == b.model_dump() and a.model_dump_json() == b.model_dump_json()
        assert a.model_dump(exclude_unset=True) == b.model_dump(exclude_unset=True)


@pytest.mark.parametrize(("cls", "values"), [(TraceStep, v) for v in STEP_VALUES] + [(Duty, v) for v in DUTY_VALUES])
def test_built_construct_equals_pydantic_construct(cls, values):
    fast = cls.model_construct(**values)
    slow = BaseModel.model_construct.__func__(cls, **values)
    _same(fast, slow)
    assert type(fast) is cls
    given = {"rule"}
    _same(cls.model_construct(given, **values), BaseModel.model_construct.__func__(cls, given, **values))


@pytest.mark.parametrize("values", STEP_VALUES[:3])
def test_but_equals_model_copy_and_leaves_the_original(values):
    step = TraceStep.model_construct(**values)
    before = dict(step.__dict__), set(step.model_fields_set)
    _same(step.but(line=7), step.model_copy(update={"line": 7}))
    _same(step.but(line=7, why="w"), step.model_copy(update={"line": 7, "why": "w"}))
    assert (step.__dict__, step.model_fields_set) == before


def test_built_refuses_a_model_it_cannot_build_plainly():
    from pydantic import Field

    class Aliased(Built):
        a: str = Field(alias="b")

    with pytest.raises(TypeError, match="plain fields"):
        Aliased.model_construct(b="x")

    class Listed(Built):
        xs: list[int] = []

    with pytest.raises(TypeError, match="immutable defaults"):
        Listed.model_construct()


UNKNOWN_HQ = {"id": "U1", "date": "2025-08-01", "action": "export", "destination": "IN",
              "items": [{"catalog": "nvidia-h100-sxm5", "quantity": 100}],
              "parties": {"ultimate_consignee": {"name": "Pune Compute", "country": "IN", "headquarters": None}}}


def test_unknown_headquarters_answer_keeps_the_hash_of_the_request_as_sent():
    tx = Transaction.model_validate(UNKNOWN_HQ)
    assert decide(tx).request_hash == tx.content_hash()


def test_unknown_headquarters_sent_again_is_the_same_booking_not_a_conflict():
    led = MemoryLedger()
    first = decide_and_book(UNKNOWN_HQ, led)
    assert decide_and_book(UNKNOWN_HQ, led) == first
    assert decide_many([UNKNOWN_HQ], ledger=led) == [first]


def _generated(n: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        dest = rng.choice(["SA", "AE", "IN", "DE", "MX", "FR", "BR", "CN"])
        party = {"name": rng.choice(["Lysandre Calcul SAS", "Lysandra Calcul", "Lyon Calcul", f"Buyer {i % 7}"]),
                 "country": dest}
        if rng.random() < 0.2:
            party["headquarters"] = None
        out.append({"id": f"G{i}", "date": rng.choice(["2025-06-01", "2025-08-01", "2026-02-01"]), "action": "export",
                    "destination": dest, "parties": {"ultimate_consignee": party},
                    "items": [{"catalog": rng.choice(["nvidia-h100-sxm5", "nvidia-b200"]),
                               "quantity": rng.choice([10, 100, 1000, 5000])}]})
    return out


@pytest.mark.parametrize("with_list", [False, True])
def test_decide_many_equals_one_at_a_time_with_and_without_a_list(with_list):
    txs = _generated(60, seed=11)
    many, single = MemoryLedger(), MemoryLedger()
    if with_list:
        load_fixture(many)
        load_fixture(single)
    batched = decide_many(txs, ledger=many)
    one_by_one = [decide_and_book(t, single) for t in txs]
    assert [d.model_dump(mode="json") for d in batched] == [d.model_dump(mode="json") for d in one_by_one]
    assert all(bool(d.screening) == with_list for d in batched)
    if with_list:
        assert any(d.screening[0].status != "clear" for d in batched)  # the list's hits reached the batch
