"""License requirements for advanced computing items and model weights.

15 CFR 742.6(a)(6)(iii)(A) (.a-level, worldwide under the framework), 742.6(a)(6)(iii)(B) (.b-level
to D:1/D:4/D:5 outside A:5/A:6), 744.23(a)(3) (Macau/D:5-headquartered entities anywhere),
742.6(a)(13) (4E091 worldwide); Part 746 destinations (part746.py) whatever else applies; none for Puerto
Rico and the US territories, which are the United States (772.1).
"""

from __future__ import annotations

from dataclasses import dataclass

from aidf.cite import END_USE_744_23, LICENSE_REQUIREMENTS, UNITED_STATES, Citation
from aidf.rules import part746
from aidf.rules.facts import Facts, Line

# The facts license_requirement reads (paths into Facts and Line, rules/facts.py); a test holds it to them.
READS = frozenset({
    "d5_hq", "dest", "geo", "line.cls.eccn", "line.cls.is_weights", "line.cls.level", "p", "ruleset",
    "tx.destination_region",
})


@dataclass
class Requirement:
    required: bool
    cite: Citation
    why: str


def license_requirement(line: Line, f: Facts) -> Requirement:
    """Decide whether a license requirement applies to this line before any exception."""
    cls = line.cls
    if f.geo.is_us_territory(f.dest):
        f.rests_on(f.p.entry("part772/united_states", "territories"), f"{f.dest} as the United States")
        return Requirement(False, UNITED_STATES, f"{f.dest} is the United States under the EAR's definition: "
                                                  "shipping there is neither an export nor a reexport")
    embargoed = part746.requirement(f)
    if embargoed is not None:
        return Requirement(True, *embargoed)
    if cls.is_weights:
        if f.ruleset.diffusion:
            return Requirement(True, LICENSE_REQUIREMENTS.at("(a)(13)"), "4E091 needs a license to every destination worldwide")
        return Requirement(False, LICENSE_REQUIREMENTS.at("(a)(13)"), "this rule set has no 4E091 requirement")
    if f.ruleset.diffusion and cls.level == "a":
        return Requirement(True, LICENSE_REQUIREMENTS.at("(a)(6)(iii)(A)"),
                           f"{cls.eccn} needs a license to or within any destination worldwide")
    return destination_or_hq_requirement(line, f)


def destination_or_hq_requirement(line: Line, f: Facts) -> Requirement:
    """The 2023/2024 scope: D:1/D:4/D:5 outside A:5/A:6, or a Macau/D:5-headquartered entity anywhere."""
    cls = line.cls
    para = "(A)" if cls.level == "a" else "(B)"
    if f.geo.d145_outside_a5a6(f.dest):
        groups = ", ".join(f.geo.groups_of(f.dest)) or "none"
        return Requirement(True, LICENSE_REQUIREMENTS.at("(a)(6)(iii)").at(para),
                           f"{cls.eccn} to {f.dest} (groups {groups}): D:1/D:4/D:5 and not A:5/A:6")
    if f.d5_hq:
        return Requirement(True, END_USE_744_23.at("(a)(3)") if cls.level == "b" else LICENSE_REQUIREMENTS.at("(a)(6)(iii)(A)"),
                           f"{cls.eccn} for an entity headquartered (or with ultimate parent) in Macau or D:5: "
                           + f.hq_summary())
    return Requirement(False, LICENSE_REQUIREMENTS.at("(a)(6)(iii)").at(para),
                       f"{cls.eccn} to {f.dest}: outside D:1/D:4/D:5 (or in A:5/A:6) and no Macau/D:5 headquarters")
