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


def test_joined_citations_write_the_title_once():
    assert str(cite.HEADQUARTERS) == "15 CFR 740.27(a); 744.23(a)(3); 748.15(b)(2)"
    assert str(cite.joined(cite.LICENSE_APPLICATION, cite.LICENSES)) == "15 CFR 748.1; 750"
    assert str(cite.joined(cite.UNVERIFIED_LIST, cite.ITAR_DEBARMENT)) == "15 CFR 744.15; 22 CFR 127.7"
    assert str(cite.joined(cite.ENTITY_LIST, cite.ENTITY_LIST_ENTRIES, cite.OFAC)) == \
        "15 CFR 744.11; Supp. No. 4 to part 744; 31 CFR chapter V"
    assert str(cite.joined(cite.AIA.at("(a)(1)"), cite.DESIGNER_NOTE)) == "15 CFR 740.27(a)(1); Note 1 to 3A090.a"


def test_entries_notes_and_other_forms():
    assert str(cite.ECCN_4E091) == "15 CFR 774 Supp. 1, ECCN 4E091"
    assert str(cite.TPP_NOTE) == "15 CFR 774 Supp. 1, 3A090 Technical Note 1"
    assert str(cite.Noted(cite.UNITED_STATES, "(United States)")) == "15 CFR 772.1 (United States)"
    assert str(cite.TIERS) == "15 CFR 740 Supp. 5(a); Supp. 1 (D:5); engine tiers"
    assert str(cite.EMBARGOES) == "15 CFR Part 746" and str(cite.EAR) == "15 CFR"
    assert cite.UVEU_SHARES.in_part == "Supp. No. 10 para 6"
    assert cite.text(*cite.PRIOR_RULES) == "88 FR 73458; 89 FR 96790"
    assert Cite(744, "Supp. No. 4", part_word="part") == Cite(744, "Supp. No. 4")  # the same supplement
