"""Expectations on a decision's pinned fields, in the vocabulary of the contract's worked examples.

Dotted paths (`items.0.eccn`), a list meaning any of, `{not: ...}`, `{approx: x, tol: r}`,
`ledger_effects` by account kind (`tpp` summed, or `absent: true`), and `cites` / `duty_cites`
as substrings of the trace's and duties' citations; `warnings_contain` as substrings of the warnings.
"""

from __future__ import annotations

from typing import Any


def get(obj: Any, path: str) -> Any:
    for part in path.split("."):
        if isinstance(obj, list):
            obj = obj[int(part)] if int(part) < len(obj) else None
        elif isinstance(obj, dict):
            obj = obj.get(part)
        else:
            return None
    return obj


def _effects(decision: dict, wants: list[dict]) -> list[str]:
    fails = []
    effects = decision.get("ledger_effects") or []
    for w in wants:
        got = [e for e in effects if e["account"]["kind"] == w["kind"]]
        if w.get("absent"):
            if got:
                fails.append(f"ledger_effects: expected no {w['kind']}, got {got}")
            continue
        if not got:
            fails.append(f"ledger_effects: expected {w['kind']}, got {[e['account']['kind'] for e in effects]}")
        elif "tpp" in w:
            total = sum(e["tpp"] for e in got)
            if abs(total - w["tpp"]) > w.get("tol", 1e-9) * max(abs(w["tpp"]), 1):
                fails.append(f"ledger_effects {w['kind']}: tpp {total} != {w['tpp']}")
    return fails


def _cites(decision: dict, key: str, wants: list[str]) -> list[str]:
    source = "duties" if key == "duty_cites" else "trace"
    text = " ".join(str(x.get("cite", "")) for x in decision.get(source) or [])
    return [f"{source}: no citation containing {c!r}" for c in wants if c not in text]


def check_expect(decision: dict, expect: dict) -> list[str]:
    fails: list[str] = []
    for key, want in expect.items():
        if key == "ledger_effects":
            fails += _effects(decision, want)
            continue
        if key in ("cites", "duty_cites"):
            fails += _cites(decision, key, want)
            continue
        if key == "warnings_contain":
            text = " | ".join(decision.get("warnings") or [])
            fails += [f"warnings: nothing contains {w!r}" for w in want if w not in text]
            continue
        got = get(decision, key)
        if isinstance(want, dict) and "approx" in want:
            if got is None or abs(float(got) - want["approx"]) > want.get("tol", 1e-6) * abs(want["approx"]):
                fails.append(f"{key}: {got} !~ {want['approx']}")
        elif isinstance(want, dict) and "not" in want:
            bad = want["not"] if isinstance(want["not"], list) else [want["not"]]
            if got in bad:
                fails.append(f"{key}: {got!r} must not be {bad}")
        elif isinstance(want, list):
            if got not in want:
                fails.append(f"{key}: {got!r} not in {want}")
        elif got != want:
            fails.append(f"{key}: {got!r} != {want!r}")
    return fails
