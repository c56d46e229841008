"""Citations are values: no text in the code outside `aidf.cite` spells one out.

Every string constant of src (f-string parts too) is searched for the shapes a citation takes:
"CFR", a Federal Register page ("90 FR 4544"), a supplement ("Supp. No. 10"), a paragraph
reference ("740.27(a)"). A hit is a citation written as text, which a change of the provision
would not follow. Docstrings describe the law in its own words and are left out.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "aidf"
HOME = SRC / "cite.py"  # where each citation is written once

SHAPES = re.compile(r"\bCFR\b|\b\d+ FR\b|Supp\. No\.|\b\d{3}\.\d+\(")


def _docstrings(tree: ast.AST) -> set[int]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                out.add(id(body[0].value))
    return out


def citation_texts(source: str) -> list[tuple[int, str]]:
    """(line, text) of each string constant in `source` that spells out a citation."""
    tree = ast.parse(source)
    exempt = _docstrings(tree)
    return sorted((node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in exempt and SHAPES.search(node.value))


def test_the_scan_sees_citation_texts():
    found = citation_texts('"""15 CFR 740.27 is exempt here."""\n'
                           'a = "15 CFR 740.27"\nb = f"see {x} (740.29(a))"\nc = "Supp. No. 10 para 6"\n'
                           'd = "90 FR 4544"\ne = "a 3A090.a chip"\nf = "eCFR"\n')
    assert [line for line, _ in found] == [2, 3, 4, 5]


def test_no_citation_is_written_as_text():
    hits = []
    for path in sorted(SRC.rglob("*.py")):
        if path == HOME or "migrations" in path.parts:
            continue
        hits += [f"{path.relative_to(SRC)}:{line}: {text!r}" for line, text in citation_texts(path.read_text())]
    assert not hits, "citations written as text (build them from aidf.cite):\n" + "\n".join(hits)
