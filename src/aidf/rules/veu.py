"""Data Center Validated End Users, 15 CFR 748.15: Universal (UVEU) and National (NVEU).

UVEU: headquartered (and ultimate parent) in Tier 1, data centers outside Macau/D:5, its own AI
compute spread under the share limits of Supp. No. 10 para 6. NVEU: not Macau/D:5, one country per
authorization, installed base under the quarterly cumulative cap of 748.15(a)(2)(iii)(B).
Neither draws on a country allocation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from aidf.cite import AIA, UVEU_SHARE_LIMITS, VEU, VEU_CERTIFICATION
from aidf.meters import MILLI, UVEU_SHARE, Draw, nveu_account, uveu_account
from aidf.model import Duty
from aidf.rules.facts import Facts, Line, Verdict, duty

# The facts uveu reads (paths into Facts and Line, rules/facts.py); a test holds it to them.
UVEU_READS = frozenset({
    "all_tier1_hq", "consignee.hq", "consignee.veu", "d5_hq", "dest", "dest_tier", "geo", "line.amount",
    "line.cls.eccn", "line.cls.is_weights", "line.cls.level", "p", "view",
})
# The facts nveu reads (paths into Facts and Line, rules/facts.py); a test holds it to them.
NVEU_READS = frozenset({
    "consignee.veu", "d5_hq", "dest", "dest_tier", "line.amount", "line.cls.is_weights", "line.cls.level",
    "p", "tx.date", "view",
})
READS = UVEU_READS | NVEU_READS

SHARES = "part748/uveu_shares"
CAPS = "part748/nveu_caps"
UVEU_SHARES_CITE = str(UVEU_SHARE_LIMITS)


def _veu(f: Facts, kind: str):
    veu = f.consignee.veu
    return veu if veu is not None and veu.type == kind else None


def _common(line: Line, f: Facts, kind: str) -> Verdict | None:
    if line.cls.is_weights:
        if kind == "NVEU":
            f.warn("no authorization found for 4E091 weights at an NVEU; a license is assumed (register U17)")
            return Verdict(kind, "not_eligible", VEU, "4E091 weights at an NVEU: no authorization found (U17)")
        return Verdict(kind, "not_eligible", AIA.at("(a)(3)"), "4E091 at a UVEU data center travels under AIA (a)(3)")
    if f.dest_tier == 3:
        return Verdict(kind, "not_eligible", VEU.at("(b)(2)"), f"data centers may not be in Macau/D:5 ({f.dest})")
    if f.d5_hq:
        return Verdict(kind, "not_eligible", VEU.at("(b)(2)"), "headquartered (or parent) in Macau/D:5")
    return None


def _holder(line: Line, f: Facts, kind: str):
    """The consignee's VEU status of this kind, or the verdict that ends the test before any cap or share."""
    veu = _veu(f, kind)
    if veu is None:
        return None, Verdict(kind, "not_eligible", VEU, f"the ultimate consignee is not a {kind}")
    return veu, _common(line, f, kind)


# ---- arithmetic (pure; the columnar replay calls the same functions) --------------------------------

@dataclass(frozen=True)
class ShareLimits:
    """Supp. No. 10 to part 748 para 6: a UVEU's AI compute by country, as exact fractions."""

    min_tier1: Fraction
    max_single_non_tier1: Fraction
    min_us_for_us_hq: Fraction


def share_limits(p) -> ShareLimits:
    """The share limits in force in the parameters `p`."""
    frac = lambda k: Fraction(Decimal(str(p.get(SHARES, k))))  # noqa: E731
    return ShareLimits(frac("min_share_tier1"), frac("max_share_single_non_tier1"), frac("min_share_us_for_us_hq"))


def share_breach(after: dict[str, int], dest: str, tier: Callable[[str], int], limits: ShareLimits,
                 us_hq: bool) -> str | None:
    """Which share limit the installed base `after` (milli-TPP by country, this shipment included)
    breaks: "single" (one non-Tier-1 country), "tier1" (too little in Tier 1), "us" (a US-headquartered
    UVEU with too little in the US), or None within the limits. Exact: cross-multiplied integers."""
    total = sum(after.values())
    if tier(dest) != 1 and after[dest] * limits.max_single_non_tier1.denominator > \
            limits.max_single_non_tier1.numerator * total:
        return "single"
    tier1 = sum(v for c, v in after.items() if tier(c) == 1)
    if tier1 * limits.min_tier1.denominator < limits.min_tier1.numerator * total:
        return "tier1"
    if us_hq and after.get("US", 0) * limits.min_us_for_us_hq.denominator < limits.min_us_for_us_hq.numerator * total:
        return "us"
    return None


def declared_base(base_tpp: dict[str, float]) -> dict[str, int]:
    """A declared installed base (TPP by country, as stated) in milli-TPP, read as the decimal written."""
    return {c: int(Fraction(Decimal(repr(float(v)))) * MILLI) for c, v in base_tpp.items()}


def quarter(day: dt.date) -> str:
    """The calendar quarter a date falls in, as the cap table names it (748.15(a)(2)(iii)(B))."""
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def nveu_caps(p) -> dict[str, int]:
    """The NVEU cumulative cap per quarter in force in `p`, in milli-TPP."""
    return {q: int(c) * MILLI for q, c in p.get(CAPS, "quarterly_cap").items()}


def _declared(f: Facts) -> dict[str, int] | None:
    base = f.consignee.veu.installed_base_tpp
    return None if base is None else declared_base(base)


def adds_to_installed_base(cls, diffusion: bool) -> bool:
    """Supp. No. 10 to Part 748, para 6: an authorized shipment of .a-level commodities (not model
    weights) to a UVEU adds to its installed base, whatever authorization it ships under; only the
    framework has the share limits, so a line the 2024 regime decides adds nothing. One rule for the
    engine's tallies and replay's share loop."""
    return diffusion and cls.level == "a" and not cls.is_weights


def counted_base(declared: dict[str, int] | None, ledger: dict[str, int]) -> dict[str, int]:
    """A declared installed base may raise what is counted, never lower it: max(declared, ledger) per country."""
    out = dict(ledger)
    for c, v in (declared or {}).items():
        out[c] = max(out.get(c, 0), v)
    return out


def floors(kind: str, veu: str, declared: dict[str, int] | None, countries=None) -> list[Draw]:
    """The declared base as floor draws: the store raises each account to it (an audited adjustment)."""
    account = uveu_account if kind == "uveu_share" else nveu_account
    return [Draw(account(veu, c), v, None, kind="floor")
            for c, v in sorted((declared or {}).items()) if v > 0 and (countries is None or c in countries)]


def _store_base(f: Facts, kind: str, veu: str) -> dict[str, int]:
    return dict(f.view.ledger.installed_base(kind, veu)) if f.view.ledger is not None else {}


def uveu(line: Line, f: Facts) -> Verdict:
    """Decide whether the consignee's UVEU authorization covers this line within the share limits."""
    veu, early = _holder(line, f, "UVEU")
    if early:
        return early
    if not f.all_tier1_hq:
        return Verdict("UVEU", "not_eligible", VEU.at("(b)(2)(i)"), "a UVEU is headquartered in Tier 1: " + f.hq_summary())
    if line.cls.level != "a":
        return Verdict("UVEU", "eligible", VEU.at("(a)(2)(ii)"), f"{line.cls.eccn} does not count toward UVEU shares")
    declared = _declared(f)
    after = counted_base(declared, _store_base(f, "uveu_share", veu.id))
    for acct, amount in f.view.local.items():  # earlier lines of this transaction
        if acct.kind == "uveu_share" and acct.veu == veu.id and acct.country:
            after[acct.country] = after.get(acct.country, 0) + amount
    after[f.dest] = after.get(f.dest, 0) + line.amount
    total = sum(after.values())
    for k in ("min_share_tier1", "max_share_single_non_tier1", "min_share_us_for_us_hq"):
        f.rests_on(f.p.entry(SHARES, k), "UVEU share limits")
    limits = share_limits(f.p)
    us_hq = f.consignee.hq == "US"
    tier1 = sum(v for c, v in after.items() if f.geo.tier(c) == 1)
    working = (f"after {line.amount / MILLI:,.0f} TPP to {f.dest}: {f.dest} {after[f.dest] / total:.2%}, "
               f"Tier 1 {tier1 / total:.2%} of {total / MILLI:,.0f} TPP "
               f"({'declared' if declared is not None else 'ledger'} base)")
    if us_hq:
        working += f", US {after.get('US', 0) / total:.2%}"
    cite = UVEU_SHARES_CITE
    breach = share_breach(after, f.dest, f.geo.tier, limits, us_hq)
    if breach == "single":
        return Verdict("UVEU", "not_eligible", cite, f"over {float(limits.max_single_non_tier1):.0%} in one non-Tier-1 country: {working}",
                       limit=UVEU_SHARE)
    if breach == "tier1":
        return Verdict("UVEU", "not_eligible", cite, f"under {float(limits.min_tier1):.0%} in Tier 1: {working}", limit=UVEU_SHARE)
    if breach == "us":
        return Verdict("UVEU", "not_eligible", cite, f"US-headquartered UVEU under {float(limits.min_us_for_us_hq):.0%} in the US: {working}",
                       limit=UVEU_SHARE)
    account = uveu_account(veu.id, f.dest)
    draws = floors("uveu_share", veu.id, declared) + [Draw(account, line.amount, None, hq=f.consignee.hq)]
    return Verdict("UVEU", "eligible", cite, "within the share limits: " + working, draws=draws)


def quarter_key(f: Facts) -> str:
    return quarter(f.tx.date)


def nveu(line: Line, f: Facts) -> Verdict:
    """Decide whether the consignee's NVEU authorization covers this line under the quarter's cumulative cap."""
    veu, early = _holder(line, f, "NVEU")
    if early:
        return early
    if line.cls.level != "a":
        return Verdict("NVEU", "eligible", VEU.at("(a)(2)(iii)"), f"{line.cls.eccn} does not count toward the NVEU cap")
    cite = VEU.at("(a)(2)(iii)(B)")
    q = quarter_key(f)
    table = nveu_caps(f.p)
    if q not in table:
        return Verdict("NVEU", "unknown", cite, f"no cap is set for {q} (the table runs 2025Q1-2027Q4)", missing="nveu_cap")
    cap = table[q]
    account = nveu_account(veu.id, f.dest)
    declared = _declared(f)
    counted = counted_base(declared, {f.dest: f.view.ledger.used(account) if f.view.ledger is not None else 0})
    used = counted[f.dest] + f.view.local.get(account, 0)
    after = used + line.amount
    working = (f"{veu.id} in {f.dest}, {q}: {used / MILLI:,.0f} installed + {line.amount / MILLI:,.0f} = "
               f"{after / MILLI:,.0f} of {cap / MILLI:,.0f} TPP")
    if after > cap:
        return Verdict("NVEU", "not_eligible", cite, "over the quarter's cumulative cap: " + working)
    # The store checks the same cap against max(declared, ledger): a declaration never lowers the count.
    return Verdict("NVEU", "eligible", cite, "within the quarter's cumulative cap: " + working,
                   draws=floors("nveu_cap", veu.id, declared, {f.dest}) + [Draw(account, line.amount, cap)])


def quarterly_cap(p, on: dt.date) -> int | None:
    """748.15(a)(2)(iii)(B): the NVEU cumulative installed-base cap (milli-TPP) for the quarter of `on`."""
    return nveu_caps(p).get(quarter(on))


DUTY_READS = frozenset({"line.index"})  # what the VEU duties read (rules/duties.py declares the union)


def uveu_duties(line: Line, f: Facts) -> list[Duty]:
    """748.15: what a line shipped to a UVEU brings."""
    return _duties(line, "UVEU")


def nveu_duties(line: Line, f: Facts) -> list[Duty]:
    """748.15: what a line shipped to an NVEU brings (its reports name current customers too)."""
    return _duties(line, "NVEU")


def _duties(line: Line, kind: str) -> list[Duty]:
    """748.15 and Supp. No. 8 to Part 748: the certification, the notice and the VEU's semi-annual report."""
    i = line.index
    customers = " and current customers" if kind == "NVEU" else ""
    return [duty(f"Obtain the VEU's end-use certification ({VEU_CERTIFICATION})", VEU, "before first shipment",
                 "certification", i),
            duty("Notify the VEU in writing of the shipment's contents and ECCNs", VEU, "with each shipment", "notice", i),
            duty("The VEU reports semi-annually: inventory received and dates" + customers, VEU,
                 "15 July and 15 January", "report", i)]
