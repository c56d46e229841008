"""Citations are values built from constants, shown as text."""

from aidf import cite
from aidf.cite import Cite


def test_text():
    assert str(cite.LPP.at("(a)")) == "15 CFR 740.29(a)"
    assert str(Cite(748, "Supp. No. 10", "para 6")) == "Supp. No. 10 to Part 748 para 6"
    assert str(cite.FRAMEWORK) == "90 FR 4544"
    assert cite.text(cite.EXPORT_RECORDS, cite.ECCN_ON_INVOICE) == "15 CFR 762.2(a); 15 CFR 758.6(a)(2)"


def test_within_compares_values_not_text():
    assert cite.AIA.at("(b)(1)").within(cite.AIA)
    assert not cite.AIA.within(cite.AIA.at("(b)"))
    assert not Cite(740, "2").within(Cite(740, "27"))  # 740.2 is not 740.27, though its text is a prefix


def test_nothing_branches_on_citation_text():
    """No comparison, membership test or startswith/endswith reads a `.cite` text."""
    import ast
    from pathlib import Path

    src = Path(__file__).resolve().parents[1] / "src" / "aidf"
    hits = []
    for path in sorted(src.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            operands = []
            if isinstance(node, ast.Compare):
                operands = [node.left, *node.comparators]
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr in ("startswith", "endswith", "find", "index", "split"):
                operands = [node.func.value]
            if any(isinstance(o, ast.Attribute) and o.attr == "cite" for o in operands):
                hits.append(f"{path.relative_to(src)}:{node.lineno}")
    assert not hits, hits
