"""Options: what would make a shipment permissible, or need less, each checked by the engine itself.

Each kind of change is one small generator (quantity, date, parties, weights, missing facts, a
government-to-government arrangement); every option it offers is the engine's decision of the
changed transaction against the same ledger view, and nothing is booked. Options are ordered:
NLR, then a license exception or VEU with the least draw, then a license under a better policy.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from aidf.cite import LICENSE_REQUIREMENTS
from aidf.engine import decide, parse_many, parse_transaction
from aidf.errors import InputError
from aidf.model import Decision, Option, Outcome, TraceStep, Transaction
from aidf.options.arrangement import arrangement_options
from aidf.options.dates import date_options
from aidf.options.missing import missing_options
from aidf.options.parties import party_options
from aidf.options.probe import Context, Scratch, burden, drawn
from aidf.options.quantity import quantity_options
from aidf.options.weights import weights_options

LICENSE_CITE = str(LICENSE_REQUIREMENTS.at("(a)(6)"))  # the license requirement, when no verdict refused
GENERATORS = (quantity_options, date_options, party_options, weights_options, missing_options, arrangement_options)


def _order(o: Option) -> tuple:
    d = Decision.model_construct(outcome=o.outcome, review_policy=o.review_policy, ledger_effects=o.ledger_effects)
    return burden(d), drawn(d)


def _new_warnings(o: Option, base: Decision) -> Option:
    """An option keeps only the warnings the original answer did not already carry."""
    return o.model_copy(update={"warnings": [w for w in o.warnings if w not in base.warnings]})


def _key(o: Option) -> str:
    return repr(sorted(o.change.items()))


def _policy_words(code: str) -> str:
    from aidf import people

    return people.review_policy(code)


def _why_not(base: Decision) -> Option:
    """No change helps: the license the transaction needs, with the provisions that refused the rest."""
    refused: list[TraceStep] = [s for s in base.trace if s.result == "not_eligible"]
    reasons = list(dict.fromkeys(f"{s.rule}: {s.why}" for s in refused))
    cites = list(dict.fromkeys(s.cite for s in refused))
    policy = f" ({_policy_words(base.review_policy)})" if base.review_policy else ""
    return Option(kind="license", change={}, outcome=base.outcome, authorization=None, review_policy=base.review_policy,
                  ledger_effects=base.ledger_effects, cite="; ".join(cites) or LICENSE_CITE,
                  why=f"no change of quantity, date or parties gives a less burdensome answer: a license is needed"
                      f"{policy}. " + "; ".join(reasons))


BOOKED = ("already booked under this id: the ledger holds its own draws, so changes to it are not studied "
          "here; ask with a new id (or void the booking) to see its options")


def booked(tx: Transaction, view: Scratch) -> Decision | None:
    """The decision the ledger holds under this id, noted as not studied (its own draws would count twice)."""
    prior = view.find(tx.id)
    if prior is None:
        return None
    d = Decision.model_validate(prior.decision)
    return d.model_copy(update={"warnings": [*d.warnings, BOOKED]})


# Each line may cost a few dozen decisions of the whole transaction: studies are bounded in lines.
MAX_LINES = 20


def study(tx: Transaction, view: Scratch, rules: str | None = None) -> tuple[Decision, list[Option]]:
    """The decision of one transaction against a view, and its options (none for a booked id)."""
    if len(tx.items) > MAX_LINES:
        raise InputError("items", f"options are studied for transactions of up to {MAX_LINES} lines "
                                  f"(this one has {len(tx.items)}); split it")
    held = booked(tx, view)
    if held is not None:
        return held, []
    base = decide(tx, ledger=view, rules=rules)
    if base.outcome == Outcome.NLR:
        return base, []
    ctx = Context(tx, base, view, rules)
    groups: list[tuple[Option, ...]] = []
    seen: set[str] = set()
    for generate in GENERATORS:
        for made in generate(ctx):
            group = tuple(o for o in (made if isinstance(made, tuple) else (made,)) if _key(o) not in seen)
            seen.update(_key(o) for o in group)
            if group:
                groups.append(group)
    # A group (a quantity now and its remainder later) keeps together, ordered by its first option.
    out = [_new_warnings(o, base) for group in sorted(groups, key=lambda g: _order(g[0])) for o in group]
    if not out and base.outcome == Outcome.LICENSE_REQUIRED:
        out = [_why_not(base)]
    return base, out


def options_for(transaction: Any, ledger=None, rules: str | None = None) -> list[Option]:
    """The options of one transaction against a ledger (None: an empty one). Nothing is booked."""
    return study(parse_transaction(transaction), Scratch(ledger), rules)[1]


def options_many(transactions: Iterable[Any], ledger=None, rules: str | None = None) -> list[tuple[Decision, list[Option]]]:
    """Options of a sequence decided in order: each sees the draws of those before it as if booked,
    but nothing is written."""
    view = Scratch(ledger)
    out = []
    for tx in parse_many(transactions):
        base, opts = study(tx, view, rules)
        out.append((base, opts))
        if BOOKED not in base.warnings:  # a booked one's draws are in the ledger already
            view = view.after(base)
    return out


__all__ = ["BOOKED", "options_for", "options_many", "study", "GENERATORS"]
