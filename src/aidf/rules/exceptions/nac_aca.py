"""License Exceptions Notified Advanced Computing (NAC) and Advanced Computing Authorized (ACA), 15 CFR 740.8.

Both cover 3A090/4A090 items except 3A090.c and except items designed or marketed for datacenters
that meet 3A090.a. NAC: exports and reexports to Macau/D:5 or to Macau/D:5-headquartered entities,
after a 25-day notice. ACA: the rest of its scope (D:1/D:4 in the April 2024 text; Tier 2 under
the framework's widening, a secondary reading), and in-country transfers within Macau/D:5. Both grants
are 740.8(a); 740.8(b) restricts them: neither is available where Part 744 or 746 requires a license.
"""

from __future__ import annotations

from aidf.cite import FRAMEWORK, NAC_ACA
from aidf.model import Duty
from aidf.rules.facts import Facts, Line, Verdict, duty
from aidf.rules.restrictions import Restriction

# The facts nac_aca reads (paths into Facts and Line, rules/facts.py); a test holds it to them.
READS = frozenset({
    "d5_hq", "dest", "dest_tier", "geo", "line.cls.datacenter", "line.cls.eccn", "line.cls.is_weights",
    "line.cls.level", "p", "tx.action",
})

P = "part740/nac_aca"


def nac_aca(line: Line, f: Facts, r: Restriction) -> Verdict:
    """Decide whether NAC or ACA authorizes this line."""
    cls = line.cls
    if r.part746 is not None:
        return Verdict("NAC", "not_eligible", NAC_ACA.at("(b)"),
                       f"NAC/ACA are not available where Part 746 requires a license: {r.why}")
    if cls.is_weights:
        return Verdict("NAC", "not_eligible", NAC_ACA, "NAC/ACA do not cover 4E091")
    if cls.level == "a":
        if cls.datacenter is None:
            return Verdict("NAC", "unknown", NAC_ACA.at("(a)"),
                           f"{cls.eccn}: NAC/ACA exclude datacenter items meeting 3A090.a; whether it is designed or "
                           "marketed for datacenters is not stated", missing="datacenter")
        if cls.datacenter:
            return Verdict("NAC", "not_eligible", NAC_ACA.at("(a)"),
                           f"{cls.eccn} designed or marketed for datacenters: excluded from NAC/ACA")
    tier3_dest = f.dest_tier == 3
    if f.tx.action.value == "transfer" and tier3_dest:
        return Verdict("ACA", "eligible", NAC_ACA.at("(a)"), f"in-country transfer within {f.dest} (Macau/D:5)")
    if f.tx.action.value == "transfer" and f.d5_hq:
        return Verdict("NAC", "not_eligible", NAC_ACA.at("(a)"),
                       "NAC covers exports and reexports, and ACA excludes Macau/D:5-headquartered entities outside "
                       "Macau/D:5: an in-country transfer to one has neither")
    if tier3_dest or f.d5_hq:
        days = f.p.get(P, "nac_notice_days")
        where = f"destination {f.dest} in Macau/D:5" if tier3_dest else "Macau/D:5-headquartered entity"
        return Verdict("NAC", "eligible", NAC_ACA.at("(a)"),
                       f"{cls.eccn} not a datacenter .a item; {where}; {days}-day notice in SNAP-R first")
    scope = f.p.entry(P, "aca_scope")
    if f.geo.d14_outside_d5(f.dest):
        return Verdict("ACA", "eligible", NAC_ACA.at("(a)"), f"{cls.eccn} to {f.dest} in D:1/D:4 (not Macau/D:5)")
    if scope.value == "tier2" and f.dest_tier == 2:
        f.rests_on(scope, f"ACA for {f.dest} (outside D:1/D:4)")
        return Verdict("ACA", "eligible", NAC_ACA.at("(a)"),
                       f"{cls.eccn} to Tier 2 destination {f.dest} (ACA scope as widened by {FRAMEWORK})")
    return Verdict("ACA", "not_eligible", NAC_ACA.at("(a)"), f"{f.dest} is outside ACA's scope ({scope.value})")


DUTY_READS = frozenset({"line.index", "p"})  # what the duties read (rules/duties.py declares the union)


def nac_duties(line: Line, f: Facts) -> list[Duty]:
    """740.8(a): the notice in SNAP-R before shipping under NAC, and the purchase order."""
    i, days = line.index, f.p.get(P, "nac_notice_days")
    return [duty(f"File the NAC notice in SNAP-R at least {days} days before shipping, with TPP, performance density and "
                 "a datasheet showing datacenter design or marketing", NAC_ACA.at("(a)"), f"{days} days before", "notice", i),
            *aca_duties(line, f)]


def aca_duties(line: Line, f: Facts) -> list[Duty]:
    """740.8: a written purchase order before shipping under ACA (and NAC)."""
    return [duty("Hold a written purchase order", NAC_ACA, "before shipping", "records", line.index)]
