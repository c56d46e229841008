"""YAML decision cases named after the paragraph they test (tests/rules/decisions/*.yaml).

Each case is a list of steps decided in order on a fresh throwaway ledger, with expectations on
the contract's pinned fields, in the same vocabulary as ../shared/contract/examples.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from tests.expectations import check_expect

from aidf.engine import decide_many
from aidf.ledger.memory import MemoryLedger

HERE = Path(__file__).parent / "decisions"


def _cases():
    for file in sorted(HERE.glob("*.yaml")):
        for case in yaml.safe_load(file.read_text())["cases"]:
            yield pytest.param(case, id=f"{file.stem}: {case['name']}")


@pytest.mark.parametrize("case", list(_cases()))
def test_case(case):
    decisions = decide_many([s["tx"] for s in case["steps"]], ledger=MemoryLedger())
    fails = []
    for n, (step, d) in enumerate(zip(case["steps"], decisions, strict=True), 1):
        fails += [f"step {n}: {x}" for x in check_expect(d.model_dump(mode="json"), step.get("expect", {}))]
    assert not fails, "\n".join(fails)
