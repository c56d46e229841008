"""What a hit on a list does to a decision: an outcome, perhaps a review policy, the citation and why."""

from __future__ import annotations

from dataclasses import dataclass

from aidf.cite import (
    ENTITY_LIST,
    GENERAL_PROHIBITION_4,
    ITAR_DEBARMENT,
    MILITARY_END_USE,
    OFAC,
    SDN_UNDER_EAR,
    UNVERIFIED_LIST,
    Noted,
    joined,
)
from aidf.model import Outcome

# The lists a possible match may be on, and the lists without a rule here.
POSSIBLE_MATCH_CITE = str(Noted(joined(ENTITY_LIST, GENERAL_PROHIBITION_4, OFAC), "(by list)"))
OTHER_LIST_CITE = str(Noted(joined(UNVERIFIED_LIST, MILITARY_END_USE, SDN_UNDER_EAR, ITAR_DEBARMENT), "(by list)"))


@dataclass(frozen=True)
class Consequence:
    outcome: Outcome | None   # None: recorded (trace, warning) without changing the answer
    rule: str
    cite: str
    why: str
    review_policy: str | None = None
    warning: str | None = None
    hold: str | None = None   # what the hold names: entry, list, FR notice, license requirement


def describe(entry) -> str:
    """An entry as a hold names it."""
    parts = [f"{entry.name} ({entry.list} entry {entry.entry_id})"]
    if entry.federal_register_notice:
        parts.append(f"FR notice {entry.federal_register_notice}")
    if entry.license_requirement:
        parts.append(f"license requirement: {entry.license_requirement}")
    if entry.license_policy:
        parts.append(f"license policy: {entry.license_policy}")
    if entry.programs:
        parts.append(f"programs: {', '.join(entry.programs)}")
    return "; ".join(parts)


def possible_match(role: str, entry, score: float, review: float) -> Consequence:
    """A score at or above the review threshold: hold for review; the hold names the entry."""
    return Consequence(Outcome.NEEDS_REVIEW, "restricted-party screening: possible match",
                       POSSIBLE_MATCH_CITE,
                       f"the {role} may be {describe(entry)} (score {score:.2f} >= review threshold {review:.2f})",
                       warning=f"the {role} possibly matches {entry.list} entry {entry.name!r}: needs review",
                       hold=describe(entry))


def other_list(role: str, entry, score: float) -> Consequence:
    """A match on a list without a rule here (Unverified List, MEU, ITAR debarred, ...): review."""
    return Consequence(Outcome.NEEDS_REVIEW, f"restricted-party screening: {entry.list} match",
                       OTHER_LIST_CITE,
                       f"the {role} matches {describe(entry)} (score {score:.2f}); the list's own requirements "
                       "are not decided here", warning=f"the {role} matches {entry.list} entry {entry.name!r}: "
                       "needs review under that list's rules", hold=describe(entry))
