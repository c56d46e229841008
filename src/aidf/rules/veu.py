"""Data Center Validated End Users, 15 CFR 748.15: Universal (UVEU) and National (NVEU).

UVEU: headquartered (and ultimate parent) in Tier 1, data centers outside Macau/D:5, its own AI
compute spread under the share limits of Supp. No. 10 para 6. NVEU: not Macau/D:5, one country per
authorization, installed base under the quarterly cumulative cap of 748.15(a)(2)(iii)(B).
Neither draws on a country allocation.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from aidf.ledger.base import MILLI, Draw
from aidf.model import AccountRef
from aidf.rules.facts import Facts, Line, Verdict

SHARES = "part748/uveu_shares"
CAPS = "part748/nveu_caps"


def _veu(f: Facts, kind: str):
    veu = f.consignee.veu
    return veu if veu is not None and veu.type == kind else None


def _common(line: Line, f: Facts, kind: str) -> Verdict | None:
    if line.cls.is_weights:
        if kind == "NVEU":
            f.warn("no authorization found for 4E091 weights at an NVEU; a license is assumed (register U17)")
            return Verdict(kind, "not_eligible", "15 CFR 748.15", "4E091 weights at an NVEU: no authorization found (U17)")
        return Verdict(kind, "not_eligible", "15 CFR 740.27(a)(3)", "4E091 at a UVEU data center travels under AIA (a)(3)")
    if f.dest_tier == 3:
        return Verdict(kind, "not_eligible", "15 CFR 748.15(b)(2)", f"data centers may not be in Macau/D:5 ({f.dest})")
    if f.d5_hq:
        return Verdict(kind, "not_eligible", "15 CFR 748.15(b)(2)", "headquartered (or parent) in Macau/D:5")
    return None


def _holder(line: Line, f: Facts, kind: str):
    """The consignee's VEU status of this kind, or the verdict that ends the test before any cap or share."""
    veu = _veu(f, kind)
    if veu is None:
        return None, Verdict(kind, "not_eligible", "15 CFR 748.15", f"the ultimate consignee is not a {kind}")
    return veu, _common(line, f, kind)


def declared_milli(base: dict[str, float] | None) -> dict[str, int] | None:
    """A declared installed base (TPP by country, as stated) in milli-TPP, exactly as written."""
    if base is None:
        return None
    return {c: int(Fraction(Decimal(repr(float(v)))) * MILLI) for c, v in base.items()}


def _declared(f: Facts) -> dict[str, int] | None:
    return declared_milli(f.consignee.veu.installed_base_tpp)


def counted_base(declared: dict[str, int] | None, ledger: dict[str, int]) -> dict[str, int]:
    """A declared installed base may raise what is counted, never lower it: max(declared, ledger) per country."""
    out = dict(ledger)
    for c, v in (declared or {}).items():
        out[c] = max(out.get(c, 0), v)
    return out


def floors(kind: str, veu: str, declared: dict[str, int] | None, countries=None) -> list[Draw]:
    """The declared base as floor draws: the store raises each account to it (an audited adjustment)."""
    return [Draw(AccountRef(kind=kind, veu=veu, country=c), v, None, kind="floor")
            for c, v in sorted((declared or {}).items()) if v > 0 and (countries is None or c in countries)]


SHARE_LIMITS = ("min_share_tier1", "max_share_single_non_tier1", "min_share_us_for_us_hq")


def share_limits(p) -> dict[str, Fraction]:
    return {k: p.fraction(SHARES, k) for k in SHARE_LIMITS}


@dataclass(frozen=True)
class Shares:
    """A UVEU's shares after a shipment to `dest`, and the first limit they break (None: within)."""

    dest: Fraction
    tier1: Fraction
    us: Fraction | None
    total: int
    breach: str | None


def share_test(after: dict[str, int], dest: str, tier_of, limits: dict[str, Fraction], us_hq: bool) -> Shares:
    """Supp. No. 10 to Part 748 para 6: at most 7% in one non-Tier-1 country, at least 75% in Tier 1, and
    at least 50% in the US for a US-headquartered UVEU, of the UVEU's compute after the shipment."""
    total = sum(after.values())
    share_dest = Fraction(after.get(dest, 0), total)
    share_t1 = Fraction(sum(v for c, v in after.items() if tier_of(c) == 1), total)
    share_us = Fraction(after.get("US", 0), total) if us_hq else None
    breach = None
    if tier_of(dest) != 1 and share_dest > limits["max_share_single_non_tier1"]:
        breach = "max_share_single_non_tier1"
    elif share_t1 < limits["min_share_tier1"]:
        breach = "min_share_tier1"
    elif share_us is not None and share_us < limits["min_share_us_for_us_hq"]:
        breach = "min_share_us_for_us_hq"
    return Shares(share_dest, share_t1, share_us, total, breach)


def _store_base(f: Facts, kind: str, veu: str) -> dict[str, int]:
    return dict(f.view.ledger.installed_base(kind, veu)) if f.view.ledger is not None else {}


def uveu(line: Line, f: Facts) -> Verdict:
    """Decide whether the consignee's UVEU authorization covers this line within the share limits."""
    veu, early = _holder(line, f, "UVEU")
    if early:
        return early
    if not f.all_tier1_hq:
        return Verdict("UVEU", "not_eligible", "15 CFR 748.15(b)(2)(i)", "a UVEU is headquartered in Tier 1: " + f.hq_summary())
    if line.cls.level != "a":
        return Verdict("UVEU", "eligible", "15 CFR 748.15(a)(2)(ii)", f"{line.cls.eccn} does not count toward UVEU shares")
    declared = _declared(f)
    after = counted_base(declared, _store_base(f, "uveu_share", veu.id))
    for acct, amount in f.view.local.items():  # earlier lines of this transaction
        if acct.kind == "uveu_share" and acct.veu == veu.id and acct.country:
            after[acct.country] = after.get(acct.country, 0) + amount
    after[f.dest] = after.get(f.dest, 0) + line.amount
    limits = share_limits(f.p)
    for k in SHARE_LIMITS:
        f.rests_on(f.p.entry(SHARES, k), "UVEU share limits")
    us_hq = f.consignee.hq == "US"
    sh = share_test(after, f.dest, f.geo.tier, limits, us_hq)
    working = (f"after {line.amount / MILLI:,.0f} TPP to {f.dest}: {f.dest} {float(sh.dest):.2%}, Tier 1 {float(sh.tier1):.2%} "
               f"of {sh.total / MILLI:,.0f} TPP ({'declared' if declared is not None else 'ledger'} base)")
    if sh.us is not None:
        working += f", US {float(sh.us):.2%}"
    cite = "15 CFR 748.15(a)(2)(ii)(B); Supp. No. 10 to Part 748 para 6"
    what = {"max_share_single_non_tier1": "over {:.0%} in one non-Tier-1 country",
            "min_share_tier1": "under {:.0%} in Tier 1",
            "min_share_us_for_us_hq": "US-headquartered UVEU under {:.0%} in the US"}
    if sh.breach is not None:
        return Verdict("UVEU", "not_eligible", cite, f"{what[sh.breach].format(float(limits[sh.breach]))}: {working}")
    account = AccountRef(kind="uveu_share", veu=veu.id, country=f.dest)
    draws = floors("uveu_share", veu.id, declared) + [Draw(account, line.amount, None, hq=f.consignee.hq)]
    return Verdict("UVEU", "eligible", cite, "within the share limits: " + working, draws=draws)


def quarter_key(f: Facts) -> str:
    return f"{f.tx.date.year}Q{(f.tx.date.month - 1) // 3 + 1}"


def nveu(line: Line, f: Facts) -> Verdict:
    """Decide whether the consignee's NVEU authorization covers this line under the quarter's cumulative cap."""
    veu, early = _holder(line, f, "NVEU")
    if early:
        return early
    if line.cls.level != "a":
        return Verdict("NVEU", "eligible", "15 CFR 748.15(a)(2)(iii)", f"{line.cls.eccn} does not count toward the NVEU cap")
    cite = "15 CFR 748.15(a)(2)(iii)(B)"
    q = quarter_key(f)
    cap = quarterly_cap(f.p, f.tx.date)
    if cap is None:
        return Verdict("NVEU", "unknown", cite, f"no cap is set for {q} (the table runs 2025Q1-2027Q4)", missing="nveu_cap")
    account = AccountRef(kind="nveu_cap", veu=veu.id, country=f.dest)
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


def quarterly_cap(p, on) -> int | None:
    """748.15(a)(2)(iii)(B): the NVEU cumulative installed-base cap (milli-TPP) for the quarter of `on`."""
    table = p.get(CAPS, "quarterly_cap")
    q = f"{on.year}Q{(on.month - 1) // 3 + 1}"
    return int(table[q]) * MILLI if q in table else None
