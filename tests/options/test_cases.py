"""The options cases named by paragraph (tests/rules/decisions/*options*.yaml)."""

from __future__ import annotations

import pytest

from aidf.engine import decide_many, parse_transaction
from aidf.ledger.memory import MemoryLedger
from aidf.options import options_for
from aidf.options.probe import request
from tests.options.cases import check, load


@pytest.mark.parametrize("case", [pytest.param(c, id=name) for name, c in load()])
def test_options_case(case):
    ledger = MemoryLedger()
    steps = case["steps"]
    decide_many([s["tx"] for s in steps[:-1]], ledger=ledger)
    before = list(ledger.export())
    tx = parse_transaction(steps[-1]["tx"])
    options = options_for(tx, ledger)
    fails = check(options, case["options"], request(tx))
    assert not fails, "\n".join(fails)
    assert list(ledger.export()) == before, "options wrote to the ledger"
