"""Citations as values: a part, a section and a paragraph of 15 CFR, or a Federal Register page.

Provisions build their citations from these constants and show them as text; nothing reads a
citation back out of its text (compare the values, or better, the fact the citation stands for).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Cite:
    """15 CFR `part`.`section` `paragraph`, e.g. Cite(740, "29", "(a)") -> "15 CFR 740.29(a)".

    A supplement is a section named "Supp. No. N" (shown "Supp. No. N to Part P")."""

    part: int
    section: str = ""
    paragraph: str = ""

    def __str__(self) -> str:
        text = self.__dict__.get("_text")  # shown in every decision's trace and duties: formatted once
        if text is None:
            text = self.__dict__["_text"] = self._format()
        return text

    def _format(self) -> str:
        if not self.section:
            return f"15 CFR part {self.part}"
        if self.section.startswith("Supp."):
            return f"{self.section} to Part {self.part}{(' ' + self.paragraph) if self.paragraph else ''}"
        return f"15 CFR {self.part}.{self.section}{self.paragraph}"

    def at(self, paragraph: str) -> Cite:
        """A paragraph below this one: Cite(740, "27").at("(b)(1)") -> 740.27(b)(1)."""
        below = self.__dict__.setdefault("_below", {})  # the same paragraphs are asked for in every decision
        cite = below.get(paragraph)
        if cite is None:
            cite = below[paragraph] = Cite(self.part, self.section, self.paragraph + paragraph)
        return cite

    def within(self, other: Cite) -> bool:
        """Whether this citation is `other` or a paragraph below it."""
        return (self.part, self.section) == (other.part, other.section) and self.paragraph.startswith(other.paragraph)


@dataclass(frozen=True, order=True)
class FederalRegister:
    volume: int
    page: int

    def __str__(self) -> str:
        return f"{self.volume} FR {self.page}"


def text(*cites: Cite | FederalRegister) -> str:
    """Several citations as one text, in the order given."""
    return "; ".join(str(c) for c in cites)


# The provisions, by name (constants only: a citation is written here once).
FRAMEWORK = FederalRegister(90, 4544)
AIA, ACM, LPP, NAC_ACA = Cite(740, "27"), Cite(740, "28"), Cite(740, "29"), Cite(740, "8")
RESTRICTIONS = Cite(740, "2")
LICENSE_REQUIREMENTS = Cite(742, "6")
END_USE_744_23 = Cite(744, "23")
VEU = Cite(748, "15")
RECORDS = Cite(762, "2")
INVOICE = Cite(758, "6")
EXPORT_RECORDS = RECORDS.at("(a)")
ECCN_ON_INVOICE = INVOICE.at("(a)(2)")
