"""The decision flow: resolve -> classify -> require -> restrict -> authorize -> review -> Decision.

Pure given a transaction, a rule set and a ledger snapshot: `decide` reads balances and returns the
draws it would make; `decide_and_book` reserves them in the ledger under the transaction id.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from pydantic import ValidationError

from aidf.answer import transaction_answer
from aidf.assumed import assumed_facts
from aidf.cite import (
    FRAMEWORK,
    FRAMEWORK_DATES,
    HEADQUARTERS,
    LICENSE_REQUIREMENTS,
    OTHER_EXCEPTIONS,
    PRIOR_RULES,
    TIERS,
    UNITED_STATES,
    UVEU_SHARES,
    Noted,
    joined,
    text,
)
from aidf.errors import InputError
from aidf.heap import settling, survivors_set_aside
from aidf.meters import (
    CONTRACT_KINDS,
    MILLI,
    UVEU_SHARE,
    Draw,
    IdempotencyConflict,
    LimitExceeded,
    uveu_account,
)
from aidf.model import (
    OUTCOME_ORDER,
    Decision,
    Duty,
    Item,
    ItemDecision,
    LedgerEffect,
    Outcome,
    TraceStep,
    Transaction,
)
from aidf.rules import part746
from aidf.rules.authorizations import authorize, outcome_of
from aidf.rules.classify import H100, Classification, classified
from aidf.rules.duties import duties_for, hold_duties, standing_duties
from aidf.rules.exceptions import aia
from aidf.rules.facts import Facts, LedgerView, Line, step
from aidf.rules.license_requirements import license_requirement
from aidf.rules.parameters import Parameters
from aidf.rules.restrictions import Restriction, restriction
from aidf.rules.review_policy import review_policy
from aidf.rules.ruleset import RuleSet, grace_decides, resolve, ruleset_date
from aidf.rules.veu import adds_to_installed_base, uveu


def parse_transaction(data: Any, where: str = "") -> Transaction:
    """Validate a transaction, turning the first problem into an InputError that names the field."""
    if isinstance(data, Transaction):
        return data
    try:
        return Transaction.model_validate(data)
    except ValidationError as e:
        err = e.errors()[0]
        loc = ".".join(str(x) for x in err["loc"])
        raise InputError(f"{where}{loc}" if loc else where.rstrip(".") or "transaction", err["msg"]) from None


def decide(transaction: Any, ledger=None, rules: str | None = None) -> Decision:
    """Decide one transaction against a ledger snapshot (None: an empty one). Nothing is booked."""
    tx = parse_transaction(transaction)
    decision, _ = _decide(tx, ledger, rules)
    return decision


# Stand-ins for a headquarters the caller does not know: one per tier (and the entity's own location).
HQ_STAND_INS = ("US", "BR", "CN")

# Citations of the engine's own steps (the provisions' own are beside them in rules/).
PRIOR_RULES_CITE = text(*PRIOR_RULES)
US_TIER_CITE = str(Noted(UNITED_STATES, "(United States)"))
ITEM_REQUIREMENTS = str(joined(LICENSE_REQUIREMENTS.at("(a)(6)(iii)"), LICENSE_REQUIREMENTS.at("(a)(13)")))


@cache
def _screening():
    """apply_screening, imported on first use (it reads the ledger's lists through SQLAlchemy), then kept:
    an import statement in the decision itself costs a lookup per decision."""
    from aidf.screening.effect import apply_screening

    return apply_screening


def _decide(tx: Transaction, ledger, rules: str | None, request_hash: str | None = None) -> tuple[Decision, list[Draw]]:
    """`request_hash`: the transaction's content hash when the caller has it already (a sequence)."""
    request_hash = request_hash or tx.content_hash()
    unknown = [(role, fld) for role, party in tx.parties.entities() for fld in party.unknown_headquarters]
    if unknown:
        decision, draws = _decide_unknown_headquarters(tx, ledger, rules, unknown, request_hash)
    else:
        decision, draws = _decide_known(tx, ledger, rules, request_hash)
    # Every party is screened; a listed party overrides the answer above (screening/effect.py).
    return _screening()(tx, ledger, decision, draws, rules)


def _with_headquarters(tx: Transaction, unknown: list[tuple[str, str]], stand_in: str | None) -> Transaction:
    parties = tx.parties.model_copy(deep=True)
    for role, fld in unknown:
        party = getattr(parties, role)
        default = party.country if fld == "headquarters" else (party.headquarters or party.country)
        setattr(party, fld, stand_in or default)
    return tx.model_copy(update={"parties": parties})


def _decide_unknown_headquarters(tx: Transaction, ledger, rules, unknown, request_hash: str) -> tuple[Decision, list[Draw]]:
    """A headquarters not stated is never assumed: decide under every tier it could be in; if the
    answers differ, the transaction needs review (740.27(a), 744.23(a)(3), 748.15(b)(2) turn on it).
    The answer keeps the hash of the request as sent (headquarters unknown), so that sending it again
    finds its booking."""
    base, draws = _decide_known(_with_headquarters(tx, unknown, None), ledger, rules, request_hash)
    answers = {_answer(base)}
    for stand_in in HQ_STAND_INS:
        answers.add(_answer(_decide_known(_with_headquarters(tx, unknown, stand_in), ledger, rules, request_hash)[0]))
    fields = ", ".join(f"{role}.{fld}" for role, fld in unknown)
    if len(answers) == 1:
        base.warnings.append(f"{fields} not stated; the answer is the same wherever it is")
        base.trace.append(step(rule="unknown headquarters", cite=str(HEADQUARTERS),
                               result="does not change the answer", why=f"{fields} tried in Tiers 1, 2 and 3"))
        return base, draws
    base.warnings.append(f"{fields} not stated and the answer depends on it: needs review")
    base.trace.append(step(rule="unknown headquarters", cite=str(HEADQUARTERS),
                           result="changes the answer", why=f"{fields} tried in Tiers 1, 2 and 3 gives different answers"))
    items = [it.model_copy(update={"outcome": Outcome.NEEDS_REVIEW, "authorization": None, "review_policy": None})
             if it.license_required else it for it in base.items]
    # Duties of an authorization not given fall away; the shipment waits for review instead.
    kept = standing(tx, rules)
    hold = [duty for it in items if it.outcome == Outcome.NEEDS_REVIEW
            for duty in hold_duties(it.line)]
    review = base.model_copy(update={"outcome": Outcome.NEEDS_REVIEW, "authorization": None, "review_policy": None,
                                     "items": items, "ledger_effects": [], "duties": kept + hold})
    return review, []


def standing(tx: Transaction, rules: str | None) -> list[Duty]:
    """The duties every line brings whatever authorizes it, or whether anything does (758.6(a)(2),
    762.2(a)): what stays due when an authorization falls away."""
    p = resolve(rules or tx.rules, tx.date).ruleset.params(tx.date)  # classification: the date's parameters
    return [d for i, item in enumerate(tx.items)
            for d in standing_duties(i, _classify(item.model_dump_json(), p, f"items.{i}"))]


def _answer(d: Decision) -> tuple:
    return tuple((it.outcome, it.authorization, it.review_policy) for it in d.items)


@dataclass
class _Regime:
    """One rule set's view of a transaction: its parameters, facts and restrictions."""

    ruleset: RuleSet
    p: Parameters
    f: Facts
    r: Restriction
    restricted_noted: bool = False
    decided: bool = False  # decided at least one line (its warnings then belong to the answer)

    @classmethod
    def build(cls, tx: Transaction, ruleset: RuleSet, view: LedgerView) -> _Regime:
        ruleset.check_date(tx.date)
        p = ruleset.params(tx.date)
        f = Facts.build(tx, ruleset, p, view)
        warn_consignee_location(f)
        return cls(ruleset, p, f, restriction(f))


# ---- warnings: written once here, read by replay's static plans too (replay/static.py) -----------

def warn_consignee_location(f: Facts) -> None:
    for e in f.entities:
        if e.party.country != f.dest and e.role == "ultimate_consignee":
            f.warn(f"the ultimate consignee is located in {e.party.country} but the destination is {f.dest}; "
                   "location tests use the destination")


def note_classification(f: Facts, cls: Classification) -> None:
    """The item's classification warnings join the regime's (once each)."""
    f.warnings.extend(w for w in cls.warnings if w not in f.warnings)


def warn_indeterminate(f: Facts, i: int, cls: Classification) -> None:
    f.warn(f"line {i}: classification needs '{cls.indeterminate}' to be settled; never guessed")


def warn_unsettled(f: Facts, i: int, unknown: list) -> None:
    """Candidates that may authorize the line but turn on a fact not stated: the line needs review."""
    for u in unknown:
        f.warn(f"line {i}: {u.authorization} may apply but '{u.missing}' is not stated ({u.cite}); needs review")


def answer_warnings(status_warnings: list[str], regimes: list[list[str]]) -> list[str]:
    """An answer's warnings: the rule set's status on the date, then those of each regime that decided
    a line, without repeats."""
    warnings = list(status_warnings)
    for regime in regimes:
        warnings += [w for w in regime if w not in warnings]
    return warnings


@dataclass
class _LineAnswer:
    line: Line
    outcome: Outcome
    authorization: str | None
    policy: str | None
    required: bool
    draws: list[Draw]
    trace: list[TraceStep]


def _line_under(g: _Regime, i: int, item: Item) -> _LineAnswer:
    """Decide one line under one regime, keeping its trace apart until the line's regime is chosen."""
    cls = _classify(item.model_dump_json(), g.p, f"items.{i}")
    trace = cls.trace_at(i)
    note_classification(g.f, cls)
    line = Line(i, item, cls)
    outcome, auth, policy, required, draws = _decide_line(line, g.f, g.r, trace, g.restricted_noted)
    g.restricted_noted = g.restricted_noted or (required and g.r.applies)
    return _LineAnswer(line, outcome, auth, policy, required, draws, trace)


def _grace_choice(main: _Regime, prior: _Regime, i: int, item: Item, trace: list[TraceStep]) -> tuple[_Regime, _LineAnswer]:
    """As-written grace window: decide the line under the 2024 regime and the framework, and keep
    the answer `grace_decides` picks; warn what the framework requires from its compliance date."""
    fw, old = _line_under(main, i, item), _line_under(prior, i, item)
    chosen = grace_decides(old.required, OUTCOME_ORDER.index(old.outcome), OUTCOME_ORDER.index(fw.outcome))
    g, a = (prior, old) if chosen == prior.ruleset.id else (main, fw)
    comp = ruleset_date("as_written_compliance_from")
    trace.append(step(
        rule="regime deciding the line", cite=str(FRAMEWORK_DATES), result=g.ruleset.id,
        why=f"grace window before {comp}: 2024 regime {'requires' if old.required else 'requires no'} license "
            f"({_said(old)}); framework: {_said(fw)}", line=i))
    if a is old and (fw.outcome, fw.authorization) != (old.outcome, old.authorization):
        warn_grace(main.f.warnings, prior.f.warnings, i, _said(fw), _said(old))
    return g, a


def _said(a: _LineAnswer) -> str:
    return said(a.outcome.value, a.authorization, a.policy)


def said(outcome: str, authorization: str | None, policy: str | None) -> str:
    """A line's answer in a few words, for the grace window's trace and warning."""
    return outcome + (f" under {authorization}" if authorization else "") + (f", review {policy}" if policy else "")


def warn_grace(main: list[str], prior: list[str], i: int, framework: str, old: str) -> None:
    """The 2024 regime decides the line in the grace window though the framework answers otherwise:
    both regimes' warnings say what the framework will require from its compliance date."""
    text = (f"line {i}: from {ruleset_date('as_written_compliance_from')} the framework requires {framework}; "
            f"until then the 2024 regime decides ({old})")
    for warnings in (main, prior):
        if text not in warnings:
            warnings.append(text)


def _decide_known(tx: Transaction, ledger, rules: str | None, request_hash: str) -> tuple[Decision, list[Draw]]:
    res = resolve(rules or tx.rules, tx.date)
    view = LedgerView(ledger)
    main = _Regime.build(tx, res.ruleset, view)
    prior = _Regime.build(tx, res.grace, view) if res.grace is not None else None
    f = main.f
    ref, status_warnings = res.ref(tx.date)
    trace: list[TraceStep] = [
        step(rule="rule set", cite=str(FRAMEWORK) if res.ruleset.diffusion else PRIOR_RULES_CITE,
             result=res.ruleset.id, why=ref.status),
        step(rule="destination tier", cite=US_TIER_CITE if f.geo.is_us_territory(f.dest)
             else str(TIERS), result=f"tier {f.dest_tier}",
             why=f"{tx.destination}{' (treated as ' + f.dest + ')' if f.dest != tx.destination else ''}; groups: "
                 f"{', '.join(f.geo.groups_of(f.dest)) or 'none'}"),
        step(rule="parties", cite=str(HEADQUARTERS), result="resolved", why=f.hq_summary()),
    ]
    items, duties, draws = [], [], []
    for i, item in enumerate(tx.items):
        if prior is None:
            g, a = main, _line_under(main, i, item)
        else:
            g, a = _grace_choice(main, prior, i, item, trace)
        g.decided = True
        trace += a.trace
        view.add(a.draws)
        draws += a.draws
        duties += duties_for(a.line, g.f, a.authorization, a.outcome.value)
        tallies = _tallies(a.line, g.f, a.authorization, a.draws)
        view.add(tallies)
        draws += tallies
        items.append(_item_decision(a, g.p))
    warnings = answer_warnings(status_warnings, [g.f.warnings for g in (main, prior) if g is not None and g.decided])
    return _assemble(tx, ref, f.dest_tier, items, draws, duties, trace, warnings,
                     assumed_facts(tx, res, rules or tx.rules), request_hash), draws


def _item_decision(a: _LineAnswer, p: Parameters) -> ItemDecision:
    cls = a.line.cls
    tpp, tpp_total, density, h100_equivalents = cls.figures(p.fraction(*H100))
    return ItemDecision.model_construct(  # typed by construction
        line=a.line.index, description=cls.description, eccn=cls.eccn,
        classification=cls.indeterminate and f"indeterminate: {cls.indeterminate} missing",
        tpp=tpp, tpp_total=tpp_total, performance_density=density, h100_equivalents=h100_equivalents,
        outcome=a.outcome, authorization=a.authorization, review_policy=a.policy, license_required=a.required)


def _assemble(tx, ref, dest_tier, items, draws, duties, trace, warnings, assumed, request_hash) -> Decision:
    outcome, authorization, policy = transaction_answer((it.outcome, it.authorization, it.review_policy) for it in items)
    effects = [LedgerEffect.model_construct(account=d.account, tpp=d.amount / MILLI,
                            limit_tpp=None if d.limit is None else d.limit / MILLI) for d in draws
               if d.account.kind in CONTRACT_KINDS and d.kind != "floor"]
    return Decision.assembled(  # typed by construction
        transaction_id=tx.id, date=tx.date, rules=ref, destination_tier=dest_tier, outcome=Outcome(outcome),
        authorization=authorization, review_policy=policy,
        items=items, ledger_effects=_merge(effects), duties=duties, trace=trace,
        warnings=warnings, assumed=assumed, request_hash=request_hash)


def _tallies(line: Line, f: Facts, auth: str | None, line_draws: list[Draw]) -> list[Draw]:
    """Running totals a line adds besides its limited draws.

    AIA shipments add to the consignee's cumulative TPP (740.27(c) report); any .a-level shipment
    to a UVEU under another authorization still adds to its installed base (Supp. No. 10 para 6).
    """
    out = []
    if auth is None or line.cls.is_weights or line.cls.level != "a":
        return out
    if auth == "AIA":
        out.append(Draw(aia.tally_account(f), line.amount, None))
    veu = f.consignee.veu
    # Supp. No. 10 para 6 (rules/veu.adds_to_installed_base, shared with replay's share loop).
    if veu is not None and veu.type == "UVEU" and adds_to_installed_base(line.cls, f.ruleset.diffusion) \
            and not any(d.account.kind == "uveu_share" for d in line_draws):
        shares = uveu(line, f)  # the share limits bind the UVEU whatever authorization a shipment uses
        if shares.limit == UVEU_SHARE:
            f.warn(f"line {line.index}: this shipment takes UVEU {veu.id} past a {UVEU_SHARES.in_part} share limit, "
                   f"a condition of its authorization: {shares.why}")
        out.append(Draw(uveu_account(veu.id, f.dest), line.amount, None, kind="tally"))
    return out


def _classify(item_json: str, p: Parameters, prefix: str) -> Classification:
    """The item's classification (cached per parameter epoch), refused when its total is past the bound."""
    cls = classified(item_json, p, prefix)
    problem = cls.bound_problem
    if problem:  # bounded where the amount is made: int64 milli-TPP (aidf/bounds.py)
        raise InputError(f"{prefix}.quantity", f"the line's total TPP {problem}")
    return cls


def _merge(effects: list[LedgerEffect]) -> list[LedgerEffect]:
    """One effect per account (lines of a transaction drawing the same meter add up)."""
    if len(effects) < 2:  # nothing to add up (most transactions draw one meter or none)
        return effects
    merged: dict[str, LedgerEffect] = {}
    for e in effects:
        aid = e.account.id
        if aid in merged:
            m = merged[aid]
            merged[aid] = m.model_copy(update={"tpp": m.tpp + e.tpp})
        else:
            merged[aid] = e
    return list(merged.values())


def _decide_line(line: Line, f: Facts, r: Restriction, trace: list[TraceStep], restricted_noted: bool):
    """One line: (outcome, authorization, review policy, license required, draws)."""
    i, cls = line.index, line.cls
    if cls.indeterminate:
        warn_indeterminate(f, i, cls)
        return Outcome.NEEDS_REVIEW, None, None, False, []
    if cls.eccn is None:
        part746.other_items(f)
        trace.append(step(rule="license requirement", cite=ITEM_REQUIREMENTS, result="none",
                          why="not 3A090/4A090/4E091: none of these requirements applies (other EAR controls "
                              "such as Part 744 end uses are not assessed)", line=i))
        return Outcome.NLR, None, None, False, []
    req = license_requirement(line, f)
    trace.append(step(rule="license requirement", cite=str(req.cite), result="required" if req.required else "not required",
                      why=req.why, line=i))
    if not req.required:
        return Outcome.NLR, None, None, False, []
    if not restricted_noted:
        trace.append(step(rule="restrictions on license exceptions", cite=str(r.cite),
                          result="applies" if r.applies else "does not apply", why=r.why, line=i))
    search = authorize(line, f, r)  # the candidates in order of burden (rules/authorizations.py)
    trace.extend(v.step(i) for v in search.verdicts)
    unknown, v = search.unknown, search.chosen
    if v is not None:
        if unknown:
            trace.append(step(rule="order of authorizations", cite="engine: order of burden", result=v.authorization,
                              why=f"{v.authorization} is available although {', '.join(u.authorization for u in unknown)} "
                                  "could not be settled", line=i))
        return outcome_of(v), v.authorization, None, True, v.draws
    if search.needs_review:
        warn_unsettled(f, i, unknown)
        return Outcome.NEEDS_REVIEW, None, None, True, []
    trace.append(step(rule="other license exceptions", cite=str(OTHER_EXCEPTIONS),
                      result="not assessed", why="TMP, RPL, GOV, TSU and HBM turn on facts a transaction does not carry "
                                                 "(temporary exports, replacement parts, government end users, software)",
                      line=i))
    review = review_policy(line, f)
    trace.append(step(rule="license review policy", cite=str(review.cite), result=review.policy, why=review.why, line=i))
    return Outcome.LICENSE_REQUIRED, None, review.policy, True, review.draws


# ---- sequences and booking -----------------------------------------------------------------------

def decide_and_book(transaction: Any, ledger, rules: str | None = None, retries: int = 20,
                    actor: str | None = None) -> Decision:
    """Decide and reserve the draws as pending transfers under the transaction id, idempotently.

    The same id with the same content returns the first decision; with other content it raises
    IdempotencyConflict. The decision is made inside the booking's database transaction (the store's
    batch of one), so no other writer can take the room between reading and booking, and the
    booking and its hold commit together.
    """
    tx = parse_transaction(transaction)
    who = {"actor": actor} if actor else {}
    if hasattr(ledger, "batch"):
        prior = ledger.find(tx.id)  # a retry needs no write lock
        if prior is not None:
            return _prior_decision(prior, tx)
        with ledger.batch() as b:
            return _decide_and_book_in(tx, b, rules, who)
    for _ in range(retries):  # a ledger without batches: re-decide if another writer took the room
        try:
            return _decide_and_book_in(tx, ledger, rules, who)
        except LimitExceeded:
            continue
    raise LimitExceeded  # pragma: no cover - only under sustained contention


def _prior_decision(prior, tx: Transaction, request_hash: str | None = None) -> Decision:
    if prior.request_hash != (request_hash or tx.content_hash()):
        raise IdempotencyConflict(tx.id)
    return Decision.model_validate(prior.decision)


def _decide_and_book_in(tx: Transaction, ledger, rules: str | None, who: dict,
                        request_hash: str | None = None) -> Decision:
    """Decide against `ledger` (a store or an open batch) and book there, with the hold if one is due."""
    request_hash = request_hash or tx.content_hash()
    prior = ledger.find(tx.id)
    dumped = None
    if prior is not None:
        decision = _prior_decision(prior, tx, request_hash)
    else:
        decision, draws = _decide(tx, ledger, rules, request_hash)
        dumped = decision.model_dump(mode="json")
        # The booked record keeps the request beside the decision, so the audit file has both.
        request = tx.model_dump(mode="json", exclude_none=True)
        if hasattr(ledger, "book_held"):  # a batch: booking and hold in one step, the decision written once
            ledger.book_held(tx.id, decision.request_hash, dumped, request, draws, tx.date, _hold_reason(decision),
                             **who)
            return decision
        ledger.book(tx.id, decision.request_hash, dumped | {"request": request}, draws, tx.date, **who)
    _hold(ledger, decision, who, dumped)
    return decision


def _hold_reason(decision: Decision) -> str | None:
    """Why a shipment waits: one that needs a license or review is held."""
    if decision.outcome in (Outcome.LICENSE_REQUIRED, Outcome.NEEDS_REVIEW):
        return f"{decision.outcome.value}: {decision.review_policy or 'review'}"
    return None


def _hold(ledger, decision: Decision, who: dict, dumped: dict | None = None) -> None:
    """Put a shipment that needs a license or review on hold; idempotent, so a retry after a crash
    completes the hold."""
    hold, reason = getattr(ledger, "place_hold", None), _hold_reason(decision)
    if hold is not None and reason is not None:
        hold(decision.transaction_id, dumped if dumped is not None else decision.model_dump(mode="json"), reason, **who)


def book_many(transactions: Iterable[Any], ledger, rules: str | None = None, actor: str | None = None,
              batch_size: int | None = None) -> list[Decision]:
    """Decide and book in order, one database transaction per batch (the store's MAX_BATCH, 8,000).

    Each decision reads the batch's own view of the ledger (earlier bookings of the batch included) while
    the batch holds the write lock, so the answers are those of one at a time; a writer that took room
    before the batch began is seen by it, one that comes later waits for it. Bookings and holds of a batch
    commit together, or not at all."""
    with survivors_set_aside():  # the parsed requests live to the end, like the answers
        return _book_parsed(_parse_hashed(transactions), ledger, rules, actor, batch_size)


def _book_parsed(hashed: list[tuple[Transaction, str]], ledger, rules: str | None, actor: str | None,
                 batch_size: int | None = None) -> list[Decision]:
    """Book parsed transactions, each with its content hash (computed once, in `_parse_hashed`).

    Consumes `hashed`: a batch's parsed requests are let go once it is booked, so that their memory
    serves the next batch's answers (at 10^5 transactions they held about 300 MB to the end)."""
    from aidf.ledger.store import MAX_BATCH

    who = {"actor": actor} if actor else {}
    if not hasattr(ledger, "batch"):
        return [decide_and_book(tx, ledger, rules, actor=actor) for tx, _ in hashed]
    size = batch_size or MAX_BATCH
    out: list[Decision] = []  # its callers (book_many, decide_many) hold the survivors set aside
    hashed.reverse()  # batches are taken from the end, in the original order
    while hashed:
        chunk = hashed[:-size - 1:-1]
        del hashed[-size:]
        with ledger.batch() as b:
            b.prefetch([tx.id for tx, _ in chunk])
            out += [_decide_and_book_in(tx, b, rules, who, h) for tx, h in settling(chunk)]
    return out


def parse_many(transactions: Iterable[Any]) -> list[Transaction]:
    """Validate a whole sequence first, so that a bad one books nothing and nothing is half-applied."""
    return [tx for tx, _ in _parse_hashed(transactions)]


def _parse_hashed(transactions: Iterable[Any]) -> list[tuple[Transaction, str]]:
    """`parse_many`, keeping each transaction's content hash beside it."""
    out = []
    seen: dict[str, str] = {}
    for i, t in enumerate(settling(transactions)):
        tx = parse_transaction(t, where=f"[{i}].")
        h = tx.content_hash()
        if tx.id in seen and seen[tx.id] != h:
            raise InputError(f"[{i}].id", f"transaction id {tx.id!r} appears twice with different content")
        seen[tx.id] = h
        out.append((tx, h))
    return out


def _preflight(tx: Transaction, rules: str | None, index: int) -> None:
    """Everything that can refuse a transaction, checked before any of the sequence is booked:
    the rule set, the date, and each item (catalog ids, figures)."""
    try:
        ruleset = resolve(rules or tx.rules, tx.date).ruleset
        ruleset.check_date(tx.date)
        p = ruleset.params(tx.date)
        for i, item in enumerate(tx.items):
            _classify(item.model_dump_json(), p, f"items.{i}")
    except InputError as e:
        raise InputError(f"[{index}].{e.field}", e.reason) from None


def decide_many(transactions: Iterable[Any], ledger=None, rules: str | None = None,
                actor: str | None = None) -> list[Decision]:
    """Decide in order; each decision is booked so the next one sees its draws."""
    with survivors_set_aside():  # the parsed requests live to the end, like the answers
        return _decide_many(transactions, ledger, rules, actor)


def _decide_many(transactions: Iterable[Any], ledger, rules: str | None, actor: str | None) -> list[Decision]:
    from aidf.ledger.memory import MemoryLedger

    hashed = _parse_hashed(transactions)
    ledger = ledger if ledger is not None else MemoryLedger()
    known = ledger.request_hashes([tx.id for tx, _ in hashed]) if hasattr(ledger, "request_hashes") else None
    for i, (tx, h) in enumerate(hashed):
        _preflight(tx, rules, i)
        prior = ledger.find(tx.id) if known is None else known.get(tx.id)
        prior_hash = getattr(prior, "request_hash", prior)
        if prior_hash is not None and prior_hash != h:
            raise InputError(f"[{i}].id", str(IdempotencyConflict(tx.id)))
    return _book_parsed(hashed, ledger, rules, actor)
