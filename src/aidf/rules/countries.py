"""Country groups and tiers: Supp. No. 1 to Part 740 (groups) and Supp. No. 5 para (a) (Tier 1).

"Tier" is the engine's word, not the rule's: Tier 1 = Supp. No. 5 para (a) plus the US (with Puerto Rico and
the US territories, which are the United States under 772.1),
Tier 3 = Macau plus D:5, Tier 2 = the rest. The same split is applied to where an entity is
headquartered and where its ultimate parent is (740.27(a), 744.23(a)(3), 748.15(b)(2)).
"""

from __future__ import annotations

from dataclasses import dataclass

from aidf.rules.parameters import Parameters

GROUPS = "part740/supp1_country_groups"
TIER1 = "part740/supp5_tier1"
US = "part772/united_states"


@dataclass(frozen=True)
class Geography:
    """Country lists in force on one date."""

    tier1: frozenset[str]
    a5: frozenset[str]
    a6: frozenset[str]
    d1: frozenset[str]
    d4: frozenset[str]
    d5: frozenset[str]
    macau: frozenset[str]
    aliases: dict[str, str]
    us_territories: frozenset[str] = frozenset()

    @classmethod
    def of(cls, p: Parameters) -> Geography:
        return p.memo("geography", lambda: cls._build(p))

    @classmethod
    def _build(cls, p: Parameters) -> Geography:
        tier1 = p.countries(TIER1, "tier1") if p.has(TIER1, "tier1") else frozenset()
        return cls(tier1, p.countries(GROUPS, "A5"), p.countries(GROUPS, "A6"), p.countries(GROUPS, "D1"),
                   p.countries(GROUPS, "D4"), p.countries(GROUPS, "D5"), p.countries(GROUPS, "macau"),
                   dict(p.get(GROUPS, "aliases")), p.countries(US, "territories") if p.has(US, "territories") else frozenset())

    def canon(self, country: str) -> str:
        """Hong Kong is treated as China for these controls."""
        return self.aliases.get(country, country)

    def is_tier3(self, country: str) -> bool:
        """Macau or Country Group D:5 (the rule's 'Macau or a destination specified in Country Group D:5')."""
        c = self.canon(country)
        return c in self.d5 or c in self.macau

    def is_us_territory(self, country: str) -> bool:
        """Puerto Rico or a US territory: the United States under 772.1, so shipping there is no export."""
        return country in self.us_territories

    def tier(self, country: str) -> int:
        c = self.canon(country)
        if self.is_tier3(c):
            return 3
        if c in self.tier1 or c == "US" or c in self.us_territories:
            return 1  # the United States is Tier 1 on every date, with Puerto Rico and the territories (772.1)
        return 2

    def d145_outside_a5a6(self, country: str) -> bool:
        """D:1, D:4 or D:5 and not also A:5 or A:6: the destination prong of 742.6(a)(6)(iii)(B) and 740.2(a)(9)(ii)."""
        c = self.canon(country)
        in_d = c in self.d1 or c in self.d4 or c in self.d5 or c in self.macau
        return in_d and c not in self.a5 and c not in self.a6

    def d14_outside_d5(self, country: str) -> bool:
        """D:1 or D:4, not Macau or D:5: the April 2024 ACA scope (740.8)."""
        c = self.canon(country)
        return (c in self.d1 or c in self.d4) and not self.is_tier3(c)

    def groups_of(self, country: str) -> list[str]:
        c = self.canon(country)
        named = [("A:5", self.a5), ("A:6", self.a6), ("D:1", self.d1), ("D:4", self.d4), ("D:5", self.d5),
                 ("Macau", self.macau)]
        return [n for n, s in named if c in s]
