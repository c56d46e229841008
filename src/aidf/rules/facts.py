"""The facts every provision reads: the transaction, its parties' tiers, the rule set and a ledger view.

Parties are tested twice over: where the items go (destination) and where each entity and its
ultimate parent are headquartered (740.27(a), 744.23(a)(3), 748.15(b)(2)).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from aidf.cite import Citation
from aidf.meters import Draw
from aidf.model import AccountRef, Duty, Item, Party, TraceStep, Transaction
from aidf.rules.classify import Classification
from aidf.rules.countries import Geography
from aidf.rules.parameters import Parameters, ParamValue
from aidf.rules.ruleset import RuleSet


class LedgerView:
    """The ledger as one decision sees it: the store's balances plus the draws of earlier lines."""

    def __init__(self, ledger):
        self.ledger = ledger
        self.local: dict[AccountRef, int] = defaultdict(int)

    def used(self, account: AccountRef) -> int:
        base = self.ledger.used(account) if self.ledger is not None else 0
        return base + self.local.get(account, 0) if self.local else base  # hashing a ref costs more than the test

    def installed_base(self, kind: str, veu: str) -> dict[str, int]:
        out = dict(self.ledger.installed_base(kind, veu)) if self.ledger is not None else {}
        for acct, amount in self.local.items():
            if acct.kind == kind and acct.veu == veu and acct.country:
                out[acct.country] = out.get(acct.country, 0) + amount
        return out

    def arrangement(self, country, as_of):
        return self.ledger.arrangement(country, as_of) if self.ledger is not None else None

    def add(self, draws: list[Draw]) -> None:
        for d in draws:
            if d.kind != "floor":  # a declared base is a floor the store applies, not a draw
                self.local[d.account] += d.amount


@dataclass
class Entity:
    role: str
    party: Party
    hq: str
    parent_hq: str
    hq_tier: int
    parent_tier: int

    @property
    def tier1_hq(self) -> bool:
        return self.hq_tier == 1 and self.parent_tier == 1

    @property
    def d5_hq(self) -> bool:
        return self.hq_tier == 3 or self.parent_tier == 3


@dataclass
class Facts:
    tx: Transaction
    ruleset: RuleSet
    p: Parameters
    geo: Geography
    dest: str
    dest_tier: int
    entities: list[Entity]
    view: LedgerView
    warnings: list[str] = field(default_factory=list)

    @classmethod
    def build(cls, tx: Transaction, ruleset: RuleSet, p: Parameters, view: LedgerView) -> Facts:
        geo = Geography.of(p)
        dest = geo.canon(tx.destination)
        ents = [Entity(role, party, party.hq, party.parent_hq, geo.tier(party.hq), geo.tier(party.parent_hq))
                for role, party in tx.parties.entities()]
        facts = cls(tx, ruleset, p, geo, dest, geo.tier(dest), ents, view)
        facts._warn_uncertain_groups()
        return facts

    def _warn_uncertain_groups(self) -> None:
        """Country-group membership with an unknown change date (U12) is read at its best date and flagged."""
        unsure = self.p.countries("part740/supp1_country_groups", "uncertain_membership")
        named = {self.dest} | {c for e in self.entities for c in (e.party.country, e.hq, e.parent_hq)}
        for c in sorted(named & unsure):
            self.warn(f"{c}: its country-group membership on {self.tx.date} is uncertain (register U12); read as "
                      f"{', '.join(self.geo.groups_of(c)) or 'no group'} (tier {self.geo.tier(c)})")

    @property
    def consignee(self) -> Party:
        return self.tx.parties.ultimate_consignee

    @property
    def d5_hq(self) -> bool:
        """An entity (or its ultimate parent) headquartered in Macau or D:5."""
        return any(e.d5_hq for e in self.entities)

    @property
    def all_tier1_hq(self) -> bool:
        return all(e.tier1_hq for e in self.entities)

    def hq_summary(self) -> str:
        return "; ".join(f"{e.role} {e.party.name!r} located {e.party.country}, HQ {e.hq} (tier {e.hq_tier}), "
                         f"ultimate parent HQ {e.parent_hq} (tier {e.parent_tier})" for e in self.entities)

    def warn(self, text: str) -> None:
        if text not in self.warnings:
            self.warnings.append(text)

    def rests_on(self, entry: ParamValue, what: str) -> None:
        """Record that the answer rests on a parameter that is not settled by primary text."""
        if entry.status != "primary":
            self.warn(f"{what} rests on a {entry.status} reading: {entry.path}:{entry.name} = {entry.value!r} ({entry.cite})")


@dataclass
class Line:
    """One item line under decision."""

    index: int
    item: Item
    cls: Classification

    @property
    def amount(self) -> int:
        return self.cls.amount


@dataclass
class Verdict:
    """A provision's answer for one line: eligible / not_eligible (reason) / unknown (missing fact)."""

    authorization: str
    status: str  # eligible | not_eligible | unknown
    cite: Citation
    why: str
    draws: list[Draw] = field(default_factory=list)
    missing: str | None = None
    limit: str | None = None  # the meter limit that refused the line (e.g. "uveu_share"), if one did

    def step(self, line: int) -> TraceStep:
        return step(rule=f"License Exception {self.authorization}" if self.authorization not in ("UVEU", "NVEU")
                         else f"Data Center VEU ({self.authorization})",
                         cite=str(self.cite), result=self.status, why=self.why, line=line)


# A step of the trace, given as TraceStep.model_construct's keywords. Steps are values (frozen): most recur
# answer after answer (the same rule set, destination, requirement, verdict), so each is made once and shared.
step = lru_cache(maxsize=2048)(TraceStep.model_construct)


def duty(what: str, cite, when: str, kind: str, line: int) -> Duty:
    """One thing the exporter must still do for a line, with the paragraph that imposes it (a Cite)."""
    return _duty(what, str(cite), when, kind, line)


@lru_cache(maxsize=1024)
def _duty(what: str, cite: str, when: str, kind: str, line: int) -> Duty:
    # Duties are values (frozen): most recur answer after answer, so each is made once and shared.
    return Duty.model_construct(what=what, cite=cite, when=when, kind=kind, line=line)  # typed by construction
