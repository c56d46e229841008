"""License Exception Low Processing Performance (LPP), 15 CFR 740.29.

Exports and reexports (not in-country transfers) of .a-level advanced computing ICs, shipped
directly to a single ultimate consignee, up to 26,900,000 cumulative TPP per consignee per
calendar year. Not for Macau/D:5 or Macau/D:5-headquartered entities, and not where
740.2(a)(9)(ii) is triggered, because that list omits LPP.
"""

from __future__ import annotations

from aidf.ledger.base import MILLI, Draw
from aidf.model import AccountRef
from aidf.rules.facts import Facts, Line, Verdict
from aidf.rules.restrictions import Restriction

P = "part740/lpp"


def lpp_account(f: Facts) -> AccountRef:
    return AccountRef(kind="lpp_annual", consignee=f.consignee.key, year=f.tx.date.year)


def lpp(line: Line, f: Facts, r: Restriction) -> Verdict:
    """Decide whether LPP authorizes this line, against the consignee's running calendar-year total."""
    if r.part746 is not None:  # 740.2(a)(6): Part 746 names none of this engine's exceptions
        return Verdict("LPP", "not_eligible", r.cite, r.why)
    cls = line.cls
    if cls.is_weights or cls.level != "a":
        return Verdict("LPP", "not_eligible", "15 CFR 740.29(a)", f"LPP covers .a-level commodities; {cls.eccn} is not")
    if f.tx.action.value not in f.p.get(P, "actions"):
        return Verdict("LPP", "not_eligible", "15 CFR 740.29(a)", "LPP authorizes exports and reexports, not in-country transfers")
    if not f.tx.direct_to_consignee:
        return Verdict("LPP", "not_eligible", "15 CFR 740.29(a)", "not shipped directly to the ultimate consignee")
    if f.dest_tier == 3 or f.d5_hq:
        return Verdict("LPP", "not_eligible", "15 CFR 740.29", "excluded for Macau/D:5 destinations and Macau/D:5-headquartered entities")
    if r.blocks("LPP"):
        f.warn("LPP is unavailable wherever 740.2(a)(9)(ii) is triggered, reading its list literally (register U2, "
               "closed on the text); secondary sources (S-SA, S-CSIS) assume Gulf and Central Asian buyers may use LPP")
        return Verdict("LPP", "not_eligible", "15 CFR 740.2(a)(9)(ii)", f"LPP is not among the exceptions left: {r.why}")
    cap_entry = f.p.entry(P, "annual_tpp_cap")
    cap = int(cap_entry.value) * MILLI
    account = lpp_account(f)
    used = f.view.used(account)
    after = used + line.amount
    working = (f"{f.consignee.name!r} {f.tx.date.year}: {used / MILLI:,.1f} used + {line.amount / MILLI:,.1f} = "
               f"{after / MILLI:,.1f} of {cap / MILLI:,.0f} TPP")
    if after > cap:
        return Verdict("LPP", "not_eligible", "15 CFR 740.29(a)", "over the calendar-year limit: " + working)
    if f.p.has(P, "z_items_listed_uncertain") and cls.listed_eccn in f.p.get(P, "z_items_listed_uncertain"):
        f.rests_on(f.p.entry(P, "z_items_listed_uncertain"), f"LPP for {cls.eccn}")
    return Verdict("LPP", "eligible", "15 CFR 740.29(a)", "within the calendar-year limit: " + working,
                   draws=[Draw(account, line.amount, cap)])
