"""Rule sets (vintages): which provisions apply, from which parameters, with what legal status on a date.

- `ai-diffusion-2025`: the framework as published (90 FR 4544). The default.
- `pre-diffusion-2024`: the October 2023 / December 2024 regime it replaced.
- `non-enforced-2025`: what BIS enforces after announcing on 2025-05-13 that the framework would not be
  enforced: the pre-diffusion destination scope, plus the headquarters-based requirement BIS's
  2026-05-31 guidance says is still enforced.
A decision always names its rule set and that set's status on the transaction's date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from aidf.errors import InputError
from aidf.model import RuleSetRef
from aidf.rules.parameters import Parameters, parameters


def _date(name: str) -> dt.date:
    # dates.yaml values are themselves dates; read them as of a far date so every one is in force.
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
            text = (f"superseded on {eff} by the Framework for AI Diffusion (90 FR 4544); applied here for comparison. "
                    f"BIS announced non-enforcement of the framework on {announced}")
            warnings.append(f"rule set pre-diffusion-2024 was superseded on {eff}; this answer is a comparison, "
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
        parts = [f"Framework for AI Diffusion as published (90 FR 4544), effective {eff}"]
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
        return RuleSetRef(id=self.id, title=self.title, status=text, in_force=in_force, enforced=enforced), list(warnings)


@lru_cache(maxsize=8192)
def _status(ruleset: RuleSet, on: dt.date) -> tuple[str, bool, bool, tuple[str, ...]]:
    text, in_force, enforced, warnings = ruleset.status(on)
    return text, in_force, enforced, tuple(warnings)


RULESETS: dict[str, RuleSet] = {
    r.id: r for r in (
        RuleSet("ai-diffusion-2025", "Framework for Artificial Intelligence Diffusion (90 FR 4544, January 2025)", True),
        RuleSet("pre-diffusion-2024", "Advanced computing rules of October 2023 and December 2024 (before the framework)", False),
        RuleSet("non-enforced-2025", "Enforcement after BIS's May 2025 non-enforcement announcement", False, True),
    )
}
DEFAULT_RULESET = "ai-diffusion-2025"


def get_ruleset(rule_id: str | None) -> RuleSet:
    rid = rule_id or DEFAULT_RULESET
    if rid not in RULESETS:
        raise InputError("rules", f"unknown rule set {rid!r}; allowed: {', '.join(RULESETS)}")
    return RULESETS[rid]
