"""ECCN 3A090 / 4A090 at function level: TPP from peaks, density, and the prongs at their exact edges."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction as F

import pytest

from aidf.errors import InputError
from aidf.rules.classify import classify_item
from aidf.rules.eccn_3a090 import ChipClass, classify_ic, performance_density, tpp_from_peaks
from aidf.rules.parameters import parameters

P = parameters(dt.date(2025, 7, 1))


def ic(tpp, area=None, datacenter=True) -> ChipClass:
    return classify_ic(F(tpp), None if area is None else F(area), datacenter, P)


# ---- TPP from peaks (Technical Notes 1-3) ---------------------------------------------------------

def test_tpp_is_the_highest_peak_times_bit_length_not_the_sum() -> None:
    assert tpp_from_peaks({"fp8": 1978.9, "fp16": 989.4, "tf32": 494.7}, P) == F("15831.2")
    assert tpp_from_peaks({"int8": 600}, P) == tpp_from_peaks({"fp16": 300}, P) == 4800


def test_tf32_counts_at_32_bits() -> None:
    assert tpp_from_peaks({"tf32": 150}, P) == 4800


def test_precision_names_are_case_insensitive_and_may_say_dense() -> None:
    assert tpp_from_peaks({" FP8 ": 100, "BF16_dense": 100}, P) == 1600


def test_a_peak_given_as_a_float_is_read_as_its_decimal() -> None:
    assert tpp_from_peaks({"fp8": 0.1}, P) == F(8, 10)


@pytest.mark.parametrize(("peaks", "field", "says"), [
    ({"fp8_sparse": 3957.8}, "peak_dense.fp8_sparse", "sparse"),
    ({"fp7": 100}, "peak_dense.fp7", "allowed: bf16, fp16, fp32, fp4, fp6, fp64, fp8, int16, int32, int4, int8, tf32"),
    ({"fp8": 0}, "peak_dense.fp8", "> 0"),
    ({"fp8": -1}, "peak_dense.fp8", "> 0"),
])
def test_bad_peaks_are_refused_naming_the_field(peaks, field, says) -> None:
    with pytest.raises(InputError) as e:
        tpp_from_peaks(peaks, P)
    assert e.value.field == field and says in e.value.reason


def test_density_is_exact_and_none_without_an_area() -> None:
    assert performance_density(F(5920), F(1000)) == F("5.92")
    assert performance_density(F(1600), None) is None


# ---- the prongs at their exact edges --------------------------------------------------------------

@pytest.mark.parametrize(("tpp", "area", "eccn", "prongs"), [
    # a.1 at 4,800
    (4800, 4800, "3A090.a", ["a.1"]),
    (F("4799.9"), 4800, None, []),
    # a.2 at TPP 1,600 and density exactly 5.92 (area 10000/37 mm2)
    (1600, F(10000, 37), "3A090.a", ["a.2"]),
    (1600, F(10000, 37) + F(1, 10**9), "3A090.b", ["b.2"]),
    (F(1600) - F(1, 10**9), F(10000, 37), None, []),
    # b.1 at 2,400 and 1.6; b.2 at 3.2; the 5.92 ceiling of .b is the floor of .a.2
    (2400, 1500, "3A090.b", ["b.1"]),
    (2400, F(1500) + F(1, 10**9), None, []),
    (2400, 750, "3A090.b", ["b.1", "b.2"]),
    (2400, F(750) + F(1, 10**9), "3A090.b", ["b.1"]),
    (2400, F(2400) / F("5.92"), "3A090.a", ["a.2"]),
    (F(4800) - F(1, 10**9), 1000, "3A090.b", ["b.1", "b.2"]),
])
def test_prongs_at_their_edges(tpp, area, eccn, prongs) -> None:
    c = ic(tpp, area)
    assert (c.eccn, c.prongs, c.indeterminate) == (eccn, prongs, None)


def test_every_answer_explains_itself_with_a_citation() -> None:
    for args in [(5000, 800), (3000, 600), (1000, 100), (3000, None), (3000, 600, None), (3000, 600, False)]:
        c = ic(*args)
        assert c.trace, args
        assert all(t.cite.startswith("15 CFR 774 Supp. 1") and t.why for t in c.trace), args


def test_indeterminate_answers_carry_no_level_and_name_the_missing_fact() -> None:
    assert (ic(3000).level, ic(3000).indeterminate) == (None, "die_area_mm2")
    assert (ic(3000, 600, None).level, ic(3000, 600, None).indeterminate) == (None, "datacenter")
    assert ic(3000).trace[-1].result == "unknown"


def test_the_non_datacenter_note_excludes_below_4800_only() -> None:
    below = ic(F("4799.9"), 100, False)
    assert below.eccn is None and below.trace[-1].result == "excluded"
    assert ic(4800, 100, False).prongs == ["a.1", "a.2"]


# ---- 4A090 through classify_item ------------------------------------------------------------------

def test_a_computer_takes_the_class_of_its_chips_and_their_summed_tpp() -> None:
    c = classify_item({"catalog": "nvidia-b200", "form": "computer", "chips_per_unit": 8, "quantity": 3},
                      as_of=dt.date(2025, 7, 1))
    assert (c.eccn, c.level, c.tpp_unit, c.tpp_total) == ("4A090.a", "a", 8 * 36000, 3 * 8 * 36000)
    assert c.counted and "4A090.a" in [t.rule for t in c.trace]


def test_classify_item_refuses_an_unknown_catalog_id_naming_the_field() -> None:
    with pytest.raises(InputError) as e:
        classify_item({"catalog": "nvidia-h999"}, as_of=dt.date(2025, 7, 1), field_prefix="items.0")
    assert e.value.field == "items.0.catalog" and "aidf catalog" in e.value.reason


def test_b_level_items_are_not_counted_toward_tpp_meters() -> None:
    c = classify_item({"catalog": "nvidia-l40"}, as_of=dt.date(2025, 7, 1))
    assert c.level == "b" and not c.counted
