"""The limits the law sets on each meter, applied by the store inside the writing transaction
whatever limit the caller passes (the stricter of the two binds). Each comes from its provision's
own arithmetic, imported, never re-written:

- lpp_annual: 740.29(a) calendar-year cap (rules/exceptions/lpp.annual_cap);
- country_allocation: 742.6(b)(10) / Supp. No. 5 to Part 740 (rules/review_policy.allocation_limit),
  multiplied where an arrangement is recorded in the ledger or published;
- nveu_cap: 748.15(a)(2)(iii)(B) cumulative cap of the booking date's quarter (rules/veu.quarterly_cap);
- uveu_share: Supp. No. 10 to Part 748 para 6 share test over all the VEU's share accounts
  (rules/veu.share_breach), for draws made under the UVEU authorization (tallies are counted only);
- license: the license's amount.
Parameters are those of the framework's rule set on the booking date, the only set that makes these draws.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

FRAMEWORK = "ai-diffusion-2025"
METERED = ("lpp_annual", "country_allocation", "nveu_cap")


@lru_cache(maxsize=4096)
def _params(as_of: dt.date):
    from aidf.rules.ruleset import get_ruleset

    return get_ruleset(FRAMEWORK).params(as_of)


@lru_cache(maxsize=4096)
def meter_limit(kind: str, as_of: dt.date, arranged: bool) -> int | None:
    """The law's limit (milli-TPP) on a metered account on `as_of`; None for kinds the law does not meter."""
    p = _params(as_of)
    if kind == "lpp_annual":
        from aidf.rules.exceptions.lpp import annual_cap

        return annual_cap(p)
    if kind == "country_allocation":
        from aidf.rules.review_policy import allocation_limit

        return allocation_limit(p, arranged)
    if kind == "nveu_cap":
        from aidf.rules.veu import quarterly_cap

        cap = quarterly_cap(p, as_of)
        return 0 if cap is None else cap  # no cap set for the quarter: nothing may be drawn
    return None


def published_arrangement(country: str, as_of: dt.date) -> bool:
    from aidf.rules.review_policy import published_arrangement as published

    return published(_params(as_of), country, as_of) is not None


@lru_cache(maxsize=256)
def _share_rules(as_of: dt.date) -> tuple[Any, Any]:
    from aidf.rules.countries import Geography
    from aidf.rules.veu import share_limits

    p = _params(as_of)
    return Geography.of(p).tier, share_limits(p)


def share_breach(after: dict[str, int], dest: str, hq: str | None, as_of: dt.date) -> str | None:
    """The UVEU share limit that `after` (milli-TPP by country, this shipment included) breaks, if any."""
    from aidf.rules import veu

    tier_of, limits = _share_rules(as_of)
    return veu.share_breach(after, dest, tier_of, limits, hq == "US")
