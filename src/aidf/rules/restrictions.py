"""15 CFR 740.2(a)(9)(ii): which license exceptions remain for 3A090/4A090/4E091/.z items.

Triggered when the item goes to or within D:1, D:4 or D:5 (outside A:5/A:6), or to an entity
headquartered (or whose ultimate parent is) in Macau or D:5. Then only TMP, NAC/ACA, RPL, GOV,
TSU, HBM, ACM and (for 4E091 only) AIA remain; LPP is not listed.

15 CFR 740.2(a)(6): where Part 746 requires a license, only the exceptions Part 746 itself names remain,
and none of this engine's is among them for these items; a Data Center VEU authorization does not
overcome a Part 746 requirement either.
"""

from __future__ import annotations

from dataclasses import dataclass

from aidf.cite import RESTRICTIONS, VEU, Cite, text
from aidf.rules import part746
from aidf.rules.facts import Facts, Line, Verdict

# The facts restriction reads (paths into Facts and Line, rules/facts.py); a test holds it to them.
READS = frozenset({
    "d5_hq", "dest", "geo", "p", "tx.destination_region",
})

CITE = RESTRICTIONS.at("(a)(9)(ii)")
CITE_746 = RESTRICTIONS.at("(a)(6)")
P = "part740/restrictions_740_2"


@dataclass
class Restriction:
    applies: bool
    allowed: frozenset[str]
    why: str
    cite: Cite = CITE
    part746: Cite | None = None  # the Part 746 section requiring a license, when one does

    def blocks(self, code: str) -> bool:
        """True if the restriction is triggered and exception `code` is not among those it leaves."""
        return self.applies and code not in self.allowed


def restriction(f: Facts) -> Restriction:
    """Decide whether 740.2(a)(6) or (a)(9)(ii) limits the exceptions available for this transaction."""
    e = part746.embargo(f)
    if e is not None:
        return Restriction(True, frozenset(), f"{e.where}: Part 746 requires a license and names none of this "
                                              f"engine's exceptions ({e.section})", CITE_746, e.section)
    allowed = frozenset(f.p.get(P, "allowed_exceptions"))
    if f.geo.d145_outside_a5a6(f.dest):
        return Restriction(True, allowed, f"destination {f.dest} is in D:1/D:4/D:5 and not in A:5/A:6")
    if f.d5_hq:
        return Restriction(True, allowed, "an entity is headquartered (or has its ultimate parent) in Macau or D:5")
    return Restriction(False, allowed, f"destination {f.dest} outside D:1/D:4/D:5 (or in A:5/A:6) and no Macau/D:5 "
                                       "headquarters")


def veu_under_part746(decide):
    """A Data Center VEU candidate that yields to a Part 746 license requirement (748.15 authorizes
    only what 742/744 require; it lifts no embargo or sanction)."""
    def candidate(line: Line, f: Facts, r: Restriction) -> Verdict:
        if r.part746 is not None:
            kind = decide.__name__.upper()
            return Verdict(kind, "not_eligible", text(VEU, r.part746), r.why)
        return decide(line, f)
    return candidate
