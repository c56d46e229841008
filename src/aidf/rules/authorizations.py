"""The candidate authorizations of a licensed line, in order of burden, and how their verdicts settle it.

One search for every path: the engine decides a line with it against the ledger it is given; replay's
static plans (replay/static.py) run the same search against an empty ledger and keep the candidates
that draw on a meter as balance-dependent steps. The first eligible candidate authorizes the line; a
candidate that cannot be settled (a fact not stated) does not stop the search, and if nothing
authorizes the line it needs review: an authorization that may apply is never assumed away.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from aidf.model import Outcome
from aidf.rules.exceptions.acm import acm
from aidf.rules.exceptions.aia import aia
from aidf.rules.exceptions.lpp import lpp
from aidf.rules.exceptions.nac_aca import nac_aca
from aidf.rules.facts import Facts, Line, Verdict
from aidf.rules.restrictions import Restriction, veu_under_part746
from aidf.rules.veu import nveu, uveu

# Each candidate is one provision (exceptions/, veu.py); the list is the order of burden.
Candidate = Callable[[Line, Facts, Restriction], Verdict]
DIFFUSION_CANDIDATES: list[Candidate] = [aia, acm, nac_aca, lpp,
                                         veu_under_part746(uveu), veu_under_part746(nveu)]
PRE_DIFFUSION_CANDIDATES: list[Candidate] = [nac_aca]
VEU_AUTHORIZATIONS = ("UVEU", "NVEU")


@dataclass
class Search:
    """The verdicts of one search: every verdict in order (the trace), the one that authorizes the line,
    the candidates that could not be settled and (metered search) the eligible ones passed over."""

    verdicts: list[Verdict] = field(default_factory=list)
    chosen: Verdict | None = None
    unknown: list[Verdict] = field(default_factory=list)
    metered: list[Verdict] = field(default_factory=list)

    @property
    def needs_review(self) -> bool:
        """Nothing authorized the line and some candidate could not be settled."""
        return self.chosen is None and bool(self.unknown)


def candidates(f: Facts) -> list[Candidate]:
    """The candidates the rule set offers (the 2024 regime: NAC/ACA only)."""
    return DIFFUSION_CANDIDATES if f.ruleset.diffusion else PRE_DIFFUSION_CANDIDATES


def authorize(line: Line, f: Facts, r: Restriction, metered: bool = False,
              again: Callable[[Candidate, Verdict], Verdict] | None = None) -> Search:
    """Try the candidates in order until one authorizes the line.

    With `metered`, an eligible candidate that draws on a meter is recorded and passed over (whether
    its meter has room is read per line later); `again` may re-ask a candidate with other facts."""
    out = Search()
    for cand in candidates(f):
        v = cand(line, f, r)
        if again is not None:
            v = again(cand, v)
        out.verdicts.append(v)
        if v.status == "unknown":
            out.unknown.append(v)
        elif v.status == "eligible" and metered and v.draws:
            out.metered.append(v)
        elif v.status == "eligible":
            out.chosen = v
            break
    return out


def outcome_of(v: Verdict) -> Outcome:
    """The outcome an authorization gives: a VEU, or a license exception."""
    return Outcome.VEU if v.authorization in VEU_AUTHORIZATIONS else Outcome.LICENSE_EXCEPTION
