"""Reforms: parameter overrides are checked, layered while a scenario runs, and never touch the shipped files."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

import aidf
from aidf.errors import InputError
from aidf.rules.parameters import ROOT, overlay, parameters

DAY = dt.date(2025, 7, 1)
TX = {"id": "R1", "date": DAY.isoformat(), "action": "export", "destination": "IN",
      "items": [{"catalog": "nvidia-h100-sxm5", "quantity": 2000}],
      "parties": {"ultimate_consignee": {"name": "Pune AI Labs", "country": "IN", "private_sector": True}}}
LPP_DOUBLED = {"part740/lpp": {"annual_tpp_cap": 53800000}}


def _shipped_hash() -> str:
    h = hashlib.sha256()
    for f in sorted(ROOT.rglob("*.yaml")):
        h.update(f.read_bytes())
    return h.hexdigest()


@pytest.mark.parametrize("spec, field", [
    ({"part740/nope": {"x": 1}}, "overrides.part740/nope"),
    ({"part740/lpp": {"cap": 1}}, "overrides.part740/lpp.cap"),
    ({"part740/lpp": {"annual_tpp_cap": "lots"}}, "overrides.part740/lpp.annual_tpp_cap"),
    ({"part740/lpp": {"annual_tpp_cap": True}}, "overrides.part740/lpp.annual_tpp_cap"),
    ({"part740/lpp": {"annual_tpp_cap": -5}}, "overrides.part740/lpp.annual_tpp_cap"),
    ({"part740/lpp": {"annual_tpp_cap": "Infinity"}}, "overrides.part740/lpp.annual_tpp_cap"),
    ({"part740/lpp": {"actions": "export"}}, "overrides.part740/lpp.actions"),
    ({"part740/lpp": {"annual_tpp_cap": {"value": 1, "since": "soon"}}}, "overrides.part740/lpp.annual_tpp_cap.since"),
    ({"part742/country_allocation": {"window": {"first_year": 2025, "color": "red"}}},
     "overrides.part742/country_allocation.window"),
    ({"part740/supp5_tier1": {"countries": ["FR", "XX"]}}, None),
])
def test_a_reform_that_does_not_fit_is_refused_naming_the_path(spec, field):
    from aidf.rules.parameters import all_values

    if field is None:  # a country list keeps ISO codes
        path = next(iter(spec))
        name = next(n for n, h in all_values()[path].items() if isinstance(h[-1].value, list))
        spec = {path: {name: ["FR", "XX"]}}
        field = f"overrides.{path}.{name}"
    with pytest.raises(InputError) as e:
        overlay.build("bad", spec)
    assert e.value.field == field


def test_a_reform_changes_the_answer_only_while_it_is_active_and_leaves_the_files_alone():
    before = _shipped_hash()
    plain = aidf.decide(TX)
    layer = overlay.build("lpp-doubled", LPP_DOUBLED)
    with overlay.use(layer):
        assert parameters(DAY).get("part740/lpp", "annual_tpp_cap") == 53800000
        reformed = aidf.decide(TX)
    after = aidf.decide(TX)
    assert plain.authorization != "LPP" and reformed.authorization == "LPP"
    assert after.model_dump() == plain.model_dump()
    assert parameters(DAY).get("part740/lpp", "annual_tpp_cap") == 26900000
    assert _shipped_hash() == before


def test_a_reform_is_dated_and_cited_as_a_scenario_value():
    layer = overlay.build("later", {"part740/lpp": {"annual_tpp_cap": {"value": 53800000, "since": "2026-01-01"}}})
    with overlay.use(layer):
        assert parameters(dt.date(2025, 12, 31)).get("part740/lpp", "annual_tpp_cap") == 26900000
        entry = parameters(dt.date(2026, 1, 1)).entry("part740/lpp", "annual_tpp_cap")
    assert entry.value == 53800000 and entry.status == "scenario" and "740.29" in entry.cite
    assert layer.describe()[0]["original"] == 26900000 and layer.describe()[0]["original_cite"].startswith("15 CFR 740.29")


def test_exact_numbers_stay_exact():
    layer = overlay.build("h100", {"display/h100": {"h100_tpp": "15831.25"}})
    with overlay.use(layer):
        assert str(parameters(DAY).fraction("display/h100", "h100_tpp")) == "63325/4"
