"""Rule sets (vintages) and timelines: the law in force on a date, and its legal status.

- `ai-diffusion-2025`: the framework as published (90 FR 4544).
- `pre-diffusion-2024`: the October 2023 / December 2024 regime it replaced.
- `non-enforced-2025`: what BIS enforces after announcing on 2025-05-13 that the framework would not be
  enforced: the pre-diffusion destination scope, plus the headquarters-based requirement BIS's
  2026-05-31 guidance says is still enforced.
A decision always names its rule set and that set's status on the transaction's date.

Timelines pick the set in force on a date (boundaries in parameters/dates.yaml):
- `as-written` (the default): the 2024 regime before the framework took effect; from its effective
  date to the day before its compliance date a grace window in which a line needs a license only where
  the 2024 regime required one (the framework's authorizations may then cover it); from the
  compliance date the framework.
- `as-enforced`: the 2024 regime until BIS announced non-enforcement, `non-enforced-2025` from then.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from aidf.cite import FRAMEWORK
from aidf.errors import InputError
from aidf.model import RuleSetRef
from aidf.rules.parameters import Parameters, parameters


def ruleset_date(name: str) -> dt.date:
    """A date of parameters/dates.yaml (the boundaries of the rule sets and timelines)."""
    return _date(name)


@lru_cache(maxsize=64)
def _date(name: str) -> dt.date:
    # dates.yaml values are themselves dates; read them as of a far date so every one is in force.
    # Cached: read several times per decision; dropped with the per-date caches when a scenario starts or ends.
    return parameters(dt.date(2100, 1, 1)).get("dates", name)


@dataclass(frozen=True)
class RuleSet:
    id: str
    title: str
    diffusion: bool  # the framework's provisions (AIA, LPP, ACM, VEU caps, 4E091, allocations) apply
    hq_requirement_only: bool = False  # non-enforced: destination scope of 2024 plus the HQ prong

    def window(self) -> tuple[dt.date, dt.date | None]:
        if self.id == "pre-diffusion-2024":
            return _date("oct2023_rule_effective"), _date("diffusion_effective") - dt.timedelta(days=1)
        if self.id == "non-enforced-2025":
            return _date("non_enforcement_announced"), None
        return _date("diffusion_effective"), None

    def params(self, on: dt.date) -> Parameters:
        """Parameters this rule set reads for a date; the superseded regime stays frozen at its last day."""
        return _params(self, on)

    def _params(self, on: dt.date) -> Parameters:
        start, end = self.window()
        if end is not None and on > end:
            return parameters(end)
        if self.diffusion and on < start:
            return parameters(start)  # compared before it took effect: its own values as of that day
        return parameters(on)

    def check_date(self, on: dt.date) -> None:
        floor = _date("oct2023_rule_effective")
        if on < floor:
            raise InputError("date", f"{on} is before {floor}, when the 3A090 test these rule sets apply began")

    def status(self, on: dt.date) -> tuple[str, bool, bool, list[str]]:
        """(status text, in force, enforced, warnings) of this rule set on a date."""
        start, end = self.window()
        eff, comp = _date("diffusion_effective"), _date("diffusion_compliance")
        announced, codified = _date("non_enforcement_announced"), _date("still_codified_on")
        warnings: list[str] = []
        if self.id == "pre-diffusion-2024":
            if on <= end:
                return "in force (October 2023 / December 2024 advanced computing rules)", True, True, []
            text = (f"superseded on {eff} by the Framework for AI Diffusion ({FRAMEWORK}); applied here for comparison. "
                    f"BIS announced non-enforcement of the framework on {announced}")
            warnings.append(f"rule set pre-diffusion-2024 was superseded on {eff}; applied for comparison, "
                            "not the law on the transaction date")
            return text, False, on >= announced, warnings
        if self.id == "non-enforced-2025":
            text = (f"BIS enforcement practice after its {announced} announcement: destination scope of the 2024 "
                    f"rules plus the headquarters-based requirement (BIS guidance 2026-05-31); the framework's text "
                    f"stays codified (eCFR {codified}) and was not formally rescinded")
            if on < start:
                warnings.append(f"rule set non-enforced-2025 starts on {start}; before it the framework was enforceable")
                return text, False, False, warnings
            warnings.append("enforcement practice rests on announcements and guidance, not rule text (register U15)")
            return text, True, True, warnings
        # ai-diffusion-2025
        if on < eff:
            warnings.append(f"{on} is before the framework took effect ({eff}); applied for comparison only")
            return f"not yet in effect on {on} (effective {eff})", False, False, warnings
        parts = [f"Framework for AI Diffusion as published ({FRAMEWORK}), effective {eff}"]
        if on < comp:
            parts.append(f"compliance not required until {comp}")
            warnings.append(f"the framework was effective but compliance was not required until {comp}")
        enforced = on < announced
        if not enforced:
            parts.append(f"BIS announced on {announced} that it would not enforce the rule and would rescind it; "
                         f"the text stays codified (eCFR {codified}) with no formal rescission")
            warnings.append(f"rule set ai-diffusion-2025: BIS announced non-enforcement on {announced}; this answer "
                            "applies the rule as written (compare --rules non-enforced-2025)")
        return "; ".join(parts), True, enforced, warnings

    def ref(self, on: dt.date) -> tuple[RuleSetRef, list[str]]:
        text, in_force, enforced, warnings = _status(self, on)
        return RuleSetRef.model_construct(id=self.id, title=self.title, status=text, in_force=in_force,
                                          enforced=enforced), list(warnings)

    def in_window(self, on: dt.date) -> bool:
        start, end = self.window()
        return start <= on and (end is None or on <= end)


@lru_cache(maxsize=8192)
def _params(ruleset: RuleSet, on: dt.date) -> Parameters:
    return ruleset._params(on)


@lru_cache(maxsize=8192)
def _status(ruleset: RuleSet, on: dt.date) -> tuple[str, bool, bool, tuple[str, ...]]:
    text, in_force, enforced, warnings = ruleset.status(on)
    return text, in_force, enforced, tuple(warnings)


RULESETS: dict[str, RuleSet] = {
    r.id: r for r in (
        RuleSet("ai-diffusion-2025", f"Framework for Artificial Intelligence Diffusion ({FRAMEWORK}, January 2025)", True),
        RuleSet("pre-diffusion-2024", "Advanced computing rules of October 2023 and December 2024 (before the framework)", False),
        RuleSet("non-enforced-2025", "Enforcement after BIS's May 2025 non-enforcement announcement", False, True),
    )
}
TIMELINES = ("as-written", "as-enforced")
DEFAULT_RULES = "as-written"  # a timeline: the set in force on the transaction's date
RULE_IDS = (*RULESETS, *TIMELINES)


def get_ruleset(rule_id: str) -> RuleSet:
    """A fixed rule set by id (a timeline is resolved on a date by `resolve`)."""
    if rule_id not in RULESETS:
        raise InputError("rules", f"unknown rule set {rule_id!r}; allowed: {', '.join(RULE_IDS)}")
    return RULESETS[rule_id]


@dataclass(frozen=True)
class Resolution:
    """The law applied on a date: the rule set, the timeline that chose it (None: named by the
    caller), and in the as-written grace window the 2024 regime whose requirements still bind."""

    ruleset: RuleSet
    timeline: str | None
    grace: RuleSet | None = None

    @property
    def key(self) -> tuple[str, str | None, bool]:
        return self.ruleset.id, self.timeline, self.grace is not None

    def ref(self, on: dt.date) -> tuple[RuleSetRef, list[str]]:
        """The answer's `rules` and the warnings its status carries on the date."""
        ref, warnings = _resolution_ref(self, on)
        return ref, list(warnings)


@lru_cache(maxsize=2048)
def _resolution_ref(res: Resolution, on: dt.date) -> tuple[RuleSetRef, tuple[str, ...]]:
    # Made once per resolution and date (RuleSetRef is a frozen value, shared by the answers of that date).
    if res.timeline is None:
        ref, warnings = res.ruleset.ref(on)
        if not res.ruleset.in_window(on):
            warnings = [w if "applied for comparison" in w else f"{w} (applied for comparison)" for w in warnings]
        return ref, tuple(warnings)
    text, in_force, enforced, warnings = _timeline_status(res, on)
    return RuleSetRef.model_construct(id=res.ruleset.id, title=res.ruleset.title, status=text, in_force=in_force,
                                      enforced=enforced, timeline=res.timeline), warnings


def resolve(rules: str | None, on: dt.date) -> Resolution:
    """Which rule set decides a transaction dated `on` when `rules` names a set or a timeline."""
    rid = rules or DEFAULT_RULES
    if rid not in RULE_IDS:
        raise InputError("rules", f"unknown rule set or timeline {rid!r}; allowed: {', '.join(RULE_IDS)}")
    return _resolve(rid, on)


@lru_cache(maxsize=4096)
def _resolve(rid: str, on: dt.date) -> Resolution:
    if rid in RULESETS:
        return Resolution(RULESETS[rid], None)
    pre = RULESETS["pre-diffusion-2024"]
    if rid == "as-enforced":
        if on < _date("as_enforced_non_enforced_from"):
            return Resolution(pre, rid)
        return Resolution(RULESETS["non-enforced-2025"], rid)
    if on < _date("as_written_framework_from"):
        return Resolution(pre, rid)
    if on < _date("as_written_compliance_from"):
        return Resolution(RULESETS["ai-diffusion-2025"], rid, grace=pre)
    return Resolution(RULESETS["ai-diffusion-2025"], rid)


@lru_cache(maxsize=8192)
def _timeline_status(res: Resolution, on: dt.date) -> tuple[str, bool, bool, tuple[str, ...]]:
    """Status of the set a timeline chose: the set's own text, without 'for comparison' notes."""
    rs, name = res.ruleset, res.timeline
    text, in_force, enforced, warnings = rs.status(on)
    if rs.id == "pre-diffusion-2024" and not rs.in_window(on):  # as-enforced before the announcement
        comp = _date("as_written_compliance_from")
        text = (f"the 2024 regime, enforced while compliance with the Framework for AI Diffusion (effective "
                f"{_date('diffusion_effective')}) was not yet required (compliance date {comp})")
        return text, True, True, ()
    if res.grace is not None:
        comp = _date("as_written_compliance_from")
        text = (f"{text}; grace window: before {comp} a line needs a license only where the 2024 regime "
                "required one, and the framework's authorizations may cover it")
        warnings = [w for w in warnings if "compliance was not required" not in w]
    warnings = [w.replace("compare --rules non-enforced-2025", "compare --rules as-enforced") for w in warnings]
    return f"{text} (timeline {name})", in_force, enforced, tuple(warnings)


def grace_decides(prior_required: bool, prior_rank: int, framework_rank: int) -> str:
    """90 FR 4544 (DATES): in the as-written grace window, which regime decides a line.

    The 2024 regime decides where it required no license, or where its answer asks less of the
    exporter (ranks in model.OUTCOME_ORDER); otherwise the framework, whose authorizations may cover it."""
    if not prior_required or prior_rank < framework_rank:
        return "pre-diffusion-2024"
    return "ai-diffusion-2025"
