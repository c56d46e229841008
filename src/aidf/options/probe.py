"""Re-deciding a changed transaction with the engine, against one ledger view that nothing writes to.

Every option is the engine's answer to a changed transaction: a change is a set of dotted paths into
the request (`items.0.quantity`, `date`, `parties.ultimate_consignee.headquarters`), applied to the
request as the caller sent it and validated again, then decided by `aidf.engine.decide`.
"""

from __future__ import annotations

import copy
import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from aidf.engine import decide
from aidf.errors import InputError
from aidf.ledger.base import MILLI
from aidf.model import REVIEW_ORDER, AccountRef, Decision, Option, Outcome, Transaction

# Burden of an answer, lowest first: NLR, then an exception or VEU, then a license, then review.
_CLASS = {Outcome.NLR: 0, Outcome.LICENSE_EXCEPTION: 1, Outcome.VEU: 1, Outcome.LICENSE_REQUIRED: 2,
          Outcome.NEEDS_REVIEW: 3}


def burden(d: Decision) -> tuple[int, int]:
    """(class of outcome, review policy rank): a license under a better policy is less burdensome."""
    policy = 0
    if d.outcome == Outcome.LICENSE_REQUIRED:
        policy = REVIEW_ORDER.index(d.review_policy) if d.review_policy in REVIEW_ORDER else len(REVIEW_ORDER)
    return _CLASS[d.outcome], policy


def lighter(d: Decision | None, than: Decision) -> bool:
    """Whether answer `d` is less burdensome than `than` (None: the change is not a valid request)."""
    return d is not None and burden(d) < burden(than)


def drawn(d: Decision) -> float:
    """TPP the answer draws from limited meters (the tie-break among exceptions and VEUs)."""
    return sum(e.tpp for e in d.ledger_effects)


def answer(d: Decision) -> tuple:
    """What a person would call the answer: outcome, authorization, policy and each line's ECCN."""
    return d.outcome, d.authorization, d.review_policy, tuple(it.eccn for it in d.items)


class Scratch:
    """The ledger as options see it: the store's balances read once, plus draws assumed by an earlier
    option or transaction. It has no `book`: options never write."""

    _serial = itertools.count()

    def __init__(self, ledger: Any, parent: Scratch | None = None):
        self.ledger = ledger
        self.serial = next(Scratch._serial)
        self._used: dict[AccountRef, int] = parent._used if parent else {}
        self._bases: dict[tuple[str, str], dict[str, int]] = parent._bases if parent else {}
        self._recorded: dict[tuple, dict | None] = parent._recorded if parent else {}
        self.extra: dict[AccountRef, int] = defaultdict(int, parent.extra if parent else {})
        self.arrangements: dict[str, dict] = dict(parent.arrangements) if parent else {}

    def used(self, account: AccountRef) -> int:
        if account not in self._used:
            self._used[account] = self.ledger.used(account) if self.ledger is not None else 0
        return self._used[account] + self.extra.get(account, 0)

    def installed_base(self, kind: str, veu: str) -> dict[str, int]:
        key = (kind, veu)
        if key not in self._bases:
            self._bases[key] = dict(self.ledger.installed_base(kind, veu)) if self.ledger is not None else {}
        out = dict(self._bases[key])
        for acct, amount in self.extra.items():
            if acct.kind == kind and acct.veu == veu and acct.country:
                out[acct.country] = out.get(acct.country, 0) + amount
        return out

    def arrangement(self, country: str, as_of):
        if country in self.arrangements:
            return self.arrangements[country]
        key = (country, as_of)
        if key not in self._recorded:
            self._recorded[key] = self.ledger.arrangement(country, as_of) if self.ledger is not None else None
        return self._recorded[key]

    def find(self, transaction_id: str):
        return self.ledger.find(transaction_id) if self.ledger is not None else None

    def after(self, decision: Decision) -> Scratch:
        """This view once the decision's draws are taken (as if it had been booked)."""
        child = Scratch(self.ledger, self)
        for e in decision.ledger_effects:
            child.extra[e.account] += round(e.tpp * MILLI)
        return child

    def with_arrangement(self, country: str, reference: str) -> Scratch:
        child = Scratch(self.ledger, self)
        child.arrangements[country] = {"country": country, "reference": reference}
        return child


def request(tx: Transaction) -> dict[str, Any]:
    """The request as the caller sent it: explicit nulls (an unknown headquarters) stay explicit."""
    return tx.model_dump(mode="json", exclude_unset=True)


def apply(body: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    """The request with each dotted path set to its value."""
    out = copy.deepcopy(body)
    for path, value in change.items():
        node: Any = out
        parts = path.split(".")
        for part in parts[:-1]:
            node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
        last = parts[-1]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
    return out


@dataclass
class Context:
    """One transaction under study: its request, its decision, the ledger view and the rule set."""

    tx: Transaction
    base: Decision
    view: Scratch
    rules: str | None = None
    body: dict[str, Any] = field(init=False)
    _seen: dict[tuple, Decision | None] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        self.body = request(self.tx)

    def probe(self, change: dict[str, Any], view: Scratch | None = None) -> Decision | None:
        """The engine's decision of the changed transaction (None when the change is not a valid request)."""
        view = view or self.view
        key = (view.serial, tuple(sorted((k, repr(v)) for k, v in change.items())))
        if key not in self._seen:
            try:
                self._seen[key] = decide(apply(self.body, change), ledger=view, rules=self.rules)
            except InputError:
                self._seen[key] = None
        return self._seen[key]

    def better(self, d: Decision | None) -> bool:
        return lighter(d, self.base)

    def reads(self, rules: Iterable[str]) -> bool:
        """Whether the decision asked any of these rules: a change to a fact no provision read cannot matter."""
        wanted = set(rules)
        return any(step.rule in wanted for step in self.base.trace)


def deciding_steps(d: Decision):
    """The last trace step of each line: the provision that settled that line's answer."""
    last: dict[int, Any] = {}
    for step in d.trace:
        if step.line is not None:
            last[step.line] = step
    return [last[i] for i in sorted(last)]


def option(kind: str, change: dict[str, Any], d: Decision, why: str, range_: dict | None = None,
           after: dict[str, Any] | None = None) -> Option:
    """An option from the engine's decision of the changed transaction; its cite is the provision that settled it."""
    steps = deciding_steps(d)
    cites = list(dict.fromkeys(s.cite for s in steps))
    settled = "; ".join(dict.fromkeys(f"{s.rule}: {s.why}" for s in steps if s.why))
    return Option(kind=kind, change=change, outcome=d.outcome, authorization=d.authorization,
                  review_policy=d.review_policy, ledger_effects=d.ledger_effects,
                  why=f"{why}. {settled}" if settled else why, cite="; ".join(cites), range=range_, after=after,
                  warnings=d.warnings)
