"""Citations as values: a part, a section and a paragraph of the CFR, an ECCN entry of the Commerce
Control List, or a Federal Register page; several of them joined, or one with a note.

Provisions build their citations from these constants and show them as text; nothing reads a
citation back out of its text (compare the values, or better, the fact the citation stands for).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Cite:
    """15 CFR `part`.`section` `paragraph`, e.g. Cite(740, "29", "(a)") -> "15 CFR 740.29(a)".

    A supplement is a section named "Supp. No. N" (shown "Supp. No. N to Part P"); `part_word` is how
    the part is named after it. Another title of the CFR is given by `title` (22 CFR 127.7)."""

    part: int
    section: str = ""
    paragraph: str = ""
    title: int = 15
    part_word: str = field(default="Part", compare=False)

    def __str__(self) -> str:
        text = self.__dict__.get("_text")  # shown in every decision's trace and duties: formatted once
        if text is None:
            text = self.__dict__["_text"] = self._format()
        return text

    def _format(self) -> str:
        if self.is_supplement:
            return f"{self.section} to {self.part_word} {self.part}{(' ' + self.paragraph) if self.paragraph else ''}"
        return f"{self.title} CFR {self.part}.{self.section}{self.paragraph}" if self.section \
            else f"{self.title} CFR Part {self.part}"

    @property
    def is_supplement(self) -> bool:
        return self.section.startswith("Supp.")

    @property
    def short(self) -> str:
        """As it follows another citation of 15 CFR: "740.27(a)", a part by its number ("750")."""
        if self.is_supplement or self.title != 15:
            return str(self)
        return f"{self.part}.{self.section}{self.paragraph}" if self.section else str(self.part)

    @property
    def in_part(self) -> str:
        """A supplement named inside its part's text: "Supp. No. 10 para 6"."""
        if not self.is_supplement:
            return self.short
        return f"{self.section}{(' ' + self.paragraph) if self.paragraph else ''}"

    def at(self, paragraph: str) -> Cite:
        """A paragraph below this one: Cite(740, "27").at("(b)(1)") -> 740.27(b)(1)."""
        below = self.__dict__.setdefault("_below", {})  # the same paragraphs are asked for in every decision
        cite = below.get(paragraph)
        if cite is None:
            cite = below[paragraph] = Cite(self.part, self.section, self.paragraph + paragraph, self.title, self.part_word)
        return cite

    def within(self, other: Cite) -> bool:
        """Whether this citation is `other` or a paragraph below it."""
        return (self.part, self.section) == (other.part, other.section) and self.paragraph.startswith(other.paragraph)


class _Whole:
    """A citation written the same way after another one (no shorter form)."""

    __slots__ = ()

    @property
    def short(self) -> str:
        return str(self)


@dataclass(frozen=True, order=True)
class FederalRegister(_Whole):
    volume: int
    page: int

    def __str__(self) -> str:
        return f"{self.volume} FR {self.page}"


@dataclass(frozen=True)
class Title(_Whole):
    """A title of the CFR as a whole: 15 CFR, the Export Administration Regulations."""

    title: int

    def __str__(self) -> str:
        return f"{self.title} CFR"


@dataclass(frozen=True)
class Chapter(_Whole):
    """A chapter of a title of the CFR: 31 CFR chapter V."""

    title: int
    chapter: str

    def __str__(self) -> str:
        return f"{self.title} CFR chapter {self.chapter}"


@dataclass(frozen=True)
class Supplement:
    """A supplement to a part of 15 CFR by its number: "15 CFR 774 Supp. 1", "15 CFR 740 Supp. 5(a)"."""

    part: int
    number: int
    paragraph: str = ""

    def __str__(self) -> str:
        return f"15 CFR {self.part} {self.short}"

    @property
    def short(self) -> str:
        return f"Supp. {self.number}{self.paragraph}"


@dataclass(frozen=True)
class Entry:
    """An entry of the Commerce Control List: "15 CFR 774 Supp. 1, ECCN 4E091"; with a note,
    "15 CFR 774 Supp. 1, 3A090 Technical Note 1" (after another citation: "Note 1 to 3A090.a")."""

    eccn: str
    note: str = ""

    def __str__(self) -> str:
        return f"{CCL}, {self.eccn} {self.note}" if self.note else f"{CCL}, ECCN {self.eccn}"

    @property
    def short(self) -> str:
        return f"{self.note} to {self.eccn}" if self.note else f"ECCN {self.eccn}"


@dataclass(frozen=True)
class Noted:
    """A citation with a note after it: "15 CFR 772.1 (United States)"."""

    cite: Citation
    note: str
    sep: str = " "

    def __str__(self) -> str:
        return _once(self, "_text", lambda: f"{self.cite}{self.sep}{self.note}")

    @property
    def short(self) -> str:
        return f"{self.cite.short}{self.sep}{self.note}"


@dataclass(frozen=True)
class Joined:
    """Several citations read together, the title written once: "15 CFR 740.27(a); 744.23(a)(3)"."""

    cites: tuple[Citation, ...]

    def __str__(self) -> str:
        return _once(self, "_text", lambda: "; ".join([str(self.cites[0]), *(c.short for c in self.cites[1:])]))

    @property
    def short(self) -> str:
        return "; ".join(c.short for c in self.cites)


def _once(value, name: str, make) -> str:
    """Text formatted once per value: it is shown in every decision that cites it."""
    text = value.__dict__.get(name)
    if text is None:
        text = value.__dict__[name] = make()
    return text


Citation = Cite | FederalRegister | Title | Chapter | Supplement | Entry | Noted | Joined


def text(*cites: Citation) -> str:
    """Several citations as one text, in the order given, each in full."""
    return "; ".join(str(c) for c in cites)


def joined(*cites: Citation) -> Joined:
    """Several citations as one, the title of the first standing for those after it."""
    return Joined(tuple(cites))


# The provisions, by name (constants only: a citation is written here once).
EAR = Title(15)
FRAMEWORK = FederalRegister(90, 4544)
FRAMEWORK_DATES = Noted(FRAMEWORK, "(DATES: effective and compliance dates)")
PRIOR_RULES = (FederalRegister(88, 73458), FederalRegister(89, 96790))  # the advanced computing rules before it
H200_RULE = FederalRegister(91, 1684)

RED_FLAG_28 = Noted(Cite(732, "Supp. No. 3"), ", Red Flag 28", "")
PUBLISHED = Cite(734, "7", "(a)")
WEIGHTS_FDP = Cite(734, "9", "(l)")
GENERAL_PROHIBITION_4 = Cite(736, "2", "(b)(4)")

AIA, ACM, LPP, NAC_ACA = Cite(740, "27"), Cite(740, "28"), Cite(740, "29"), Cite(740, "8")
RESTRICTIONS = Cite(740, "2")
TIER_1 = Cite(740, "Supp. No. 5")  # its para (a) lists the countries of Tier 1
APPROVED_DESIGNERS = Cite(740, "Supp. No. 6")
TIERS = Noted(Joined((Supplement(740, 5, "(a)"), Supplement(740, 1, " (D:5)"))), "engine tiers", "; ")
OTHER_EXCEPTIONS = Joined((Cite(740, "9", "(a)(6)"), Cite(740, "10"), Cite(740, "11", "(b)"),
                           Cite(740, "13", "(a), (c)"), Cite(740, "25")))

LICENSE_REQUIREMENTS = Cite(742, "6")
REVIEW_POLICY = LICENSE_REQUIREMENTS.at("(b)(10)")

END_USE_744_23 = Cite(744, "23")
SDN_UNDER_EAR, ENTITY_LIST, UNVERIFIED_LIST, MILITARY_END_USE = Cite(744, "8"), Cite(744, "11"), Cite(744, "15"), Cite(744, "21")
ENTITY_LIST_ENTRIES = Cite(744, "Supp. No. 4", part_word="part")  # as the screening step has always named it
EMBARGOES = Cite(746)

LICENSE_APPLICATION = Cite(748, "1")
VEU = Cite(748, "15")
VEU_CERTIFICATION = Cite(748, "Supp. No. 8")
DATA_CENTERS = Cite(748, "Supp. No. 10")
WEIGHTS_STORAGE = DATA_CENTERS.at("paras 14, 15 and 18")  # the storage standard for model weights
WEIGHTS_STORAGE_LISTED = DATA_CENTERS.at("paras 14, 15, 18")  # the same, as verdicts and options list it
UVEU_SHARES = DATA_CENTERS.at("para 6")
UVEU_SHARE_LIMITS = Joined((VEU.at("(a)(2)(ii)(B)"), UVEU_SHARES))
LICENSES = Cite(750)
AES_FILING = Cite(758, "1")
RECORDS = Cite(762, "2")
INVOICE = Cite(758, "6")
EXPORT_RECORDS = RECORDS.at("(a)")
ECCN_ON_INVOICE = INVOICE.at("(a)(2)")
UNITED_STATES = Cite(772, "1")
HEADQUARTERS = Joined((AIA.at("(a)"), END_USE_744_23.at("(a)(3)"), VEU.at("(b)(2)")))  # where headquarters decide

CCL = Supplement(774, 1)
ECCN_3A090, ECCN_4E091 = Entry("3A090"), Entry("4E091")
TPP_NOTE, TPP_NOTES = Entry("3A090", "Technical Note 1"), Entry("3A090", "Technical Notes 1-3")
DESIGNER_NOTE = Entry("3A090.a", "Note 1")

OFAC = Chapter(31, "V")
ITAR_DEBARMENT = Cite(127, "7", title=22)
