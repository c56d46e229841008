"""Static shapes: what a line's decision is before any running balance is read.

A line's answer depends on its item, its transaction's facts (rule set, date, action, destination,
parties' locations and headquarters, end use) and the ledger. Only four provisions read balances:
LPP (consignee-year meter), UVEU (shares of the VEU's installed base), NVEU (quarterly cap per
VEU and country) and the Tier 2 review policy (country allocation). Everything else is decided
once per distinct shape with the engine's own provisions, then broadcast to every line of it.

The shape of a line is evaluated as a plan: terminal (settled without balances), or a chain of
balance-dependent steps, each tried in the engine's order, ending in a fallback (review policy,
possibly against the country allocation). Balance-dependent candidates are recognised by probing
them with a one-milli-TPP line against an empty ledger: eligible with a draw means "eligible if the
meter has room", the draw naming the meter.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from typing import Any

from aidf import engine
from aidf.errors import InputError
from aidf.model import OUTCOME_ORDER, Item, Outcome, Transaction
from aidf.rules import veu as veu_rules
from aidf.rules.authorizations import authorize, outcome_of
from aidf.rules.classify import Classification, classified
from aidf.rules.facts import Facts, LedgerView, Line
from aidf.rules.parameters import all_values, parameters
from aidf.rules.restrictions import restriction
from aidf.rules.review_policy import allocation_limit, arrangement_in_force, review_policy
from aidf.rules.ruleset import RuleSet, get_ruleset, grace_decides, resolve

DYNAMIC_KINDS = {"lpp_annual": "LPP", "uveu_share": "UVEU", "nveu_cap": "NVEU"}
NVEU_CAPS = ("part748/nveu_caps", "quarterly_cap")
UVEU_SHARES = "part748/uveu_shares"
ALLOC = "part742/country_allocation"


class _Full:
    """A ledger whose every meter is spent: shows the policy a line meets past its allocation."""

    def used(self, account) -> int:
        return 10**18

    def installed_base(self, kind, veu):
        return {}

    def arrangement(self, country, as_of):
        return None

    def find(self, transaction_id):
        return None


@dataclass
class Plan:
    """The static answer for one shape."""

    dest: str
    dest_tier: int
    eccn: str | None
    tpp_unit: Fraction | None
    license_required: bool
    terminal: bool
    outcome: str | None = None          # terminal or static fallback outcome
    authorization: str | None = None
    review_policy: str | None = None
    steps: list[str] = field(default_factory=list)  # balance-dependent candidates in order: LPP, UVEU, NVEU
    lpp_limit: int | None = None
    alloc: bool = False                 # fallback reads the country allocation
    alloc_ok: str | None = None
    alloc_fail: str | None = None
    alloc_limit: int | None = None      # without a government-to-government arrangement
    alloc_limit_arranged: int | None = None  # with one (review_policy.allocation_limit)
    alloc_published: bool = False       # an arrangement is published for the destination on the date
    window: str | None = None
    aia_tally: bool = False
    counted: bool = False               # .a-level commodity: adds to a UVEU's installed base when authorized
    uveu: dict[str, Any] | None = None  # share parameters and tiers for the UVEU step
    nveu_caps: dict[str, int] | None = None


def breakpoints() -> list[dt.date]:
    """Dates where some parameter, rule-set boundary, calendar year or NVEU-table coverage changes."""
    return _epochs()[0]


def merged_starts(rules: str | None) -> dict[dt.date, dt.date]:
    """For one rule set: each epoch's first day -> the first day of the run of epochs it decides like.

    Consecutive epochs decide alike under a rule set when the parameters it reads are the same
    entries in both (a superseded rule set's are frozen; one not yet in force reads its first day's)
    and the boundary is not a date the provisions compare a line's date with: a date inside a
    parameter's value, a New Year's Day kept for the allocation window, an NVEU-table coverage change.
    """
    breaks, sensitive = _epochs()
    out: dict[dt.date, dt.date] = {}
    cur, prev = None, None
    for b in breaks:
        res = resolve(rules, b)  # a timeline changes its rule set on its boundaries
        sig = (res.key, _signature(res.ruleset.params(b).as_of),
               res.grace and _signature(res.grace.params(b).as_of))
        if cur is None or b in sensitive or sig != prev:
            cur = b
        out[b] = cur
        prev = sig
    return out


@lru_cache(maxsize=256)
def _signature(as_of: dt.date) -> tuple[int, ...]:
    """Which entry of every parameter's history is in force on `as_of` (equal: the same parameters)."""
    return tuple(sum(1 for e in history if e.since <= as_of)
                 for _, values in sorted(all_values().items()) for _, history in sorted(values.items()))


@lru_cache(maxsize=1)
def _epochs() -> tuple[list[dt.date], frozenset[dt.date]]:
    dates: set[dt.date] = set()
    sensitive: set[dt.date] = set()

    def walk(v: Any) -> None:
        if isinstance(v, dt.date):
            dates.add(v)
            sensitive.add(v)
        elif isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, (list, tuple)):
            for x in v:
                walk(x)

    for values in all_values().values():
        for history in values.values():
            for e in history:
                dates.add(e.since)
                walk(e.value)
    prev = None
    for y in range(2020, 2036):
        for q in range(4):
            start = dt.date(y, 3 * q + 1, 1)
            p = parameters(start)
            covered = p.has(*NVEU_CAPS) and f"{y}Q{q + 1}" in p.get(*NVEU_CAPS)
            if covered != prev:
                dates.add(start)
                sensitive.add(start)
            prev = covered
    for rid in ("ai-diffusion-2025", "pre-diffusion-2024", "non-enforced-2025"):
        start, end = get_ruleset(rid).window()
        dates.add(start)
        if end is not None:
            dates.add(end + dt.timedelta(days=1))
    # Calendar years: the static provisions read a line's year only through the country allocation's
    # window (review_policy: first_year <= year <= last_year); LPP years and NVEU quarters are per line.
    # So a New Year's Day starts a new epoch only where that test changes for some rule set.
    for y in range(2020, 2036):
        day = dt.date(y, 1, 1)
        if day not in dates and any(_in_window(rid, y - 1, day) != _in_window(rid, y, day) for rid in _rule_ids()):
            dates.add(day)
            sensitive.add(day)
    return sorted(dates), frozenset(sensitive)


def _rule_ids() -> list[str]:
    from aidf.rules.ruleset import RULESETS

    return list(RULESETS)


def _in_window(rid: str, year: int, day: dt.date) -> bool | None:
    """Whether `year` is inside the country allocation's window, in the parameters `rid` reads on `day`."""
    p = get_ruleset(rid).params(day)
    if not p.has(ALLOC, "window"):
        return None
    w = p.get(ALLOC, "window")
    return w["first_year"] <= year <= w["last_year"]


def evaluate(tx: Transaction) -> Plan:
    """The plan for the single item of `tx` (a representative transaction of one shape).

    In the as-written grace window the line is planned under the framework and the 2024 regime,
    and each answer the balances can lead to is chosen between them by `grace_decides`."""
    return evaluate_noted(tx).plan


@dataclass
class Noted:
    """A plan with the warnings the engine gives beside its answer for the line (before screening): the
    rule set's status on the date, then those of the regime deciding the line (engine.answer_warnings).
    They are the engine's own where the plan is terminal (no balance can change the answer); None in
    the grace window when the framework's plan is not terminal (the balances choose the regime)."""

    plan: Plan
    warnings: list[str] | None = None


def evaluate_noted(tx: Transaction) -> Noted:
    """`evaluate`, keeping the warnings."""
    res = resolve(tx.rules, tx.date)
    regime: list[str] = []
    plan = _evaluate(tx, res.ruleset, regime)
    if res.grace is not None:
        prior: list[str] = []
        fw, old = plan, _evaluate(tx, res.grace, prior)
        plan = _grace_plan(fw, old)
        if not fw.terminal:  # which regime decides rests on balances
            return Noted(plan)
        if grace_decides(old.license_required, RANKS.index(old.outcome), RANKS.index(fw.outcome)) == res.grace.id:
            if (fw.outcome, fw.authorization) != (old.outcome, old.authorization):
                engine.warn_grace(regime, prior, 0, engine.said(fw.outcome, fw.authorization, fw.review_policy),
                                  engine.said(old.outcome, old.authorization, old.review_policy))
            regime = prior
    return Noted(plan, engine.answer_warnings(list(_status_warnings(tx.rules, tx.date)), [regime]))


@lru_cache(maxsize=1024)
def _status_warnings(rules: str | None, on: dt.date) -> tuple[str, ...]:
    """The warnings the rule set's status carries on a date (Resolution.ref), made once per date."""
    return tuple(resolve(rules, on).ref(on)[1])


RANKS = [o.value for o in OUTCOME_ORDER]
STEP_OUTCOME = {"LPP": Outcome.LICENSE_EXCEPTION.value, "UVEU": Outcome.VEU.value, "NVEU": Outcome.VEU.value}


def _grace_plan(fw: Plan, old: Plan) -> Plan:
    """Combine the framework's plan with the 2024 regime's (always terminal: it reads no balance).

    Balance-dependent steps come in order of rising outcome rank, so the steps the 2024 answer beats
    are a tail: it replaces them and the fallback."""
    old = dataclasses.replace(old, dest=fw.dest, dest_tier=fw.dest_tier)
    rank = RANKS.index
    if not fw.terminal:
        keep = []
        for step in fw.steps:
            if grace_decides(old.license_required, rank(old.outcome), rank(STEP_OUTCOME[step])) != "ai-diffusion-2025":
                break
            keep.append(step)
        if len(keep) == len(fw.steps) and grace_decides(old.license_required, rank(old.outcome),
                                                        rank(fw.outcome)) == "ai-diffusion-2025":
            return fw
        if not keep:
            return old
        return dataclasses.replace(fw, steps=keep, alloc=False, outcome=old.outcome, authorization=old.authorization,
                                   review_policy=old.review_policy, uveu=fw.uveu if "UVEU" in keep else None,
                                   nveu_caps=fw.nveu_caps if "NVEU" in keep else None)
    chosen = grace_decides(old.license_required, rank(old.outcome), rank(fw.outcome))
    return fw if chosen == "ai-diffusion-2025" else old


def _evaluate(tx: Transaction, ruleset: RuleSet, warnings: list[str] | None = None) -> Plan:
    """The plan under one rule set; `warnings` (if given) receives the regime's, as the engine gathers them."""
    ruleset.check_date(tx.date)
    p = ruleset.params(tx.date)
    item = tx.items[0]
    cls = classified(_item_json(item), p, "items.0")
    plain_tx = tx
    veu = tx.parties.ultimate_consignee.veu
    if veu is not None and veu.installed_base_tpp is not None:
        plain_tx = _with_base(tx, None)
    f = Facts.build(plain_tx, ruleset, p, LedgerView(None))
    if warnings is not None:  # the caller's list gathers them
        warnings += f.warnings
        f.warnings = warnings
    # The warnings in the engine's order: facts, location, classification, then the provisions'.
    engine.warn_consignee_location(f)
    engine.note_classification(f, cls)
    plan = Plan(dest=f.dest, dest_tier=f.dest_tier, eccn=cls.eccn, tpp_unit=cls.tpp_unit,
                license_required=False, terminal=True,
                counted=veu_rules.adds_to_installed_base(cls, ruleset.diffusion))
    if cls.indeterminate:
        engine.warn_indeterminate(f, 0, cls)
        plan.outcome = Outcome.NEEDS_REVIEW.value
        return plan
    line = Line(0, item, cls)
    if cls.eccn is None:
        plan.outcome = Outcome.NLR.value
        return plan
    req = engine.license_requirement(line, f)
    if not req.required:
        plan.outcome = Outcome.NLR.value
        return plan
    plan.license_required = True
    r = restriction(f)
    probe = Line(0, item, _probe(cls))
    done, unknown = _candidates(plan, tx, probe, f, r)
    if done:
        return plan
    plan.terminal = not plan.steps
    if unknown:
        engine.warn_unsettled(f, 0, unknown)
        plan.outcome = Outcome.NEEDS_REVIEW.value
        return plan
    return _review(plan, probe, f)


MEMO = 4096  # entries of the per-object memos below; they start again past this
_probes: dict[int, tuple[Classification, Classification]] = {}
_jsons: dict[int, tuple[Item, str]] = {}


def _probe(cls: Classification) -> Classification:
    """The classification of a one-milli-TPP line of the item (`cls`, shared by the classification cache):
    made once per classification, so its amounts are computed once too. Keyed by identity, the object kept."""
    found = _probes.get(id(cls))
    if found is None or found[0] is not cls:
        if len(_probes) >= MEMO:
            _probes.clear()
        found = _probes[id(cls)] = (cls, dataclasses.replace(cls, tpp_total=Fraction(1, 1000)))
    return found[1]


def _item_json(item: Item) -> str:
    """The item as the classification cache keys it, once per item object (parsed.transaction shares them)."""
    found = _jsons.get(id(item))
    if found is None or found[0] is not item:
        if len(_jsons) >= MEMO:
            _jsons.clear()
        found = _jsons[id(item)] = (item, item.model_dump_json(exclude_none=True))
    return found[1]


def _candidates(plan: Plan, tx: Transaction, probe: Line, f: Facts, r) -> tuple[bool, list]:
    """The engine's search of authorizations (rules/authorizations.authorize) against an empty ledger:
    (a candidate authorizes the line whatever the balances, the candidates that are unknown). Eligible
    candidates that draw on a meter (LPP, UVEU, NVEU) become the plan's steps, in order."""
    veu = tx.parties.ultimate_consignee.veu

    def again(cand, v):
        if v.authorization == "UVEU" and v.status == "not_eligible" and veu is not None and veu.type == "UVEU":
            # Shares need a base to be tested: probe against a large Tier 1 base, so only structure decides.
            fu = Facts.build(_with_base(tx, {"US": 1e15}), f.ruleset, f.p, LedgerView(None))
            return cand(probe, fu, r)
        return v

    search = authorize(probe, f, r, metered=True, again=again)
    for v in search.metered:
        _dynamic_step(plan, v, f)
    v = search.chosen
    if v is not None:
        plan.outcome = outcome_of(v).value
        plan.authorization = v.authorization
        plan.aia_tally = v.authorization == "AIA" and not probe.cls.is_weights
        return True, search.unknown
    return False, search.unknown


def _dynamic_step(plan: Plan, v, f: Facts) -> None:
    """A balance-dependent authorization: its limit, caps or share limits, from its provision."""
    kind = v.draws[0].account.kind
    if kind not in DYNAMIC_KINDS or DYNAMIC_KINDS[kind] != v.authorization:
        raise NotImplementedError(f"replay: {v.authorization} draws on {kind}, which the columnar path does not know")
    plan.steps.append(v.authorization)
    if v.authorization == "LPP":
        plan.lpp_limit = v.draws[0].limit
    elif v.authorization == "NVEU":
        plan.nveu_caps = veu_rules.nveu_caps(f.p)
    else:
        plan.uveu = {"tier": f.geo.tier, "us_hq": f.consignee.hq == "US", "limits": veu_rules.share_limits(f.p)}


def _review(plan: Plan, probe: Line, f: Facts) -> Plan:
    """A licensed line's review policy; where it draws on the country allocation, the policy within it
    and past it (against a spent ledger), and the allocation's limits with and without an arrangement."""
    review = review_policy(probe, f)
    plan.outcome = Outcome.LICENSE_REQUIRED.value
    if not review.draws:
        plan.review_policy = review.policy
        return plan
    d = review.draws[0]
    if d.account.kind != "country_allocation":
        raise NotImplementedError(f"replay: review policy draws on {d.account.kind}")
    full = review_policy(probe, _against(f, _Full()))
    plan.terminal = False
    plan.alloc, plan.alloc_ok, plan.alloc_fail = True, review.policy, full.policy
    # The ledger's arrangements are read per line in replay; a published one is part of the shape.
    plan.window = d.account.window
    plan.alloc_limit, plan.alloc_limit_arranged = allocation_limit(f.p, None), allocation_limit(f.p, {"country": f.dest})
    plan.alloc_published = arrangement_in_force(f) is not None
    return plan


def _against(f: Facts, ledger) -> Facts:
    """The facts of `f` read against another ledger, for a policy whose warnings are not kept: what
    Facts.build gives for the same transaction, rule set and parameters (it reads no ledger), made once."""
    out = copy.copy(f)
    out.view, out.warnings = LedgerView(ledger), []
    return out


@dataclass
class ItemFeatures:
    """What the provisions read of a classified item; items with equal keys decide alike."""

    key: tuple
    tpp_unit: Fraction | None


def item_features(tx_data: dict[str, Any]) -> ItemFeatures | InputError:
    """Classify the single item of a representative transaction (its date stands for its epoch).

    The key holds every classification fact a provision reads (license_requirements.py,
    exceptions/, veu.py, review_policy.py): ECCN, level, weights, datacenter, indeterminate,
    weights storage, the vendor being an unapproved designer (AIA) and the chip's figures against
    the 2026 China review policy (TPP and DRAM bandwidth).
    """
    from aidf.replay.shapes import item_flags

    try:
        tx = engine.parse_transaction(tx_data)
        ruleset = resolve(tx.rules, tx.date).ruleset
        ruleset.check_date(tx.date)
        p = ruleset.params(tx.date)
        item = tx.items[0]
        cls = classified(item.model_dump_json(exclude_none=True), p, "items.0")
    except InputError as e:
        return e
    w = item.model_weights
    key = (cls.eccn, cls.level, cls.is_weights, cls.datacenter, cls.indeterminate is not None,
           None if w is None else w.storage_meets_supp10_14_15_18, cls.tpp_unit is None, *item_flags(cls, p),
           cls.listed_eccn)
    return ItemFeatures(key=key, tpp_unit=cls.tpp_unit)


def _with_base(tx: Transaction, base: dict[str, float] | None) -> Transaction:
    uc = tx.parties.ultimate_consignee
    veu = uc.veu.model_copy(update={"installed_base_tpp": base})
    parties = tx.parties.model_copy(update={"ultimate_consignee": uc.model_copy(update={"veu": veu})})
    return tx.model_copy(update={"parties": parties})


def noted_or_error(tx_data: dict[str, Any]) -> Noted | InputError:
    """Evaluate a shape, returning the InputError (naming the field) instead of raising it."""
    from aidf.replay import parsed

    try:
        return evaluate_noted(parsed.transaction(tx_data))
    except InputError as e:
        return e
