"""The VEU arithmetic both paths call: share limits at their lines, quarters, caps (748.15)."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from aidf.rules.parameters import parameters
from aidf.rules.veu import ShareLimits, declared_base, nveu_caps, quarter, share_breach

LIMITS = ShareLimits(min_tier1=Fraction(3, 4), max_single_non_tier1=Fraction(7, 100),
                     min_us_for_us_hq=Fraction(1, 2))
TIER = {"US": 1, "FR": 1, "IN": 2, "AE": 2}.get


def test_single_country_share_at_the_line():
    assert share_breach({"US": 93, "IN": 7}, "IN", TIER, LIMITS, False) is None      # exactly 7%: within
    assert share_breach({"US": 92, "IN": 8}, "IN", TIER, LIMITS, False) == "single"  # above 7%
    assert share_breach({"US": 930, "IN": 71}, "IN", TIER, LIMITS, False) == "single"


def test_tier1_share_at_the_line():
    assert share_breach({"US": 75, "IN": 5, "AE": 5, "FR": 0, "XX": 15}, "US", lambda c: TIER(c) or 2,
                        LIMITS, False) is None                                          # exactly 75%
    assert share_breach({"US": 74, "IN": 6, "AE": 5, "XX": 15}, "US", lambda c: TIER(c) or 2,
                        LIMITS, False) == "tier1"


def test_us_share_for_us_headquartered():
    assert share_breach({"US": 50, "FR": 50}, "FR", TIER, LIMITS, True) is None         # exactly 50%
    assert share_breach({"US": 49, "FR": 51}, "FR", TIER, LIMITS, True) == "us"
    assert share_breach({"US": 49, "FR": 51}, "FR", TIER, LIMITS, False) is None


def test_quarters_and_caps():
    assert [quarter(dt.date(2025, m, 1)) for m in (1, 3, 4, 6, 7, 9, 10, 12)] == \
        ["2025Q1", "2025Q1", "2025Q2", "2025Q2", "2025Q3", "2025Q3", "2025Q4", "2025Q4"]
    caps = nveu_caps(parameters(dt.date(2025, 7, 1)))
    assert all(isinstance(v, int) and v % 1000 == 0 for v in caps.values())


def test_declared_base_reads_the_decimal_written():
    assert declared_base({"US": 0.1, "DE": 2e9}) == {"US": 100, "DE": 2_000_000_000_000}
