"""The screening step of a decision: screen every party, then let the hits change the answer.

Called by the engine after the export-control flow, so that a listed party overrides whatever the
flow found: an Entity List or Denied Persons match makes each line LICENSE_REQUIRED (authorizations
fall away, the trace says so), any other hit makes the shipment NEEDS_REVIEW with a hold naming the entry.
"""

from __future__ import annotations

from typing import Any

from aidf.cite import ENTITY_LIST, ENTITY_LIST_ENTRIES, GENERAL_PROHIBITION_4, OFAC, joined
from aidf.model import OUTCOME_ORDER, REVIEW_ORDER, Decision, Duty, Outcome, TraceStep, Transaction
from aidf.rules.duties import hold_duties
from aidf.screening.check import screen_parties
from aidf.screening.consequence import Consequence

SCREEN_CITE = str(joined(ENTITY_LIST, ENTITY_LIST_ENTRIES, GENERAL_PROHIBITION_4, OFAC))
LICENSE_KINDS = {"country_allocation"}             # a license still draws on the country allocation


def apply_screening(tx: Transaction, ledger: Any, decision: Decision, draws: list,
                    rules: str | None = None) -> tuple[Decision, list]:
    results, consequences, missing = screen_parties(tx.parties.screened(), ledger, tx.date)
    if missing:
        decision.warnings.append(missing)
        decision.trace.append(TraceStep.model_construct(rule="restricted-party screening", cite=SCREEN_CITE,
                                                        result="not screened", why=missing, line=None))
        return decision, draws
    decision.screening = results
    summary = "; ".join(f"{r.party}: {r.status.replace('_', ' ')}" for r in results)
    decision.trace.append(TraceStep.model_construct(
        rule="restricted-party screening", cite=SCREEN_CITE, result="hits" if consequences else "no open hits",
        why=f"list version {results[0].list_version if results else '-'}; {summary}", line=None))
    for c in [c for c in consequences if c.outcome is None]:
        decision.trace.append(TraceStep.model_construct(rule=c.rule, cite=c.cite, result="not applied", why=c.why,
                                                        line=None))
        decision.warnings.append(c.warning)
    consequences = [c for c in consequences if c.outcome is not None]
    if not consequences:
        return decision, draws
    from aidf.engine import standing

    return _overlay(decision, draws, consequences, standing(tx, rules))


def _overlay(decision: Decision, draws: list, consequences: list[Consequence],
             standing: list) -> tuple[Decision, list]:
    """The decision as the listed parties leave it: their outcome and policy on every line, the draws of
    licenses only, and the standing duties (records, ECCN on the invoice) with the holds."""
    worst = max((c.outcome for c in consequences), key=OUTCOME_ORDER.index)
    policies = [c.review_policy for c in consequences if c.review_policy]
    for c in consequences:
        decision.trace.append(TraceStep.model_construct(rule=c.rule, cite=c.cite, result=c.outcome.value,
                                                        why=c.why, line=None))
        if c.warning and c.warning not in decision.warnings:
            decision.warnings.append(c.warning)
    overridden = sorted({it.authorization for it in decision.items if it.authorization})
    if overridden:
        decision.trace.append(TraceStep.model_construct(
            rule="listed party overrides authorizations", cite=consequences[0].cite, result=worst.value,
            why=f"{', '.join(overridden)} would otherwise apply; a listed party takes them away", line=None))
    items = [_item(it, worst, policies) for it in decision.items]
    if worst == Outcome.NEEDS_REVIEW:
        kept_draws, effects = [], []
    else:
        kept_draws = [d for d in draws if d.account.kind in LICENSE_KINDS]
        effects = [e for e in decision.ledger_effects if e.account.kind in LICENSE_KINDS]
    duties = list(standing)
    duties += [d for it in items for d in hold_duties(it.line)]
    duties += [Duty(what=f"Hold: {c.hold}", cite=c.cite, when="before shipping", kind="hold")
               for c in consequences if c.hold]
    item_policies = [it.review_policy for it in items if it.review_policy]
    out = decision.model_copy(update={
        "outcome": max(decision.outcome, worst, key=OUTCOME_ORDER.index), "authorization": None,
        "review_policy": max(item_policies, key=REVIEW_ORDER.index) if item_policies else None,
        "items": items, "ledger_effects": effects, "duties": _unique(duties)})
    return out, kept_draws


def _item(it, worst: Outcome, policies: list[str]):
    outcome = max(it.outcome, worst, key=OUTCOME_ORDER.index)
    if outcome == Outcome.NEEDS_REVIEW:
        return it.model_copy(update={"outcome": outcome, "authorization": None, "review_policy": None,
                                     "license_required": True})
    policy = max([p for p in [it.review_policy, *policies] if p], key=REVIEW_ORDER.index, default=None)
    return it.model_copy(update={"outcome": outcome, "authorization": None, "review_policy": policy,
                                 "license_required": True})


def _unique(duties: list[Duty]) -> list[Duty]:
    seen, out = set(), []
    for d in duties:
        key = (d.what, d.cite, d.line)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out
