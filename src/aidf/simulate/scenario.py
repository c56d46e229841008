"""Scenarios: a rule set or timeline, parameter reforms and recorded arrangements, applied to one book.

A scenario file is YAML:

    name: lpp-doubled
    rules: as-written                # a rule set or timeline id (default: each line's own)
    overrides:                       # reforms, by parameter path and name (see `aidf rules`)
      part740/lpp: {annual_tpp_cap: 53800000}
      part742/country_allocation:
        tpp_per_country: {value: 395000000, since: 2025-01-13}
    arrangements:                    # government-to-government arrangements recorded in its ledger
      - {country: IN, since: 2025-06-01, reference: "US-IN arrangement (hypothetical)"}
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from aidf.errors import InputError
from aidf.rules.parameters import overlay

KEYS = {"name", "rules", "overrides", "arrangements", "description"}


@dataclass(frozen=True)
class Arrangement:
    country: str
    since: dt.date
    reference: str


@dataclass(frozen=True)
class Scenario:
    name: str
    rules: str | None
    layer: overlay.Layer
    arrangements: tuple[Arrangement, ...] = ()
    description: str = ""

    def describe(self) -> dict[str, Any]:
        """What a report states about the scenario: its rules, every override with the value and
        citation it replaces, and the arrangements it records."""
        return {"name": self.name, "rules": self.rules, "description": self.description,
                "overrides": self.layer.describe(),
                "arrangements": [{"country": a.country, "since": a.since.isoformat(), "reference": a.reference}
                                 for a in self.arrangements]}


def check_rules(rules: str | None, where: str = "rules") -> str | None:
    """A rule set or timeline id the engine knows (refused, named, otherwise)."""
    if rules is None:
        return None
    from aidf.rules.ruleset import RULE_IDS

    if rules not in RULE_IDS:
        raise InputError(where, f"unknown rule set or timeline {rules!r}; allowed: {', '.join(RULE_IDS)}")
    return rules


def from_rules(rules: str) -> Scenario:
    """The scenario `--rules X`: that rule set or timeline, with the parameters as shipped."""
    return Scenario(rules, check_rules(rules), overlay.Layer(rules, ()))


def load(path: str | Path) -> Scenario:
    """Read and check a scenario file; every problem is refused naming the file and the field."""
    p = Path(path)
    where = p.name
    try:
        doc = yaml.safe_load(p.read_text())
    except FileNotFoundError:
        raise InputError("scenario", f"no file {str(path)!r}") from None
    except yaml.YAMLError as e:
        raise InputError(where, f"not valid YAML ({str(e).splitlines()[0]})") from None
    return parse(doc, where, default_name=p.stem)


def parse(doc: Any, where: str = "scenario", default_name: str = "scenario") -> Scenario:
    if not isinstance(doc, dict):
        raise InputError(where, "a scenario is a mapping with name, rules, overrides, arrangements")
    extra = set(doc) - KEYS
    if extra:
        raise InputError(f"{where}.{sorted(extra)[0]}", f"unknown key; allowed: {', '.join(sorted(KEYS))}")
    name = str(doc.get("name") or default_name)
    rules = check_rules(doc.get("rules"), f"{where}.rules")
    arrangements = tuple(_arrangement(a, f"{where}.arrangements.{i}") for i, a in enumerate(doc.get("arrangements") or []))
    layer = overlay.build(name, _with_arrangements(doc.get("overrides"), arrangements), f"{where}.overrides")
    return Scenario(name, rules, layer, arrangements, str(doc.get("description") or ""))


def _with_arrangements(overrides: Any, arrangements: tuple[Arrangement, ...]) -> Any:
    """A scenario's arrangements join the published ones (742.6(b)(10)), so every path that reads the
    allocation sees them, with or without a ledger."""
    if not arrangements or not isinstance(overrides, dict | None):
        return overrides
    from aidf.rules.parameters import parameters

    path, name = "part742/country_allocation", "arrangements"
    published = parameters(dt.date.max).get(path, name) or []
    added = [{"country": a.country, "since": a.since.isoformat(), "reference": a.reference} for a in arrangements]
    out = dict(overrides or {})
    out[path] = {**out.get(path, {}), name: [*published, *added]}
    return out


def _arrangement(a: Any, where: str) -> Arrangement:
    from aidf.model import ISO2

    if not isinstance(a, dict) or "country" not in a or "since" not in a:
        raise InputError(where, "needs country and since")
    country = str(a["country"]).upper()
    if country not in ISO2:
        raise InputError(f"{where}.country", f"{a['country']!r} is not an ISO 3166-1 alpha-2 code")
    try:
        since = dt.date.fromisoformat(str(a["since"]))
    except ValueError:
        raise InputError(f"{where}.since", f"must be an ISO date, got {a['since']!r}") from None
    return Arrangement(country, since, str(a.get("reference") or "scenario arrangement"))
