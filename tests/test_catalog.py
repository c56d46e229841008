"""The built-in accelerator catalog: consistent figures, sources, and every row classified as recorded."""

from __future__ import annotations

import csv
import datetime as dt
import re
from fractions import Fraction
from pathlib import Path

import pytest

from aidf.catalog import HERE, Chip, get_chip, load_catalog
from aidf.rules.classify import classify_item
from aidf.rules.parameters import parameters

AS_OF = dt.date(2025, 7, 1)
CHIPS = load_catalog()
IDS = sorted(CHIPS)
BITS = parameters(AS_OF).get("part774/eccn_3a090", "precision_bits")


def _label(chip_id: str) -> str:
    c = classify_item({"catalog": chip_id}, as_of=AS_OF)
    if c.indeterminate:
        return f"indeterminate ({c.indeterminate})"
    return c.eccn or "not 3A090"


def test_the_catalog_has_every_row_of_the_csv_with_unique_ids() -> None:
    with open(HERE / "chips.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(CHIPS) >= 40
    assert sorted(r["id"] for r in rows) == IDS


@pytest.mark.parametrize("chip_id", IDS)
def test_every_row_classifies_as_recorded_under_the_oct_2023_rules(chip_id: str) -> None:
    """Regression: the engine agrees with the catalog's `classification_oct2023_rules` column."""
    assert _label(chip_id) == CHIPS[chip_id].recorded_class


@pytest.mark.parametrize("chip_id", IDS)
def test_every_row_is_consistent_and_sourced(chip_id: str) -> None:
    chip: Chip = CHIPS[chip_id]
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", chip.id)
    assert chip.market in {"datacenter", "consumer", "workstation"}
    assert chip.recorded_class in {"3A090.a", "3A090.b", "not 3A090"}
    # 3A090 Technical Notes 1-2: TPP = dense peak x bit length of the precision named
    assert chip.dense_tops > 0 and chip.tpp == chip.dense_tops * chip.bit_length
    assert BITS[chip.precision.lower()] == chip.bit_length
    assert chip.die_area_mm2 is None or chip.die_area_mm2 > 0
    assert chip.sources and all(s.startswith("https://") for s in chip.sources)


def test_the_csv_density_column_is_tpp_over_area() -> None:
    with open(HERE / "chips.csv", newline="") as f:
        for r in csv.DictReader(f):
            chip = CHIPS[r["id"]]
            if chip.die_area_mm2 is None:
                assert not r["performance_density"].strip()
                continue
            assert abs(Fraction(r["performance_density"]) - chip.tpp / chip.die_area_mm2) < Fraction(1, 1000), r["id"]


def test_rows_without_a_die_area_never_fall_in_the_band_where_density_decides() -> None:
    """chips-notes.md: a blank area is only left where TPP alone settles the class."""
    for chip in CHIPS.values():
        if chip.die_area_mm2 is None:
            assert chip.tpp >= 4800 or chip.tpp < 1600, chip.id
            assert classify_item({"catalog": chip.id}, as_of=AS_OF).indeterminate is None


def test_the_h100_row_is_the_h100_equivalent_basis() -> None:
    h100 = get_chip("nvidia-h100-sxm5")
    assert h100 is not None and h100.tpp == Fraction("15831.2")
    assert parameters(AS_OF).fraction("display/h100", "h100_tpp") == h100.tpp


def test_get_chip_of_an_unknown_id_is_none() -> None:
    assert get_chip("nvidia-h999") is None
    assert get_chip("") is None


def test_the_row_dict_is_json_ready() -> None:
    row = CHIPS["nvidia-l2"].row()
    assert row["die_area_mm2"] is None and isinstance(row["tpp"], float) and row["recorded_class"] == "not 3A090"


def test_the_packaged_csv_is_the_shared_one_when_the_shared_folder_is_beside_the_repo() -> None:
    shared = Path(__file__).resolve().parents[2] / "shared" / "data" / "chips.csv"
    if not shared.exists():
        pytest.skip("no shared data folder beside the repository")
    assert shared.read_bytes() == (HERE / "chips.csv").read_bytes()
