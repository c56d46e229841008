"""No parameter's value is written into the code: numbers live in the dated parameter files.

Every number of four digits or more in the parameters (thresholds, caps, allocations; years and
ISO dates left out), and every fraction of two decimals or more above one (a density such as 5.92,
given as text in the files), is searched for in the source, as a number and as text ("26,900,000",
"26900000", "2.5e25"); a hit means a copy of the parameter that will not follow its next change.
"""

from __future__ import annotations

import ast
import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

from aidf.rules.parameters import all_values

SRC = Path(__file__).resolve().parents[1] / "src" / "aidf"


def _numbers(v) -> set[float]:
    if isinstance(v, str):
        return _decimal_text(v)
    if isinstance(v, bool) or isinstance(v, dt.date) or v is None:
        return set()
    if isinstance(v, (int, float)):
        return {float(v)} if abs(v) >= 1000 and not (1900 <= v <= 2100 and float(v).is_integer()) else set()
    items = v.values() if isinstance(v, dict) else v
    return set().union(*(_numbers(x) for x in items)) if items else set()


def _decimal_text(v: str) -> set[float]:
    """A number the files give as text ("5.92"): distinctive when it has two decimals or more above one."""
    m = re.fullmatch(r"-?\d+\.(\d+)", v.strip())
    if m is None:
        return set()
    x = float(v)
    return _numbers(x) | ({x} if len(m.group(1)) >= 2 and abs(x) >= 1 else set())


def _parameter_numbers() -> set[float]:
    out: set[float] = set()
    for values in all_values().values():
        for history in values.values():
            for e in history:
                out |= _numbers(e.value)
    return out


def _spellings(x: float) -> list[str]:
    if not x.is_integer():
        return [repr(x)]
    n = int(Decimal(repr(x)))  # as written in the file (2.5e25 as a float is not 25 followed by 24 zeros)
    out = [f"{n:,}", str(n), f"{n:_}"]
    if abs(n) >= 10 ** 15:  # training operations are written in exponent form
        e = f"{Decimal(n).normalize():e}"
        out += [e, e.replace("e+", "e")]
    return out


def _hits(numbers: set[float]) -> list[str]:
    texts = {s: x for x in numbers for s in _spellings(x) if len(s) >= 4}
    pattern = re.compile(r"(?<![\d.,_])(" + "|".join(re.escape(s) for s in sorted(texts, key=len, reverse=True))
                         + r")(?![\d_]|,\d|\.\d)")
    out = []
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and not isinstance(node.value, bool):
                if isinstance(node.value, (int, float)) and float(node.value) in numbers:
                    out.append(f"{path.relative_to(SRC)}:{node.lineno}: {node.value!r}")
                elif isinstance(node.value, str) and pattern.search(node.value) and not _is_docstring(tree, node):
                    out.append(f"{path.relative_to(SRC)}:{node.lineno}: {pattern.search(node.value).group(0)!r} in text")
    return out


def _is_docstring(tree: ast.AST, node: ast.Constant) -> bool:
    """Module, class and function docstrings may describe the law in its own numbers."""
    for parent in ast.walk(tree):
        if isinstance(parent, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = getattr(parent, "body", [])
            if body and isinstance(body[0], ast.Expr) and body[0].value is node:
                return True
    return False


def test_no_parameter_value_is_written_in_the_code():
    numbers = _parameter_numbers()
    assert 26_900_000.0 in numbers  # the scan sees the LPP cap
    assert 5.92 in numbers and 2.5e25 in numbers  # a density given as text, a threshold of operations
    hits = _hits(numbers)
    assert not hits, "parameter values written into the code:\n" + "\n".join(hits)
