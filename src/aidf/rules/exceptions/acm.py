"""License Exception Advanced Compute Manufacturing (ACM), 15 CFR 740.28.

3A090/4A090 (.a and .b) to private sector end users for development, production, or storage before
delivery, outside Macau/D:5 and not for Macau/D:5-headquartered consignees. Not 4E091.
"""

from __future__ import annotations

from aidf.cite import ACM, ECCN_4E091, RECORDS, Noted
from aidf.model import Duty
from aidf.rules.facts import Facts, Line, Verdict, duty
from aidf.rules.restrictions import Restriction

# The facts acm reads (paths into Facts and Line, rules/facts.py); a test holds it to them.
READS = frozenset({
    "d5_hq", "dest", "dest_tier", "entities.party.name", "entities.party.private_sector", "entities.role",
    "line.cls.is_weights", "p", "tx.end_use",
})

P = "part740/acm"


def acm(line: Line, f: Facts, r: Restriction) -> Verdict:
    """Decide whether ACM authorizes this line."""
    if r.part746 is not None:  # 740.2(a)(6): Part 746 names none of this engine's exceptions
        return Verdict("ACM", "not_eligible", r.cite, r.why)
    if line.cls.is_weights:
        return Verdict("ACM", "not_eligible", Noted(ECCN_4E091, "(ACM: No)"), "ACM does not cover 4E091")
    if r.blocks("ACM"):
        return Verdict("ACM", "not_eligible", r.cite, r.why)
    if f.dest_tier == 3:
        return Verdict("ACM", "not_eligible", ACM, f"destination {f.dest} is in Macau/D:5")
    if f.d5_hq:
        return Verdict("ACM", "not_eligible", ACM, "a consignee is headquartered (or has its parent) in Macau/D:5")
    uses = set(f.p.get(P, "end_uses"))
    if (f.tx.end_use or "") not in uses:
        return Verdict("ACM", "not_eligible", ACM.at("(a)"),
                       f"end use {f.tx.end_use!r} is not one of {', '.join(sorted(uses))}")
    for e in f.entities:
        if e.party.private_sector is False:
            return Verdict("ACM", "not_eligible", ACM.at("(d)"), f"{e.role} {e.party.name!r} is not a private sector end user")
        if e.party.private_sector is None:
            return Verdict("ACM", "unknown", ACM.at("(d)"),
                           f"whether {e.role} {e.party.name!r} is a private sector end user is not stated", missing="private_sector")
    return Verdict("ACM", "eligible", ACM.at("(a)"),
                   f"private sector end user, end use {f.tx.end_use}, outside Macau/D:5")


DUTY_READS = frozenset({"line.index", "p"})  # what duties() reads (rules/duties.py declares the union)


def duties(line: Line, f: Facts) -> list[Duty]:
    """740.28 and 762.2(b)(59): what a line shipped under ACM brings."""
    i, months = line.index, f.p.get(P, "record_update_months")
    return [duty(f"Account for units into and out of each facility; update the records at least every {months} months",
                 ACM, "ongoing", "records", i),
            duty("The items must be bound for customers outside Macau and D:5", ACM, "ongoing", "condition", i),
            duty("Keep ACM records", RECORDS.at("(b)(59)"), "five years", "records", i)]
