"""Account keys of the meters the engine draws on, with the paragraph each comes from.

- country_allocation (country, window): Tier 2 country allocation, 742.6(b)(10) / Supp. 5 to part 740
- lpp_annual (consignee, year): Low Processing Performance, 740.29(a), per consignee and calendar year
- nveu_cap (veu, country): National VEU installed-base cap, 748.15(a)(2)(iii)(B)
- uveu_share (veu, country): Universal VEU geographic shares, 748.15(a)(2)(ii)(B)
- license (license number): TPP authorized by an individual license (part 750)
Other kinds (e.g. aia_cumulative) are accepted as they come.
"""

from __future__ import annotations

from aidf.model import AccountRef

KINDS = ("country_allocation", "lpp_annual", "nveu_cap", "uveu_share", "license")


def license_account(number: str) -> AccountRef:
    return AccountRef(kind="license", license=number)
