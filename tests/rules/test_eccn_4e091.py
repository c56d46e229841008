"""ECCN 4E091 at function level: the 10^26 threshold, published and derived-model exclusions, dates."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction as F

import pytest

from aidf.model import ModelWeights
from aidf.rules.eccn_4e091 import classify_weights, derived_threshold
from aidf.rules.parameters import parameters

P = parameters(dt.date(2025, 7, 1))
E26 = 10**26


def w(ops, published=False, base=None, extra=None) -> ModelWeights:
    return ModelWeights(training_operations=ops, published=published, base_model_published=base,
                        extra_training_operations=extra)


def test_the_derived_threshold_is_the_higher_of_2_5e25_and_a_quarter() -> None:
    assert derived_threshold(F(E26), F(0), "derived_model", P) == F(25 * 10**24)
    assert derived_threshold(F(4 * E26), F(0), "derived_model", P) == F(E26)
    # of the base model: a quarter of (total - extra)
    assert derived_threshold(F(4 * E26), F(E26), "base_model", P) == F(75 * 10**24)
    assert derived_threshold(F(E26), F(E26 // 2), "base_model", P) == F(25 * 10**24)


@pytest.mark.parametrize(("weights", "controlled", "indeterminate"), [
    (w(1e26), True, None),
    (w(9.9999999e25), False, None),
    (w(1e30, published=True), False, None),
    (w(1e26, base=True, extra=2.5e25), False, None),
    (w(1e26, base=True, extra=2.5000001e25), True, None),
    (w(4e26, base=True, extra=1.0000001e26), True, None),
    (w(4e26, base=True, extra=8e25), False, None),
    (w(4e26, base=True, extra=1e26), False, "derived_fraction_base"),
    (w(4e26, base=True), False, "extra_training_operations"),
    (w(4e26, base=False, extra=1e26), True, None),
])
def test_classify_weights(weights, controlled, indeterminate) -> None:
    c = classify_weights(weights, P)
    assert (c.controlled, c.indeterminate) == (controlled, indeterminate)
    assert c.eccn == ("4E091" if controlled else None)
    assert c.trace and all(t.cite for t in c.trace)


def test_controlled_weights_flag_the_foreign_direct_product_rule() -> None:
    c = classify_weights(w(2e26), P)
    assert [t.cite for t in c.trace][-1] == "15 CFR 734.9(l)"


def test_the_uncertain_base_reading_is_a_warning_never_a_guess() -> None:
    c = classify_weights(w(2e26, base=True, extra=4.5e25), P)
    assert c.indeterminate == "derived_fraction_base" and not c.controlled
    assert c.warnings and "uncertain" in c.warnings[0]


def test_4e091_is_not_in_force_before_2025_01_13() -> None:
    before = classify_weights(w(1e30), parameters(dt.date(2025, 1, 12)))
    assert not before.controlled and before.trace[0].result == "not in force"
    assert classify_weights(w(1e30), parameters(dt.date(2025, 1, 13))).controlled


def test_the_threshold_is_compared_exactly_even_for_float_inputs() -> None:
    # 1e26 as a binary float is 100000000000000004764729344; the rule's number is exactly 10**26
    assert classify_weights(w(float(E26)), P).controlled
    assert not classify_weights(w(float(E26) * (1 - 1e-15)), P).controlled
