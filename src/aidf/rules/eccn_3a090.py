"""ECCN 3A090 (and 4A090 for computers carrying such ICs): TPP, performance density, .a / .b.

15 CFR Part 774, Supp. No. 1. TPP = 2 x MacTOPS x bit length, the highest over precisions, summed
over processing units (Technical Notes 1-3); PD = TPP / applicable die area (Technical Note 4).
All comparisons are exact (Fractions): thresholds such as 4,800 and 5.92 are tested on both sides.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

from aidf.cite import ECCN_3A090, RESTRICTIONS, Entry, joined
from aidf.errors import InputError
from aidf.model import TraceStep
from aidf.rules.parameters import Parameters

P = "part774/eccn_3a090"
CITE = str(ECCN_3A090)


def tpp_from_peaks(peaks: dict[str, float | Fraction], p: Parameters, field_name: str = "peak_dense") -> Fraction:
    """3A090 Technical Notes 1-2: TPP is the highest of dense peak x bit length over the precisions given."""
    bits = p.get(P, "precision_bits")
    best = Fraction(0)
    for name, tops in peaks.items():
        key = name.strip().lower()
        if "sparse" in key:
            raise InputError(f"{field_name}.{name}", "sparse figures are refused: TPP uses dense peaks "
                             "(3A090 Technical Note 3); give the dense figure (usually half the sparse one)")
        key = key.removesuffix("_dense")
        if key not in bits:
            raise InputError(f"{field_name}.{name}", f"unknown precision; allowed: {', '.join(sorted(bits))}")
        if not isinstance(tops, Fraction) and not math.isfinite(tops):
            raise InputError(f"{field_name}.{name}", f"must be a finite number > 0 (got {tops})")
        value = tops if isinstance(tops, Fraction) else Fraction(str(tops))
        if value <= 0:
            raise InputError(f"{field_name}.{name}", "must be a number > 0")
        best = max(best, value * bits[key])
    return best


def performance_density(tpp: Fraction, die_area: Fraction | None) -> Fraction | None:
    """3A090 Technical Note 4: PD = TPP / applicable die area (logic dies on non-planar processes)."""
    return None if die_area is None else tpp / die_area


@dataclass
class ChipClass:
    """The 3A090 answer for one IC: level 'a', 'b' or None, or indeterminate with the missing fact."""

    level: str | None
    prongs: list[str] = field(default_factory=list)
    indeterminate: str | None = None
    trace: list[TraceStep] = field(default_factory=list)

    @property
    def eccn(self) -> str | None:
        return f"3A090.{self.level}" if self.level else None


def _step(rule: str, cite: str, result: str, why: str) -> TraceStep:
    return TraceStep(rule=rule, cite=cite, result=result, why=why)


def classify_ic(tpp: Fraction, die_area: Fraction | None, datacenter: bool | None, p: Parameters) -> ChipClass:
    """Classify an IC under 3A090.a.1/.a.2/.b.1/.b.2 and the note for ICs not designed for datacenters."""
    f = lambda name: p.fraction(P, name)  # noqa: E731
    pd = performance_density(tpp, die_area)
    pd_txt = "unknown (no die area)" if pd is None else f"{float(pd):.4f}"
    out = ChipClass(level=None)
    steps = out.trace

    # Note to 3A090: an IC not designed or marketed for datacenters with TPP below 4,800 is outside .a and .b.
    nd = f("non_datacenter_tpp_threshold")
    if tpp < nd:
        if datacenter is False:
            steps.append(_step("3A090 note (not for datacenters)", f"{CITE}, Note 2", "excluded",
                               f"not designed or marketed for datacenters and TPP {float(tpp):,.1f} < {float(nd):,.0f}"))
            return out
        if datacenter is None:
            as_dc = classify_ic(tpp, die_area, True, p)
            if as_dc.level is None and as_dc.indeterminate is None:
                return as_dc  # outside 3A090 whether or not it is a datacenter part
            out.indeterminate = "datacenter"
            steps.append(_step("3A090 note (not for datacenters)", f"{CITE}, Note 2", "unknown",
                               f"TPP {float(tpp):,.1f} < {float(nd):,.0f}: whether the IC is designed or marketed "
                               "for datacenters decides; the fact 'datacenter' is missing"))
            return out

    if tpp >= f("a1_tpp_min"):
        out.prongs.append("a.1")
    a2 = tpp >= f("a2_tpp_min") and pd is not None and pd >= f("a2_pd_min")
    if a2:
        out.prongs.append("a.2")
    if out.prongs:
        out.level = "a"
        steps.append(_step("3A090.a", f"{CITE}.a", "meets " + " and ".join(out.prongs),
                           f"TPP {float(tpp):,.1f} (a.1 needs >= {float(f('a1_tpp_min')):,.0f}); PD {pd_txt} "
                           f"(a.2 needs TPP >= {float(f('a2_tpp_min')):,.0f} and PD >= {float(f('a2_pd_min'))})"))
        return out

    if pd is None:
        if tpp >= f("b2_tpp_min"):
            out.indeterminate = "die_area_mm2"
            steps.append(_step("3A090.a.2 / 3A090.b", f"{CITE}.a.2, .b", "unknown",
                               f"TPP {float(tpp):,.1f} is in the band where density decides and the die area is "
                               "missing: never guessed"))
            return out
        steps.append(_step("3A090", CITE, "not 3A090",
                           f"TPP {float(tpp):,.1f} < {float(f('b2_tpp_min')):,.0f}: no prong can apply"))
        return out

    b1 = (f("b1_tpp_min") <= tpp < f("b1_tpp_max_exclusive")) and (f("b1_pd_min") <= pd < f("b1_pd_max_exclusive"))
    b2 = tpp >= f("b2_tpp_min") and (f("b2_pd_min") <= pd < f("b2_pd_max_exclusive"))
    out.prongs += (["b.1"] if b1 else []) + (["b.2"] if b2 else [])
    if out.prongs:
        out.level = "b"
        steps.append(_step("3A090.b", f"{CITE}.b", "meets " + " and ".join(out.prongs),
                           f"TPP {float(tpp):,.1f}, PD {pd_txt} (b.1: {float(f('b1_tpp_min')):,.0f} <= TPP < "
                           f"{float(f('b1_tpp_max_exclusive')):,.0f} and {float(f('b1_pd_min'))} <= PD < "
                           f"{float(f('b1_pd_max_exclusive'))}; b.2: TPP >= {float(f('b2_tpp_min')):,.0f} and "
                           f"{float(f('b2_pd_min'))} <= PD < {float(f('b2_pd_max_exclusive'))})"))
        return out
    steps.append(_step("3A090", CITE, "not 3A090", f"TPP {float(tpp):,.1f} and PD {pd_txt} meet no prong of .a or .b"))
    return out


Z = "part774/eccn_z"


def z_paragraph(listed_eccn: str | None, level: str | None, p: Parameters) -> TraceStep | None:
    """774 Supp. 1 '.z': an item specified in `listed_eccn` that meets 3A090.a/.b (or 4A090.a/.b) is that ECCN's
    .z item, at the same level (740.2(a)(9)(ii)(B)); one outside 3A090 (by its notes too) is not."""
    if listed_eccn is None or level is None:
        return None
    paragraphs = p.get(Z, f"{level}_level")[listed_eccn]
    return _step(f"{listed_eccn}.z", str(joined(Entry(f"{listed_eccn}.z"), RESTRICTIONS.at("(a)(9)(ii)(B)"))), f"{listed_eccn}.z",
                 f"specified in {listed_eccn} and meets the 3A090.{level} parameters: {paragraphs}, "
                 f".{level}-level (counted and restricted as 3A090.{level} / 4A090.{level})")


def designer_condition_applies(eccn: str | None, listed_eccn: str | None, level: str | None, p: Parameters) -> bool:
    """Note 1 to 3A090.a (740.27(a)(1)): the designer condition names 3A090.a and the .a-level 5A002.z / 5A992.z."""
    if eccn == "3A090.a":
        return True
    return level == "a" and listed_eccn is not None and p.has(Z, "designer_condition_listed") \
        and listed_eccn in p.get(Z, "designer_condition_listed")
