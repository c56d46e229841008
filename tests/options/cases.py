"""Options cases kept beside the decision cases (tests/rules/decisions/*options*.yaml).

Each case's steps are decided and booked in order on a throwaway ledger except the last, whose
options are then checked: `first` (the best option), `contains` (options that must be offered),
`count`, and `kinds_absent`. An option entry matches on kind, the exact change, outcome,
authorization, review policy, `range` (floats as `{approx: x}`), `why_contains`, `cite_contains`,
`warnings_contain`, `ledger_effects` (by account kind) and `decided` (expectations on the engine's decision of the
changed transaction).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from aidf.engine import decide
from aidf.model import Option
from aidf.options.probe import apply
from tests.expectations import _effects, check_expect

DECISIONS = Path(__file__).parents[1] / "rules" / "decisions"


def load() -> list[tuple[str, dict]]:
    out = []
    for file in sorted(DECISIONS.glob("*options*.yaml")):
        for case in yaml.safe_load(file.read_text())["cases"]:
            out.append((f"{file.stem}: {case['name']}", case))
    return out


def _same(got: Any, want: Any) -> bool:
    if isinstance(want, dict) and "approx" in want:
        return got is not None and abs(float(got) - want["approx"]) <= want.get("tol", 1e-9) * max(abs(want["approx"]), 1)
    return got == want


def mismatches(o: Option, want: dict, body: dict) -> list[str]:
    """Why option `o` does not match the expected entry (empty: it matches)."""
    got = o.model_dump(mode="json")
    out = []
    for key, value in want.items():
        if key == "range":
            out += [f"range.{k}: {(got['range'] or {}).get(k)!r} != {v!r}" for k, v in value.items()
                    if not _same((got["range"] or {}).get(k), v)]
        elif key == "why_contains" and value not in o.why:
            out.append(f"why lacks {value!r}: {o.why}")
        elif key == "cite_contains" and value not in o.cite:
            out.append(f"cite lacks {value!r}: {o.cite}")
        elif key == "warnings_contain" and not any(value in w for w in o.warnings):
            out.append(f"warnings lack {value!r}: {o.warnings}")
        elif key == "ledger_effects":
            out += _effects(got, value)
        elif key == "decided":
            out += check_expect(decide(apply(body, o.change)).model_dump(mode="json"), value)
        elif key not in ("why_contains", "cite_contains", "warnings_contain") and not _same(got.get(key), value):
            out.append(f"{key}: {got.get(key)!r} != {value!r}")
    return out


def check(options: list[Option], want: dict, body: dict) -> list[str]:
    fails = []
    if "count" in want and len(options) != want["count"]:
        fails.append(f"{len(options)} options, expected {want['count']}: {[o.change for o in options]}")
    for kind in want.get("kinds_absent", []):
        fails += [f"unexpected {kind} option {o.change}" for o in options if o.kind == kind]
    if "first" in want:
        if not options:
            fails.append("no options")
        else:
            fails += [f"first option: {m}" for m in mismatches(options[0], want["first"], body)]
    for entry in want.get("contains", []):
        if not any(not mismatches(o, entry, body) for o in options):
            near = [mismatches(o, entry, body) for o in options if o.kind == entry.get("kind")]
            fails.append(f"no option matches {entry}; nearest: {near[:2]}")
    return fails
