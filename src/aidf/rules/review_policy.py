"""License review policy, 15 CFR 742.6(b)(10) and 744.23(d), with Tier 2 country allocations.

Denial for Macau/D:5 destinations and Macau/D:5-headquartered entities; for Tier 2 .a-level items,
approval while the destination's allocation (790,000,000 TPP over 2025-2027, doubled under a
government-to-government arrangement) can cover the shipment; 4E091 approval only for Tier 1. At a Part 746
destination the section's own policy decides (`denial` for a policy of denial; part746.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from aidf.cite import END_USE_744_23, H200_RULE, REVIEW_POLICY, TIER_1, Citation, Noted, text
from aidf.meters import MILLI, Draw
from aidf.meters import allocation_account as _allocation_account
from aidf.model import AccountRef
from aidf.rules import part746
from aidf.rules.facts import Facts, Line
from aidf.rules.parameters import Parameters

# The facts review_policy reads (paths into Facts and Line, rules/facts.py); a test holds it to them.
READS = frozenset({
    "all_tier1_hq", "d5_hq", "dest", "dest_tier", "entities.hq", "entities.parent_hq", "geo", "line.amount",
    "line.cls.chip_tpp", "line.cls.is_weights", "line.cls.level", "line.cls.memory_bw_tbs", "p", "ruleset",
    "tx.action", "tx.date", "tx.destination_region", "tx.end_use", "view",
})

P = "part742/review_policy"
ALLOC = "part742/country_allocation"
CITE = REVIEW_POLICY
ALLOCATION_CITE = text(CITE, TIER_1)  # the country allocation of Tier 2
# 744.23(d)(1)-(3): denial for Macau/D:5, approval for US or A:5/A:6 headquarters, else case by case.
D5_CITE = text(CITE, END_USE_744_23.at("(d)(1)"))
TRUSTED_HQ_CITE = text(CITE, END_USE_744_23.at("(d)(2)"))
OTHER_HQ_CITE = text(CITE, END_USE_744_23.at("(d)(3)"))
CHINA_2026_CITE = Noted(CITE.at("(iii)"), f"({H200_RULE})")


@dataclass
class Review:
    policy: str
    cite: Citation | str  # a parameter's own citation where the policy is read from its file
    why: str
    draws: list[Draw] = field(default_factory=list)


def _policy(f: Facts, name: str, what: str) -> str:
    entry = f.p.entry(P, name)
    f.rests_on(entry, what)
    return entry.value


def allocation_account(f: Facts) -> tuple[AccountRef, dict]:
    window = f.p.get(ALLOC, "window")
    return _allocation_account(f.dest, window["label"]), window


def review_policy(line: Line, f: Facts) -> Review:
    """Decide the review policy for a line that needs a license, and what it would draw."""
    cls = line.cls
    embargo = part746.embargo(f)
    if embargo is not None:
        return Review(*part746.review(f, embargo))
    china = _china_2026(line, f)
    if china is not None:
        return china
    if f.dest_tier == 3 or f.d5_hq:
        who = f"destination {f.dest} in Macau/D:5" if f.dest_tier == 3 else "Macau/D:5-headquartered entity"
        return Review(_policy(f, "tier3_or_d5_hq", "review policy"), D5_CITE, f"{who}: presumption of denial")
    if not f.ruleset.diffusion:
        return _headquarters_policy(f)
    if cls.is_weights:
        name = "model_weights_tier1" if f.dest_tier == 1 else "model_weights_other"
        if f.dest_tier == 1 and not f.all_tier1_hq:
            f.warn("4E091 to a Tier 1 location for an entity headquartered outside Tier 1: the review policy for this "
                   "case is not found in the text read (registers U3, U16); the destination's policy is shown")
        return Review(_policy(f, name, "4E091 review policy"), CITE, f"4E091 to a Tier {f.dest_tier} destination")
    if cls.level == "a" and f.dest_tier == 2:
        return _allocation(line, f)
    if f.dest_tier == 1:
        return Review(_policy(f, "tier1_non_tier1_hq", "review policy for a Tier 1 location with non-Tier-1 headquarters"),
                      CITE, "Tier 1 destination, entity headquartered outside Tier 1: policy not found in text read (U3)")
    return _headquarters_policy(f)


def _china_2026(line: Line, f: Facts) -> Review | None:
    """742.6(b)(10)(iii) from 2026-01-15: case by case for US exports of H200-class chips to China/Macau.

    Part of the regime BIS enforces after its May 2025 announcement; the framework as published predates it.
    """
    path = "part742/china_review_2026"
    cls = line.cls
    if not f.ruleset.hq_requirement_only or not f.p.has(path, "policy") or cls.level != "a" or cls.is_weights:
        return None
    if f.dest not in f.p.countries(path, "destinations") or f.tx.action.value != "export":
        return None
    if cls.chip_tpp is None or cls.chip_tpp >= f.p.fraction(path, "chip_tpp_max_exclusive"):
        return None
    cite = CHINA_2026_CITE
    if cls.memory_bw_tbs is None:
        f.warn(f"the 2026 China review policy turns on DRAM bandwidth below "
               f"{float(f.p.fraction(path, 'dram_bandwidth_gbps_max_exclusive')):,.0f} GB/s, which is not known for this chip")
        return None
    if cls.memory_bw_tbs * 1000 >= f.p.fraction(path, "dram_bandwidth_gbps_max_exclusive"):
        return None
    entry = f.p.entry(path, "policy")
    f.rests_on(entry, "the 2026 China review policy")
    tpp_max = float(f.p.fraction(path, "chip_tpp_max_exclusive"))
    bw_max = float(f.p.fraction(path, "dram_bandwidth_gbps_max_exclusive"))
    return Review(entry.value, cite, f"export from the US of a chip with TPP {float(cls.chip_tpp):,.0f} < {tpp_max:,.0f} and DRAM "
                                     f"bandwidth {float(cls.memory_bw_tbs) * 1000:,.0f} GB/s < {bw_max:,.0f} to {f.dest}: case by case, "
                                     "with the rule's certifications, US third-party testing and volume conditions")


def _headquarters_policy(f: Facts) -> Review:
    """744.23(d)(2)-(3): approval for end users headquartered in the US or A:5/A:6, else case by case."""
    trusted = {"US"} | f.geo.a5 | f.geo.a6
    if all(f.geo.canon(e.hq) in trusted and f.geo.canon(e.parent_hq) in trusted for e in f.entities):
        return Review(_policy(f, "us_a5_a6_hq", "review policy"), TRUSTED_HQ_CITE,
                      "every entity is headquartered, with its ultimate parent, in the US or A:5/A:6")
    return Review(_policy(f, "other", "review policy"), OTHER_HQ_CITE, "case-by-case review")


def published_arrangement(p: Parameters, country: str, on: dt.date) -> dict | None:
    """A government-to-government arrangement listed in the parameters (none is known to date)."""
    for a in p.get(ALLOC, "arrangements") or []:
        if a.get("country") == country and str(a.get("since", "")) <= on.isoformat():
            return a
    return None


def allocation_limit(p: Parameters, arrangement: dict | None) -> int:
    """742.6(b)(10), Supp. No. 5 to Part 740: a Tier 2 country's allocation in milli-TPP, multiplied
    once where a government-to-government arrangement (recorded or published) is in force."""
    limit = int(p.get(ALLOC, "tpp_per_country")) * MILLI
    return limit * p.get(ALLOC, "gov_to_gov_multiplier") if arrangement else limit


def arrangement_in_force(f: Facts) -> dict | None:
    """The arrangement for the destination on the date: recorded in the ledger, else published."""
    return f.view.arrangement(f.dest, f.tx.date) or published_arrangement(f.p, f.dest, f.tx.date)


def _allocation(line: Line, f: Facts) -> Review:
    account, window = allocation_account(f)
    per_country = f.p.entry(ALLOC, "tpp_per_country")
    f.rests_on(per_country, "the country allocation")
    cite = ALLOCATION_CITE
    if not window["first_year"] <= f.tx.date.year <= window["last_year"]:
        f.warn(f"no country allocation is set for {f.tx.date.year} (window {window['label']}); review policy not settled")
        return Review(_policy(f, "other", "review policy"), cite, f"outside the allocation window {window['label']}")
    compliance = f.p.get("dates", "diffusion_compliance")
    if f.tx.date < compliance:
        f.warn(f"whether licenses before the compliance date ({compliance}) draw on the allocation is uncertain "
               "(register U4: the window may start at the effective, publication or compliance date)")
    arrangement = arrangement_in_force(f)
    limit = allocation_limit(f.p, arrangement)
    basis = f"{per_country.value:,} TPP"
    if arrangement:
        mult = f.p.get(ALLOC, "gov_to_gov_multiplier")
        basis += f" x {mult} under the government-to-government arrangement {arrangement.get('reference', '')}".rstrip()
    used = f.view.used(account)
    after = used + line.amount
    working = f"{f.dest} {window['label']}: {used / MILLI:,.1f} drawn + {line.amount / MILLI:,.1f} = {after / MILLI:,.1f} of {basis}"
    if after <= limit:
        return Review(_policy(f, "tier2_within_allocation", "presumption of approval within the allocation"), cite,
                      "within the country allocation: " + working, draws=[Draw(account, line.amount, limit)])
    f.warn("policy once a country allocation cannot cover a shipment is not found in the text read (register U3); "
           "modelled as presumption of denial")
    return Review(_policy(f, "tier2_after_allocation", "review policy past the allocation"), cite,
                  "the country allocation cannot cover it: " + working)
