"""License Exception Artificial Intelligence Authorization (AIA), 15 CFR 740.27.

(a)(1) .a-level commodities and (a)(2)(ii) 4E091 weights to entities located in Tier 1 whose
headquarters and ultimate parent are in Tier 1; (a)(3) 4E091 weights to Tier-1-headquartered
entities located anywhere but Macau/D:5, stored to Supp. No. 10 to Part 748 paras 14, 15, 18.
"""

from __future__ import annotations

from aidf.cite import (
    AIA,
    APPROVED_DESIGNERS,
    DESIGNER_NOTE,
    RECORDS,
    RED_FLAG_28,
    TIER_1,
    VEU,
    WEIGHTS_STORAGE,
    WEIGHTS_STORAGE_LISTED,
    joined,
    text,
)
from aidf.meters import MILLI, aia_account
from aidf.model import AccountRef, Duty
from aidf.rules.eccn_3a090 import designer_condition_applies
from aidf.rules.facts import Facts, Line, Verdict, duty
from aidf.rules.restrictions import Restriction

# The facts aia reads (paths into Facts and Line, rules/facts.py); a test holds it to them.
READS = frozenset({
    "all_tier1_hq", "dest", "dest_tier", "entities.hq", "entities.parent_hq", "entities.party.country",
    "entities.party.name", "entities.role", "entities.tier1_hq", "geo", "line.cls.eccn",
    "line.cls.is_weights", "line.cls.level", "line.cls.listed_eccn", "line.cls.vendor", "line.index",
    "line.item.model_weights", "p", "tx.date",
})

P = "part740/aia"
SUPP10 = "part748/supp10"
DESIGNER_CITE = joined(AIA.at("(a)(1)"), DESIGNER_NOTE)  # the approved IC designer condition


def aia(line: Line, f: Facts, r: Restriction) -> Verdict:
    """Decide whether AIA authorizes this line."""
    if r.part746 is not None:  # 740.2(a)(6): Part 746 names none of this engine's exceptions
        return Verdict("AIA", "not_eligible", r.cite, r.why)
    if line.cls.is_weights:
        return _weights(line, f, r)
    if line.cls.level != "a":
        return Verdict("AIA", "not_eligible", AIA.at("(a)(1)"), f"(a)(1) lists .a-level commodities; {line.cls.eccn} is not")
    if r.blocks("AIA"):
        return Verdict("AIA", "not_eligible", r.cite, f"restricted to 4E091 here: {r.why}")
    if f.dest_tier != 1:
        return Verdict("AIA", "not_eligible", AIA.at("(a)"), f"destination {f.dest} is not in {TIER_1.at('para (a)').in_part}")
    outside = [e for e in f.entities if not e.tier1_hq]
    if outside:
        e = outside[0]
        return Verdict("AIA", "not_eligible", AIA.at("(a)"),
                       f"{e.role} {e.party.name!r} is headquartered in {e.hq} / ultimate parent in {e.parent_hq}: outside Tier 1")
    located = [e for e in f.entities if f.geo.tier(e.party.country) != 1]
    if located:
        e = located[0]
        return Verdict("AIA", "not_eligible", AIA.at("(a)"), f"{e.role} {e.party.name!r} is located in {e.party.country}, outside Tier 1")
    refused = _designer(line, f)
    if refused is not None:
        return refused
    return Verdict("AIA", "eligible", AIA.at("(a)(1)"),
                   f"{line.cls.eccn} to entities located and headquartered in Tier 1 ({f.dest})")


def _designer(line: Line, f: Facts) -> Verdict | None:
    """740.27(a)(1) as amended by 90 FR 5298: a 3A090.a IC qualifies only if an approved or authorized
    designer designed it. The condition names 3A090.a and the .a-level 5A002.z / 5A992.z (not 4A090.a computers)."""
    cls = line.cls
    if not designer_condition_applies(cls.eccn, cls.listed_eccn, cls.level, f.p) or not f.p.has(P, "designer_condition_since"):
        return None
    if f.tx.date < f.p.get(P, "designer_condition_since"):
        return None
    if line.cls.vendor in set(f.p.get(P, "unapproved_designer_hq")):
        return Verdict("AIA", "not_eligible", DESIGNER_CITE,
                       f"{line.cls.vendor} is not an approved or authorized IC designer")
    if line.cls.vendor is None:
        f.warn(f"line {line.index}: AIA (a)(1) needs a 3A090.a IC designed by an approved or authorized IC designer "
               f"({AIA.at('(a)(1)').short}, {DESIGNER_NOTE.short}); the designer of a chip given by its figures is not stated")
    cutoff = f.p.get(P, "authorized_designer_until")
    if f.tx.date > cutoff:
        f.warn(f"after {cutoff} only approved IC designers ({APPROVED_DESIGNERS}) qualify for AIA (a)(1); "
               f"confirm that {line.cls.vendor or 'the designer'} is listed")
    return None


def _weights(line: Line, f: Facts, r: Restriction) -> Verdict:
    storage = line.item.model_weights.storage_meets_supp10_14_15_18
    if not r.applies and f.dest_tier == 1 and f.all_tier1_hq:
        tier1 = f.p.entry(P, "weights_storage_tier1_location")
        if storage is not True:  # the reading changes this answer unless the storage is known to comply
            f.rests_on(tier1, f"line {line.index}: AIA (a)(2)(ii) for weights located in Tier 1 without the (a)(3) "
                              "storage condition")
        if tier1.value == "does_not_bind":
            return Verdict("AIA", "eligible", AIA.at("(a)(2)(ii)"),
                           f"4E091 to entities located in {f.dest} (Tier 1) and headquartered in Tier 1")
    if not f.all_tier1_hq:
        return Verdict("AIA", "not_eligible", AIA.at("(a)(3)"),
                       "4E091 under AIA needs every entity and its ultimate parent headquartered in Tier 1: " + f.hq_summary())
    if f.dest_tier == 3:
        return Verdict("AIA", "not_eligible", AIA.at("(a)(3)"), f"(a)(3) excludes locations in Macau/D:5 ({f.dest})")
    since = f.p.get(SUPP10, "delayed_compliance_date")
    reading = f.p.entry(P, "weights_storage_from")
    if storage is not True and f.tx.date < since:
        f.rests_on(reading, f"line {line.index}: AIA (a)(3) storage condition read as not yet due before {since}")
    if storage is not True and f.tx.date < since and reading.value == "supp10_delayed_compliance_date":
        return Verdict("AIA", "eligible", joined(AIA.at("(a)(3)(ii)"), VEU.at("(a)(2)(ii)(A)")),
                       f"Tier-1-headquartered recipient located in {f.dest}; {WEIGHTS_STORAGE_LISTED.in_part} apply from "
                       f"{since}, so the storage standard is not yet due")
    if storage is True:
        return Verdict("AIA", "eligible", AIA.at("(a)(3)"),
                       f"Tier-1-headquartered recipient located in {f.dest}; storage meets {WEIGHTS_STORAGE_LISTED}")
    if storage is False:
        return Verdict("AIA", "not_eligible", AIA.at("(a)(3)(ii)"), f"storage does not meet {WEIGHTS_STORAGE_LISTED.in_part}")
    return Verdict("AIA", "unknown", AIA.at("(a)(3)(ii)"),
                   f"whether the storage facility meets {WEIGHTS_STORAGE} is not stated",
                   missing="storage_meets_supp10_14_15_18")


# The facts duties() reads (rules/duties.py declares the union for duties_for).
DUTY_READS = frozenset({"consignee.key", "dest_tier", "line.amount", "line.cls.is_weights", "line.index",
                        "line.item.model_weights", "p", "tx.end_use", "view"})


def duties(line: Line, f: Facts) -> list[Duty]:
    """740.27(a)(3)(ii), (b), (c) and 762.2(b)(58): what a line shipped under AIA brings."""
    i = line.index
    if line.cls.is_weights:
        out = []
        if line.item.model_weights.storage_meets_supp10_14_15_18 is not None or f.dest_tier != 1:
            out.append(duty(f"Store the weights in a facility meeting {WEIGHTS_STORAGE}",
                            AIA.at("(a)(3)(ii)"), "while held", "condition", i))
    else:
        out = [
            duty("Give the ultimate consignee the ECCN of the items (once, while accurate)", AIA.at("(b)(1)"),
                 "before first use", "notice", i),
            duty("Obtain the ultimate consignee's one-time AIA certification (no diversion, no 4E091-scale training or "
                 "onward transfer for entities outside Tier 1, signed and dated)", AIA.at("(b)(2)"), "before first use",
                 "certification", i),
            duty("Tell the consignee in writing that the shipment goes under AIA, naming the items", AIA.at("(b)(3)"),
                 "with each shipment", "notice", i),
        ]
        out += _certification_report(line, f)
        if f.tx.end_use == "frontier_training":
            out.append(duty("Do not use the items, or IaaS on them, to train 4E091-scale models for entities headquartered "
                            "or located outside Tier 1 without BIS authorization; ask customers whether they will export "
                            "the weights", text(AIA.at("(b)(2)(iii)"), RED_FLAG_28),
                            "ongoing", "condition", i))
    return out + [duty("Keep AIA records", RECORDS.at("(b)(58)"), "five years", "records", i)]


def tally_account(f: Facts) -> AccountRef:
    """The consignee's cumulative (a)(1) TPP under AIA, kept for the 740.27(c) report."""
    return aia_account(f.consignee.key)


def _certification_report(line: Line, f: Facts) -> list[Duty]:
    """740.27(c): email the certification to BIS when the consignee's cumulative (a)(1) TPP reaches the trigger."""
    trigger = f.p.entry(P, "certification_report_tpp")
    comparator = f.p.entry(P, "certification_report_comparator")
    before = f.view.used(tally_account(f))
    after = before + line.amount
    limit = int(trigger.value) * MILLI
    # Only the shipment that crosses the line brings the report; earlier ones are below it, later ones past it.
    reached = before < limit <= after if comparator.value == "at_least" else before <= limit < after
    if not reached:
        return []
    f.rests_on(comparator, "the AIA certification report")
    return [duty("Email the AIA certification to EARReports@bis.doc.gov (subject 'AIA Certification') before this export: "
                 f"cumulative TPP to the consignee reaches {trigger.value:,}", AIA.at("(c)"), "before the export", "report",
                 line.index)]
