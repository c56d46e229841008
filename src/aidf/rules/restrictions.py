"""15 CFR 740.2(a)(9)(ii): which license exceptions remain for 3A090/4A090/4E091/.z items.

Triggered when the item goes to or within D:1, D:4 or D:5 (outside A:5/A:6), or to an entity
headquartered (or whose ultimate parent is) in Macau or D:5. Then only TMP, NAC/ACA, RPL, GOV,
TSU, HBM, ACM and (for 4E091 only) AIA remain; LPP is not listed.
"""

from __future__ import annotations

from dataclasses import dataclass

from aidf.rules.facts import Facts

# The facts restriction reads (paths into Facts and Line, rules/facts.py); a test holds it to them.
READS = frozenset({
    "d5_hq", "dest", "geo", "p",
})

CITE = "15 CFR 740.2(a)(9)(ii)"
P = "part740/restrictions_740_2"


@dataclass
class Restriction:
    applies: bool
    allowed: frozenset[str]
    why: str

    def blocks(self, code: str) -> bool:
        """True if the restriction is triggered and exception `code` is not among those it leaves."""
        return self.applies and code not in self.allowed


def restriction(f: Facts) -> Restriction:
    """Decide whether 740.2(a)(9)(ii) limits the exceptions available for this transaction."""
    allowed = frozenset(f.p.get(P, "allowed_exceptions"))
    if f.geo.d145_outside_a5a6(f.dest):
        return Restriction(True, allowed, f"destination {f.dest} is in D:1/D:4/D:5 and not in A:5/A:6")
    if f.d5_hq:
        return Restriction(True, allowed, "an entity is headquartered (or has its ultimate parent) in Macau or D:5")
    return Restriction(False, allowed, f"destination {f.dest} outside D:1/D:4/D:5 (or in A:5/A:6) and no Macau/D:5 "
                                       "headquarters")
