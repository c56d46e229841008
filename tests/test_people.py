"""The people layer: codes in words, numbers without spurious zeros, lines from 1, nearest suggestions."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from aidf import people


def test_outcomes_read_as_words_with_policy_and_section():
    assert people.outcome("LICENSE_REQUIRED", None, "presumption_of_denial") == \
        "License required — presumption of denial"
    assert people.outcome("LICENSE_EXCEPTION", "LPP") == "License exception — LPP, 15 CFR 740.29"
    assert people.authorization("LPP") == "LPP, 15 CFR 740.29"
    assert people.authorization_long("NVEU").endswith("15 CFR 748.15")
    assert people.hold_reason("LICENSE_REQUIRED: presumption_of_denial") == "License required — presumption of denial"
    assert people.hold_reason("NEEDS_REVIEW: review") == "Needs review"


def test_accounts_end_uses_and_countries_in_words():
    assert people.account("country_allocation:country=IN:window=2025-2027") == "India — country allocation 2025–2027"
    assert people.account("license:license=D-1") == "License D-1"
    assert people.account({"kind": "lpp_annual", "consignee": "lyon calcul", "year": 2025}) == \
        "LPP annual limit: lyon calcul, 2025"
    assert people.end_use("data_center") == "Data center"
    assert people.end_use(None) == "not stated"
    assert people.country("IN") == "India (IN)"
    assert people.is_country("DE") and not people.is_country("ZZ")


def test_numbers_have_separators_and_no_spurious_zero():
    assert people.number(31662400.0) == "31,662,400"
    assert people.number(0.125, 2) == "0.13"
    assert people.number(Fraction(1, 3), 4) == "0.3333"
    assert people.number(None) == "—"
    assert people.tpp(31662400.0) == "31,662,400 TPP (2,000 H100-equivalents)"
    assert people.operations(1e26) == "1 × 10^26 operations"


@given(st.decimals(min_value=-10**12, max_value=10**12, places=3, allow_nan=False))
def test_number_reads_back_as_the_rounded_value(d: Decimal):
    text = people.number(d, 3)
    assert Decimal(text.replace(",", "")) == d.quantize(Decimal("0.001"))
    assert not (("." in text) and text.endswith("0"))


def test_lines_count_from_one_in_texts_for_people():
    assert people.line(0) == "1"
    assert people.text("line 0: classification needs 'datacenter'") == "line 1: classification needs 'datacenter'"
    assert people.text("lines 2 and 3 presumption_of_denial") == "lines 3 and 3 presumption of denial"


def test_parameter_values_formatted_by_type():
    assert people.parameter_value(790000000, "tpp") == "790,000,000"
    assert people.parameter_value({"first_year": 2025, "last_year": 2027, "label": "2025-2027"}) == "2025–2027"
    assert people.parameter_value([], "arrangement_list") == "none"
    assert people.parameter_value(["DE", "NO"], "iso2_list") == "Germany (DE), Norway (NO)"
    assert people.parameter_value({"HK": "CN"}, "iso2_map") == "Hong Kong (HK) treated as China (CN)"
    assert people.parameter_value(["export", "reexport"], "action_list") == "export, reexport"


def test_suggestions_are_nearest_first():
    ids = ["amd-mi300x", "nvidia-a100", "nvidia-h100-pcie", "nvidia-h100-sxm5", "nvidia-h200-sxm"]
    assert people.suggest("nvidia-h100-sxm", ids)[0] == "nvidia-h100-sxm5"
    assert people.suggest("h200", ids)[0] == "nvidia-h200-sxm"
    assert people.suggest("zzzzzz", ids) == []


def test_transfer_kinds_in_words():
    assert people.transfer_kind("pending") == "reserved"
    assert people.transfer_kind("post") == "posted"


def test_the_part746_policy_of_denial_in_words():
    assert people.review_policy("denial") == "policy of denial"
    assert people.outcome("LICENSE_REQUIRED", None, "denial") == "License required — policy of denial"
    assert people.text("Iran: denial under 15 CFR 746.7") == "Iran: denial under 15 CFR 746.7"


def test_an_assumed_fact_reads_in_words():
    from aidf import people

    hq = {"fact": "parties.ultimate_consignee.headquarters", "value": "BR", "why": "not stated"}
    assert people.assumed(hq) == "Ultimate consignee's headquarters: Brazil (BR) (not stated)"
    direct = {"fact": "direct_to_consignee", "value": True, "why": "not stated"}
    assert people.assumed(direct) == "Shipped directly to the consignee: yes (not stated)"
    assert people.assumed({"fact": "items.0.form", "value": "ic", "why": "not stated"}).startswith("Line 1 item form: chips")
