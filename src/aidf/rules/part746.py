"""15 CFR Part 746: embargoes and other special controls, for the destinations it names.

Cuba 746.2, North Korea 746.4, the Crimea region and the covered regions of Ukraine 746.6 (named by the
transaction's `destination_region`), Iran 746.7, Russia and Belarus 746.8, Syria 746.9. For these items a
license is required there whatever else applies (740.2(a)(6), 740.8(b) then leave no exception of this
engine), reviewed under the policy the section states for the parties on the date. Part 746 applies under
every rule set: it is independent of the diffusion framework. The rest of Part 746 (other items, end uses,
its own exceptions) is not assessed, and decisions say so.
"""

from __future__ import annotations

from dataclasses import dataclass

from aidf.cite import Cite
from aidf.rules.facts import Facts
from aidf.rules.parameters import Parameters, ParamValue

# Parameter file, the destination's name for people, and the section.
SECTIONS = (
    ("part746/cuba", "Cuba", Cite(746, "2")),
    ("part746/north_korea", "North Korea", Cite(746, "4")),
    ("part746/iran", "Iran", Cite(746, "7")),
    ("part746/russia_belarus", None, Cite(746, "8")),
    ("part746/syria", "Syria", Cite(746, "9")),
)
REGIONS = "part746/ukraine_regions"
REGION_SECTION = Cite(746, "6")
NOT_ASSESSED = ("Part 746 is assessed only for these items' license requirement and review policy; its other "
                "requirements (other items, end uses and end users, its own license exceptions) are not assessed")


@dataclass(frozen=True)
class Embargo:
    """The Part 746 section that reaches this destination on the date."""

    path: str
    section: Cite
    where: str
    region_reading: ParamValue | None = None  # the oblast-code approximation, when it decides

    @property
    def cite(self) -> Cite:
        return self.section.at("(a)")


def embargo(f: Facts) -> Embargo | None:
    """Decide whether a Part 746 section embargoes or sanctions the destination (or its region) on the date."""
    region = f.tx.destination_region
    return f.p.memo(("part746", f.dest, region), lambda: _find(f.p, f.dest, region))


def section(p: Parameters, dest: str, region: str | None) -> Cite | None:
    """The section reaching a destination (and region) on the parameters' date, for replay's shape keys."""
    e = _find(p, dest, region)
    return None if e is None else e.section


def regions(p: Parameters) -> list[str]:
    """The regions named by 746.6 on the parameters' date."""
    if not p.has(REGIONS, "crimea_regions"):
        return []
    return [*p.get(REGIONS, "crimea_regions"), *p.get(REGIONS, "covered_regions")]


def _find(p: Parameters, dest: str, region: str | None) -> Embargo | None:
    for path, name, section in SECTIONS:
        if p.has(path, "destinations") and dest in p.countries(path, "destinations"):
            return Embargo(path, section, name or dest)
    if region is None or not p.has(REGIONS, "crimea_regions"):
        return None
    if region in p.get(REGIONS, "crimea_regions"):
        return Embargo(REGIONS, REGION_SECTION, f"the Crimea region of Ukraine ({region})")
    if region in p.get(REGIONS, "covered_regions"):
        return Embargo(REGIONS, REGION_SECTION, f"a covered region of Ukraine, the so-called DNR or LNR ({region})",
                       p.entry(REGIONS, "covered_regions"))
    return None


def requirement(f: Facts) -> tuple[Cite, str] | None:
    """746.x(a): the license requirement for these items at a Part 746 destination, as (cite, why); else None."""
    e = embargo(f)
    if e is None:
        _warn_unnamed_region(f)
        return None
    f.warn(NOT_ASSESSED)
    if e.region_reading is not None:
        f.rests_on(e.region_reading, f"{e.where} as a region of {REGION_SECTION.at('(a)(2)').short}")
    return e.cite, f"{e.where}: Part 746 requires a license for these items whatever else applies"


def other_items(f: Facts) -> None:
    """A line outside these items at a Part 746 destination: its license requirement there is not assessed."""
    e = embargo(f)
    if e is not None:
        f.warn(f"{e.where}: Part 746 may require a license for items outside 3A090/4A090/4E091 too ({e.cite}); "
               "not assessed")


def _warn_unnamed_region(f: Facts) -> None:
    """A destination whose regions differ (746.6) without a region: the caller is told what it would change."""
    if f.tx.destination_region is None and f.p.memo(("regions_in", f.dest), lambda: _has_regions(f.p, f.dest)):
        named = regions(f.p)
        f.warn(f"destination_region not stated: in {', '.join(named)} (Crimea and the covered regions of "
               f"Ukraine) {REGION_SECTION} requires a license with a policy of denial; decided as elsewhere in {f.dest}")


def _has_regions(p: Parameters, dest: str) -> bool:
    """Whether 746.6 names regions inside `dest` (on these parameters)."""
    return any(r.startswith(dest + "-") for r in regions(p))


def review(f: Facts, e: Embargo) -> tuple[str, str, str]:
    """The review policy the section states for these parties on the date, as (policy, cite, why).

    746.8(b)(3)(vi) (and, as read, 746.6(b)): case by case for wholly-owned subsidiaries and joint ventures of
    companies headquartered in the US or Country Group A:5/A:6, decided here from each entity's ultimate parent.
    """
    base = f.p.entry(e.path, "policy")
    favoured = _approval_end_use(f, e)
    if favoured is not None:
        return favoured
    if f.p.has(e.path, "subsidiaries_policy") and _us_or_allied_parents(f):
        entry = f.p.entry(e.path, "subsidiaries_policy")
        f.rests_on(entry, f"the review policy for {e.where}")
        f.warn("wholly-owned subsidiary or joint venture of a US or A:5/A:6 company: read from the parties' ultimate "
               "parent headquarters (ownership shares are not a fact of the transaction)")
        return entry.value, _short(entry.cite), (f"{e.where}: every entity's ultimate parent is headquartered in the US or "
                                         f"A:5/A:6: {entry.value.replace('_', ' ')} ({base.value} otherwise)")
    f.rests_on(base, f"the review policy for {e.where}")
    return base.value, _short(base.cite), f"{e.where}: {base.value.replace('_', ' ')} under {e.section}"


def _approval_end_use(f: Facts, e: Embargo) -> tuple[str, str, str] | None:
    """746.9(c) from 90 FR 42315: end uses reviewed with a presumption of approval (others: the section's policy)."""
    if not f.p.has(e.path, "approval_end_uses"):
        return None
    entry = f.p.entry(e.path, "approval_end_uses")
    if f.tx.end_use not in entry.value:
        f.warn(f"{e.where}: {', '.join(entry.value)} end uses are reviewed with a presumption of approval "
               f"({_short(entry.cite)}); end use {f.tx.end_use or 'not stated'} is not one of them")
        return None
    f.rests_on(entry, f"the review policy for {e.where}")
    return "presumption_of_approval", _short(entry.cite), f"{e.where}: end use {f.tx.end_use}: presumption of approval"


def _short(cite: str) -> str:
    """The paragraph a parameter's citation starts with (its notes stay in the parameter file)."""
    return cite.split(" (")[0].split(" as ")[0]


def _us_or_allied_parents(f: Facts) -> bool:
    trusted = {"US"} | f.geo.a5 | f.geo.a6 | f.geo.us_territories
    return all(f.geo.canon(e.parent_hq) in trusted for e in f.entities)
