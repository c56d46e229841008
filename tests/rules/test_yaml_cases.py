"""Runs every YAML case in tests/rules/cases, one pytest id per case, named after the paragraph it tests.

A case file has a top-level `kind` and a list of `cases`:

- `kind: classification`: each case has `input` (an item line of the contract: catalog id, chip
  figures or model_weights), an optional `date` (default: the file's `date`, else today) and either
  `output` (expected fields of the classification JSON, as printed by `aidf classify --format json`)
  or `error` (the input must be refused with a message containing that text, e.g. the field name).
- `kind: decision`: each case has `steps`, transactions decided in order on one throwaway
  MemoryLedger (`aidf.decide_many`, each booked so the next sees it, as `aidf decide FILE --ledger
  memory` does), each with `expect` pinning decision fields; or `error` (the steps must be refused
  with a message naming that field). Skipped while the engine (`aidf.engine`) is not importable.

Expectations (both kinds) follow ../shared/contract/check_examples.py: keys are dotted paths
(`items.0.eccn`); a list means "any of" (but a list field such as `prongs` must equal the list);
`{approx: x, tol: r}` compares within relative tolerance r (default 0.005); `{not: v}` or a list of
values forbids them; `{startswith_not: s}`; `ledger_effects` lists `{kind, tpp?, tol?, absent?}` by
account kind; `cites` / `duty_cites` are substrings of trace / duty citations. Further keys:
`trace_results` (each an exact trace step result, e.g. `excluded`) and `warning_contains` (substrings
of warnings). Plain numbers are compared to 1e-9 relative.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import pytest
import yaml

CASES_DIR = Path(__file__).parent / "cases"
KINDS = ("classification", "decision")


# ---- expectations ---------------------------------------------------------------------------------

def get(obj: Any, path: str) -> Any:
    for part in path.split("."):
        if isinstance(obj, list):
            try:
                obj = obj[int(part)]
            except (ValueError, IndexError):
                return None
        elif isinstance(obj, dict):
            obj = obj.get(part)
        else:
            return None
    return obj


def _same(got: Any, want: Any) -> bool:
    if isinstance(want, bool) or isinstance(got, bool):
        return got is want
    if isinstance(want, (int, float)) and isinstance(got, (int, float)):
        return math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12)
    return got == want


def check_expect(answer: dict, expect: dict) -> list[str]:
    """Failures of `answer` (a decision or classification as JSON) against `expect`; empty when it passes."""
    fails: list[str] = []
    for key, want in expect.items():
        if key == "ledger_effects":
            effects = answer.get("ledger_effects") or []
            for w in want:
                kind = w["kind"]
                got = [e for e in effects if (e.get("account") or {}).get("kind") == kind]
                if w.get("absent"):
                    if got:
                        fails.append(f"ledger_effects: expected no {kind}, got {got}")
                    continue
                if not got:
                    kinds = [(e.get("account") or {}).get("kind") for e in effects]
                    fails.append(f"ledger_effects: expected {kind}, got {kinds}")
                    continue
                if "tpp" in w:
                    total = sum(float(e.get("tpp", 0)) for e in got)
                    if abs(total - w["tpp"]) > w.get("tol", 0.01) * w["tpp"]:
                        fails.append(f"ledger_effects {kind}: tpp {total} != {w['tpp']}")
            continue
        if key in ("cites", "duty_cites"):
            source = "trace" if key == "cites" else "duties"
            cites = " ".join(str(t.get("cite", "")) for t in answer.get(source) or [])
            fails += [f"{source}: no citation containing {c!r}" for c in want if c not in cites]
            continue
        if key == "trace_results":
            results = [str(t.get("result", "")) for t in answer.get("trace") or []]
            fails += [f"trace: no step with result {r!r} (got {results})" for r in want if r not in results]
            continue
        if key == "warning_contains":
            warnings = answer.get("warnings") or []
            fails += [f"warnings: none contains {w!r} (got {warnings})" for w in want
                      if not any(w in x for x in warnings)]
            continue
        got = get(answer, key)
        if isinstance(want, dict) and "approx" in want:
            if not isinstance(got, (int, float)) or abs(float(got) - want["approx"]) > want.get("tol", 0.005) * abs(want["approx"]):
                fails.append(f"{key}: {got} !~ {want['approx']}")
        elif isinstance(want, dict) and "not" in want:
            bad = want["not"] if isinstance(want["not"], list) else [want["not"]]
            if any(_same(got, b) for b in bad):
                fails.append(f"{key}: {got!r} must not be {bad}")
        elif isinstance(want, dict) and "startswith_not" in want:
            if isinstance(got, str) and got.startswith(want["startswith_not"]):
                fails.append(f"{key}: {got!r} must not start with {want['startswith_not']}")
        elif isinstance(want, list):
            if isinstance(got, list):
                if got != want:
                    fails.append(f"{key}: {got!r} != {want!r}")
            elif not any(_same(got, w) for w in want):
                fails.append(f"{key}: {got!r} not in {want}")
        elif not _same(got, want):
            fails.append(f"{key}: {got!r} != {want!r}")
    return fails


# ---- collection -----------------------------------------------------------------------------------

def _load(file: Path) -> dict:
    doc = yaml.safe_load(file.read_text())
    if not isinstance(doc, dict) or not isinstance(doc.get("cases"), list):
        raise ValueError(f"{file.name}: needs a top-level `kind` and a `cases` list")
    return doc


def _params() -> list:
    params = []
    for file in sorted(CASES_DIR.glob("*.yaml")):
        try:
            doc = _load(file)
        except (ValueError, yaml.YAMLError) as e:
            params.append(pytest.param(file.name, None, {"name": file.name, "_broken": str(e)}, id=file.name))
            continue
        for i, case in enumerate(doc["cases"]):
            name = case.get("name") or f"{file.stem}[{i}]"
            params.append(pytest.param(file.name, doc, case, id=name))
    return params


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _run_classification(doc: dict, case: dict) -> None:
    from aidf.cli.classify import as_json
    from aidf.rules.classify import classify_item
    from aidf.rules.parameters import parameters

    day = _date(case.get("date", doc.get("date"))) or dt.date.today()
    if "error" in case:
        with pytest.raises(ValueError) as refused:
            classify_item(case["input"], as_of=day)
        assert str(case["error"]).lower() in str(refused.value).lower(), \
            f"refusal does not name {case['error']!r}: {refused.value}"
        return
    assert "output" in case, "a classification case needs `output` or `error`"
    answer = as_json(classify_item(case["input"], as_of=day), day, parameters(day))
    fails = check_expect(answer, case["output"])
    assert not fails, "\n".join(fails + ["trace:"] + [f"  {t['rule']}: {t['result']} ({t['why']})"
                                                      for t in answer["trace"]])


def _run_decision(case: dict) -> None:
    pytest.importorskip("aidf.engine", reason="the decision engine (aidf.engine) is not there yet")
    import aidf
    from aidf.ledger import MemoryLedger

    # As `aidf decide FILE --ledger memory`: the steps in order on one throwaway ledger, each booked
    # so the next sees its draws (aidf.decide alone books nothing); a bad step refuses them all.
    txs = [step["tx"] for step in case["steps"]]
    if "error" in case:
        with pytest.raises(ValueError) as refused:
            aidf.decide_many(txs, ledger=MemoryLedger())
        msg = str(refused.value)
        assert str(case["error"]).lower() in msg.lower(), f"refusal does not name {case['error']!r}: {msg}"
        return
    decisions = aidf.decide_many(txs, ledger=MemoryLedger())
    assert len(decisions) == len(txs)
    fails = []
    for i, (step, decision) in enumerate(zip(case["steps"], decisions, strict=True), 1):
        answer = decision.model_dump(mode="json") if hasattr(decision, "model_dump") else decision
        fails += [f"step {i}: {f}" for f in check_expect(answer, step.get("expect") or {})]
    assert not fails, "\n".join(fails)


@pytest.mark.parametrize(("file", "doc", "case"), _params())
def test_case(file: str, doc: dict | None, case: dict) -> None:
    assert "_broken" not in case, case.get("_broken")
    kind = doc.get("kind")
    assert kind in KINDS, f"{file}: kind must be one of {KINDS}, got {kind!r}"
    if kind == "classification":
        _run_classification(doc, case)
    else:
        _run_decision(case)


# ---- the case files themselves --------------------------------------------------------------------

def test_case_names_are_unique_and_cite_a_paragraph() -> None:
    names: dict[str, str] = {}
    for file in sorted(CASES_DIR.glob("*.yaml")):
        for case in _load(file)["cases"]:
            name = case.get("name", "")
            assert name, f"{file.name}: a case without a name"
            assert name not in names, f"case {name!r} is in both {names[name]} and {file.name}"
            names[name] = file.name
            paragraph = name.split(":")[0]
            assert any(p in paragraph for p in ("3A090", "4A090", "4E091", "740.", "742.", "744.", "748.", "734.", "746.", "772.", "774 ")), \
                f"{name!r}: a case name starts with the paragraph it tests"
    assert len(names) >= 60


def test_every_classification_case_has_exactly_one_of_output_and_error() -> None:
    for file in sorted(CASES_DIR.glob("*.yaml")):
        doc = _load(file)
        if doc.get("kind") != "classification":
            continue
        for case in doc["cases"]:
            assert ("output" in case) != ("error" in case), f"{case['name']}: needs `output` or `error`"
            assert isinstance(case.get("input"), dict), f"{case['name']}: `input` is an item mapping"


# ---- the expectation semantics (so decision cases mean the same here and in the contract checker) -----

DECISION = {
    "outcome": "LICENSE_EXCEPTION", "authorization": "LPP", "destination_tier": 2,
    "items": [{"eccn": "3A090.a", "tpp": 15831.2, "prongs": ["a.1", "a.2"]}],
    "ledger_effects": [{"account": {"kind": "lpp_annual", "consignee": "x", "year": 2025}, "tpp": 7915600.0}],
    "duties": [{"what": "notify", "cite": "15 CFR 740.29(c)"}],
    "trace": [{"rule": "LPP", "cite": "15 CFR 740.29(a)", "result": "eligible", "why": ""}],
    "warnings": ["the 25% base is uncertain"],
}


@pytest.mark.parametrize(("expect", "ok"), [
    ({"outcome": "LICENSE_EXCEPTION", "items.0.eccn": "3A090.a"}, True),
    ({"outcome": "NLR"}, False),
    ({"outcome": ["NLR", "LICENSE_EXCEPTION"]}, True),
    ({"authorization": {"not": ["AIA", "ACM"]}}, True),
    ({"authorization": {"not": "LPP"}}, False),
    ({"items.0.eccn": {"startswith_not": "4A090"}}, True),
    ({"items.0.eccn": {"startswith_not": "3A090"}}, False),
    ({"items.0.tpp": {"approx": 15832, "tol": 0.001}}, True),
    ({"items.0.tpp": {"approx": 16000, "tol": 0.001}}, False),
    ({"items.0.tpp": 15831.2}, True),
    ({"items.0.prongs": ["a.1", "a.2"]}, True),
    ({"items.0.prongs": ["a.1"]}, False),
    ({"items.1.eccn": None}, True),
    ({"review_policy": None}, True),
    ({"ledger_effects": [{"kind": "lpp_annual", "tpp": 7915600}]}, True),
    ({"ledger_effects": [{"kind": "lpp_annual", "tpp": 8000000}]}, False),
    ({"ledger_effects": [{"kind": "country_allocation", "absent": True}]}, True),
    ({"ledger_effects": [{"kind": "lpp_annual", "absent": True}]}, False),
    ({"ledger_effects": [{"kind": "country_allocation"}]}, False),
    ({"cites": ["740.29"], "duty_cites": ["740.29(c)"]}, True),
    ({"cites": ["740.27"]}, False),
    ({"trace_results": ["eligible"]}, True),
    ({"trace_results": ["elig"]}, False),
    ({"warning_contains": ["uncertain"]}, True),
    ({"warning_contains": ["missing"]}, False),
])
def test_expectation_semantics(expect: dict, ok: bool) -> None:
    assert (check_expect(DECISION, expect) == []) is ok
