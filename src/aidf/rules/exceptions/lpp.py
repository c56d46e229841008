"""License Exception Low Processing Performance (LPP), 15 CFR 740.29.

Exports and reexports (not in-country transfers) of .a-level advanced computing ICs, shipped
directly to a single ultimate consignee, up to 26,900,000 cumulative TPP per consignee per
calendar year. Not for Macau/D:5 or Macau/D:5-headquartered entities, and not where
740.2(a)(9)(ii) is triggered, because that list omits LPP.
"""

from __future__ import annotations

from aidf.cite import AES_FILING, LPP, RECORDS, RESTRICTIONS, Noted, joined
from aidf.meters import MILLI, Draw
from aidf.meters import lpp_account as _lpp_account
from aidf.model import AccountRef, Duty
from aidf.rules.facts import Facts, Line, Verdict, duty
from aidf.rules.restrictions import Restriction

# The facts lpp reads (paths into Facts and Line, rules/facts.py); a test holds it to them.
READS = frozenset({
    "consignee.key", "consignee.name", "d5_hq", "dest_tier", "line.amount", "line.cls.eccn",
    "line.cls.is_weights", "line.cls.level", "line.cls.listed_eccn", "p", "tx.action", "tx.date",
    "tx.direct_to_consignee", "view",
})

P = "part740/lpp"


def lpp_account(f: Facts) -> AccountRef:
    return _lpp_account(f.consignee.key, f.tx.date.year)


def annual_cap(p) -> int:
    """740.29(a): the milli-TPP a consignee may receive under LPP in one calendar year (parameters `p`)."""
    return int(p.get(P, "annual_tpp_cap")) * MILLI


def lpp(line: Line, f: Facts, r: Restriction) -> Verdict:
    """Decide whether LPP authorizes this line, against the consignee's running calendar-year total."""
    if r.part746 is not None:  # 740.2(a)(6): Part 746 names none of this engine's exceptions
        return Verdict("LPP", "not_eligible", r.cite, r.why)
    cls = line.cls
    if cls.is_weights or cls.level != "a":
        return Verdict("LPP", "not_eligible", LPP.at("(a)"), f"LPP covers .a-level commodities; {cls.eccn} is not")
    if f.tx.action.value not in f.p.get(P, "actions"):
        return Verdict("LPP", "not_eligible", LPP.at("(a)"), "LPP authorizes exports and reexports, not in-country transfers")
    if not f.tx.direct_to_consignee:
        return Verdict("LPP", "not_eligible", LPP.at("(a)"), "not shipped directly to the ultimate consignee")
    if f.dest_tier == 3 or f.d5_hq:
        return Verdict("LPP", "not_eligible", LPP, "excluded for Macau/D:5 destinations and Macau/D:5-headquartered entities")
    if r.blocks("LPP"):
        f.warn(f"LPP is unavailable wherever {RESTRICTIONS.at('(a)(9)(ii)').short} is triggered, reading its list literally (register U2, "
               "closed on the text); secondary sources (S-SA, S-CSIS) assume Gulf and Central Asian buyers may use LPP")
        return Verdict("LPP", "not_eligible", RESTRICTIONS.at("(a)(9)(ii)"), f"LPP is not among the exceptions left: {r.why}")
    cap = annual_cap(f.p)
    account = lpp_account(f)
    used = f.view.used(account)
    after = used + line.amount
    working = (f"{f.consignee.name!r} {f.tx.date.year}: {used / MILLI:,.1f} used + {line.amount / MILLI:,.1f} = "
               f"{after / MILLI:,.1f} of {cap / MILLI:,.0f} TPP")
    if after > cap:
        return Verdict("LPP", "not_eligible", LPP.at("(a)"), "over the calendar-year limit: " + working)
    if f.p.has(P, "z_items_listed_uncertain") and cls.listed_eccn in f.p.get(P, "z_items_listed_uncertain"):
        f.rests_on(f.p.entry(P, "z_items_listed_uncertain"), f"LPP for {cls.eccn}")
    return Verdict("LPP", "eligible", LPP.at("(a)"), "within the calendar-year limit: " + working,
                   draws=[Draw(account, line.amount, cap)])


DUTY_READS = frozenset({"line.amount", "line.index", "p"})  # what duties() reads (rules/duties.py: the union)


def duties(line: Line, f: Facts) -> list[Duty]:
    """740.29 (S-FGX), 758.1 and 762.2(b)(60): what a line shipped under LPP brings; a shipment past the
    notice figure is warned of (an uncertain reading, so it never blocks)."""
    i, code, cap = line.index, f.p.get(P, "aes_code"), f.p.get(P, "annual_tpp_cap")
    out = [duty(f"Obtain the consignee's certification that this shipment keeps it within {cap:,} TPP this calendar year",
                f"{LPP} (S-FGX)", "before shipping", "certification", i),
           duty("The consignee notifies BIS when it reaches the annual limit", f"{LPP} (S-FGX)", "on reaching it", "notice", i),
           duty(f"Report license exception code {code} in AES", joined(AES_FILING, Noted(LPP, "(S-FGX)")), "at filing", "notice", i),
           duty("Keep LPP records", RECORDS.at("(b)(60)"), "five years", "records", i)]
    notice = f.p.entry(P, "single_shipment_notice_tpp")
    if line.amount >= int(notice.value) * MILLI:
        f.warn(f"a shipment of {notice.value:,} TPP or more may need a BIS notice under LPP; the figure is {notice.status} "
               f"({notice.cite}) and never blocks")
    return out
