"""Meters sit below rules and ledger: deciding never loads the store (nor SQLAlchemy)."""

from __future__ import annotations

import subprocess
import sys
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from aidf import meters
from aidf.ledger import base
from aidf.model import AccountRef

PROBE = """
import importlib, pkgutil, sys
import aidf.engine, aidf.rules
for m in pkgutil.walk_packages(aidf.rules.__path__, "aidf.rules."):
    importlib.import_module(m.name)
loaded = sorted(m for m in sys.modules if m.split(".")[0] == "sqlalchemy" or m.startswith("aidf.ledger"))
print(",".join(loaded))
"""


def test_engine_and_rules_load_no_store():
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"deciding loads the store: {out.stdout.strip()[:300]}"


DECIDING = """
import sys
from aidf.engine import decide
d = decide({"id": "S", "date": "2025-07-01", "action": "export", "destination": "MX",
            "items": [{"catalog": "nvidia-h200-sxm", "quantity": 500}],
            "parties": {"ultimate_consignee": {"name": "Monterrey Nube", "country": "MX"}}})
assert d.warnings, d
print(",".join(sorted(m for m in sys.modules if m.split(".")[0] == "sqlalchemy" or m.startswith("aidf.ledger"))))
"""


def test_a_decision_without_a_ledger_loads_no_store():
    """Replay's report and the options search decide without a ledger: screening says no list is loaded
    without importing the store or SQLAlchemy (about 0.8 s of a replay's start)."""
    out = subprocess.run([sys.executable, "-c", DECIDING], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"a decision without a ledger loads the store: {out.stdout.strip()[:300]}"


MATCHERS = ("rapidfuzz", "rigour", "normality", "aidf.screening.index", "aidf.screening.normalize")


def test_a_decision_with_no_list_loads_no_name_matcher():
    """With no list to screen against there is no name to match: the matchers and their Unicode tables
    (about a quarter of a second) are loaded only when a list is."""
    probe = DECIDING.replace('m.split(".")[0] == "sqlalchemy" or m.startswith("aidf.ledger")',
                             f"m.startswith({MATCHERS!r})")
    assert probe != DECIDING
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"a decision with no list loads: {out.stdout.strip()[:300]}"


def test_ledger_reexports_the_meters():
    assert base.Draw is meters.Draw and base.MILLI == meters.MILLI
    assert base.LimitExceeded is meters.LimitExceeded and base.IdempotencyConflict is meters.IdempotencyConflict


def test_account_keys_are_built_in_one_place():
    assert meters.lpp_account("c1", 2025).id == "lpp_annual:consignee=c1:year=2025"
    assert meters.allocation_account("MX", "2025-2027").id == "country_allocation:country=MX:window=2025-2027"
    assert meters.nveu_account("V1", "IN").id == "nveu_cap:country=IN:veu=V1"
    assert meters.uveu_account("V1", "IN").id == "uveu_share:country=IN:veu=V1"
    assert meters.license_account("L-1").id == "license:license=L-1"


def test_milli_rounds_up_exactly_at_the_line():
    assert meters.milli(Fraction(1)) == 1000
    assert meters.milli(Fraction(1001, 1000)) == 1001
    assert meters.milli(Fraction(10001, 10000)) == 1001  # a part of a milli-TPP counts as a whole one
    assert meters.milli(Fraction(0)) == 0


@given(st.sampled_from(["lpp_annual", "country_allocation", "uveu_share", "nveu_cap", "license", "aia_tally"]),
       *[st.one_of(st.none(), st.text(min_size=1, max_size=8)) for _ in range(2)],
       st.one_of(st.none(), st.integers(1990, 2100)),
       *[st.one_of(st.none(), st.text(min_size=1, max_size=8)) for _ in range(3)])
def test_an_account_id_is_kind_then_each_set_field_in_declaration_order(kind, country, consignee, year, veu, window,
                                                                        lic):
    """The ids stored in ledgers: built without model_dump now, so held to the text model_dump gave."""
    ref = AccountRef(kind=kind, country=country, consignee=consignee, year=year, veu=veu, window=window, license=lic)
    dumped = ref.model_dump(exclude_none=True)
    assert ref.id == ":".join([kind] + [f"{k}={v}" for k, v in dumped.items() if k != "kind"])
