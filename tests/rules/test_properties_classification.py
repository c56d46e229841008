"""Properties of the classification that must hold for every chip, not just the worked cases.

- raising TPP never lowers the class, raising the die area never raises it
  (order: not 3A090 < 3A090.b < 3A090.a; indeterminate answers excluded);
- TPP from datasheet peaks is the highest peak x bit length over the precisions;
- thresholds are compared exactly: a density of exactly 5.92 is .a.2, whatever the decimals;
- datacenter unknown is answered only when both readings agree;
- a computer takes the class of its chips; quantity multiplies TPP;
- 4E091 follows its threshold and exclusions exactly.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from aidf.model import ModelWeights
from aidf.rules.classify import classify_item
from aidf.rules.eccn_3a090 import tpp_from_peaks
from aidf.rules.eccn_4e091 import classify_weights
from aidf.rules.parameters import parameters

AS_OF = dt.date(2025, 7, 1)
P = parameters(AS_OF)
BITS: dict[str, int] = P.get("part774/eccn_3a090", "precision_bits")
RANK = {None: 0, "b": 1, "a": 2}
FAST = settings(max_examples=200, deadline=None)


def decimals(lo: str, hi: str, places: int) -> st.SearchStrategy[Decimal]:
    return st.decimals(min_value=Decimal(lo), max_value=Decimal(hi), places=places,
                       allow_nan=False, allow_infinity=False)


tpps = decimals("1", "80000", 2)
areas = decimals("1", "50000", 1)
datacenters = st.sampled_from([True, False])


def classify(tpp, area=None, datacenter=True, **more):
    item = {"tpp": float(tpp), "datacenter": datacenter, **more}
    if area is not None:
        item["die_area_mm2"] = float(area)
    return classify_item(item, as_of=AS_OF)


@FAST
@given(tpps, tpps, st.one_of(st.none(), areas), datacenters)
def test_raising_tpp_never_lowers_the_class(t1, t2, area, datacenter) -> None:
    lo, hi = classify(min(t1, t2), area, datacenter), classify(max(t1, t2), area, datacenter)
    assume(lo.indeterminate is None and hi.indeterminate is None)
    assert RANK[lo.level] <= RANK[hi.level]


@FAST
@given(tpps, areas, areas, datacenters)
def test_raising_the_die_area_never_raises_the_class(tpp, a1, a2, datacenter) -> None:
    small, big = classify(tpp, min(a1, a2), datacenter), classify(tpp, max(a1, a2), datacenter)
    assert small.indeterminate is None and big.indeterminate is None
    assert RANK[big.level] <= RANK[small.level]


@FAST
@given(tpps, areas)
def test_a_missing_die_area_is_indeterminate_exactly_where_density_could_decide(tpp, area) -> None:
    without = classify(tpp, None)
    if Decimal(1600) <= tpp < Decimal(4800):
        assert without.indeterminate == "die_area_mm2" and without.eccn is None
    else:
        assert without.indeterminate is None
        assert without.eccn == classify(tpp, area).eccn  # the area cannot change the answer here


@FAST
@given(st.dictionaries(st.sampled_from(sorted(BITS)), decimals("0.01", "20000", 2), min_size=1, max_size=6))
def test_tpp_from_peaks_is_the_max_over_precisions(peaks) -> None:
    as_float = {k: float(v) for k, v in peaks.items()}
    want = max(Fraction(v) * BITS[k] for k, v in peaks.items())
    assert tpp_from_peaks(as_float, P) == want
    by_peaks = classify_item({"peak_dense": as_float, "die_area_mm2": 800, "datacenter": True}, as_of=AS_OF)
    by_tpp = classify_item({"tpp": float(want), "die_area_mm2": 800, "datacenter": True}, as_of=AS_OF)
    assert by_peaks.tpp_unit == want
    assert (by_peaks.eccn, by_peaks.prongs) == (by_tpp.eccn, by_tpp.prongs)


@FAST
@given(decimals("270.28", "810.81", 2))
def test_a_density_of_exactly_5_92_is_a2_and_a_hair_below_is_not(area) -> None:
    tpp = area * Decimal("5.92")  # at most 4 decimals: exact as given
    assert Decimal(1600) <= tpp < Decimal(4800)
    at = classify(tpp, area)
    assert at.performance_density == Fraction("5.92")
    assert (at.eccn, at.prongs) == ("3A090.a", ["a.2"])
    below = classify(tpp - Decimal("0.0001"), area)
    assert below.eccn == "3A090.b" and "a.2" not in below.prongs


@FAST
@given(st.integers(min_value=1, max_value=10**6))
def test_scaled_copies_of_tpp_5920_on_1000_mm2_are_exactly_5_92(k) -> None:
    area = Decimal(k) / 10  # 0.1 .. 100,000 mm2; k = 10,000 is TPP 5,920 on 1,000 mm2
    tpp = Decimal("5.92") * area
    c = classify(tpp, area)
    assert c.performance_density == Fraction("5.92")
    assert ("a.2" in c.prongs) == (tpp >= 1600)


@FAST
@given(tpps, st.one_of(st.none(), areas))
def test_datacenter_unknown_is_answered_only_when_both_readings_agree(tpp, area) -> None:
    yes, no, unknown = classify(tpp, area, True), classify(tpp, area, False), classify(tpp, area, None)
    if yes.indeterminate is None and (yes.eccn, yes.prongs) == (no.eccn, no.prongs):
        assert unknown.indeterminate is None and (unknown.eccn, unknown.prongs) == (yes.eccn, yes.prongs)
    else:
        assert unknown.indeterminate is not None and unknown.eccn is None


@FAST
@given(decimals("4800", "80000", 2), st.one_of(st.none(), areas))
def test_at_or_above_4800_the_datacenter_question_does_not_matter(tpp, area) -> None:
    assert {classify(tpp, area, dc).eccn for dc in (True, False, None)} == {"3A090.a"}


@FAST
@given(tpps, st.one_of(st.none(), areas), st.integers(1, 64), st.integers(1, 10_000))
def test_a_computer_takes_the_class_of_its_chips_and_sums_their_tpp(tpp, area, n, quantity) -> None:
    chip = classify(tpp, area)
    box = classify(tpp, area, form="computer", chips_per_unit=n, quantity=quantity)
    assert box.level == chip.level and box.prongs == chip.prongs and box.indeterminate == chip.indeterminate
    assert box.eccn == (None if chip.level is None else f"4A090.{chip.level}")
    assert box.tpp_unit == chip.tpp_unit * n
    assert box.tpp_total == chip.tpp_unit * n * quantity


# ---- 4E091 ------------------------------------------------------------------------------------------

def big(mantissa: int, exponent: int) -> float:
    return float(f"{mantissa}e{exponent}")


operations = st.builds(big, st.integers(1, 9999), st.integers(20, 25))


@FAST
@given(operations, st.booleans())
def test_4e091_is_exactly_closed_weights_at_or_above_1e26(ops, published) -> None:
    c = classify_weights(ModelWeights(training_operations=ops, published=published), P)
    exact = Fraction(Decimal(repr(ops)))
    assert c.controlled == (not published and exact >= 10**26)
    assert c.indeterminate is None


@FAST
@given(operations, operations)
def test_4e091_derivatives_follow_both_readings_of_the_25_percent(total, extra) -> None:
    assume(extra <= total)
    c = classify_weights(ModelWeights(training_operations=total, published=False, base_model_published=True,
                                      extra_training_operations=extra), P)
    t, x = Fraction(Decimal(repr(total))), Fraction(Decimal(repr(extra)))
    floor = Fraction(25 * 10**24)
    of_derived, of_base = x > max(floor, t / 4), x > max(floor, (t - x) / 4)
    if t < 10**26:
        assert (c.controlled, c.indeterminate) == (False, None)
    elif of_derived == of_base:
        assert (c.controlled, c.indeterminate) == (of_derived, None)
    else:
        assert (c.controlled, c.indeterminate) == (False, "derived_fraction_base")


@FAST
@given(operations, operations, operations)
def test_more_extra_training_never_makes_a_derivative_less_controlled(total, e1, e2) -> None:
    assume(max(e1, e2) <= total)

    def rank(extra):
        c = classify_weights(ModelWeights(training_operations=total, published=False, base_model_published=True,
                                          extra_training_operations=extra), P)
        return 2 if c.controlled else (1 if c.indeterminate else 0)

    assert rank(min(e1, e2)) <= rank(max(e1, e2))
