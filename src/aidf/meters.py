"""Meters: amounts in milli-TPP, draws, and the accounts they are drawn from.

Below both the rules and the ledger: provisions say what a decision draws, the ledger keeps the
balances, and both name an account the same way because the keys are built here and nowhere else.
Amounts are integers in milli-TPP (1 TPP = 1000) so that every limit holds exactly.

Account kinds, with the paragraph each comes from:
- country_allocation (country, window): Tier 2 country allocation, 742.6(b)(10) / Supp. 5 to part 740
- lpp_annual (consignee, year): Low Processing Performance, 740.29(a), per consignee and calendar year
- nveu_cap (veu, country): National VEU installed-base cap, 748.15(a)(2)(iii)(B)
- uveu_share (veu, country): Universal VEU geographic shares, 748.15(a)(2)(ii)(B)
- aia_cumulative (consignee): running total of AIA shipments for the 740.27(c) report
- license (license number): TPP authorized by an individual license (part 750)
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

from aidf.model import AccountRef

MILLI = 1000

COUNTRY_ALLOCATION = "country_allocation"
LPP_ANNUAL = "lpp_annual"
NVEU_CAP = "nveu_cap"
UVEU_SHARE = "uveu_share"
AIA_CUMULATIVE = "aia_cumulative"
LICENSE = "license"
KINDS = (COUNTRY_ALLOCATION, LPP_ANNUAL, NVEU_CAP, UVEU_SHARE, LICENSE)
# The kinds a decision reports as ledger effects (the contract's LedgerEffect accounts).
CONTRACT_KINDS = frozenset({COUNTRY_ALLOCATION, LPP_ANNUAL, NVEU_CAP, UVEU_SHARE})


def milli(tpp: Fraction) -> int:
    """TPP in integer milli-TPP, rounded up so that a meter never undercounts a draw."""
    m = tpp * MILLI
    return int(m) if m.denominator == 1 else int(m) + 1


def tpp(amount: int) -> float:
    """Milli-TPP as TPP, for people and the contract's float fields."""
    return amount / MILLI


@dataclass(frozen=True)
class Draw:
    """One pending debit of `amount` milli-TPP against `account`, refused past `limit` (None: no limit).

    The store also applies the limit the law sets on the account's meter (ledger/limits.py), whatever
    `limit` says. `kind`: "draw"; "tally" (counted, never refused: a UVEU's base grows by shipments under
    other authorizations); "floor" (a declared installed base: the store raises the account to
    `amount` if it holds less, as an audited adjustment). `hq`: a UVEU's headquarters country, for
    the US-share limit.
    """

    account: AccountRef
    amount: int
    limit: int | None = None
    kind: str = "draw"
    hq: str | None = None


# ---- account keys: the only place an account is named ---------------------------------------------
# AccountRef is frozen, so the same account is made once and shared (decisions name the same few again and again).

@lru_cache(maxsize=1024)
def allocation_account(country: str, window: str) -> AccountRef:
    return AccountRef(kind=COUNTRY_ALLOCATION, country=country, window=window)


@lru_cache(maxsize=1024)
def lpp_account(consignee: str, year: int) -> AccountRef:
    return AccountRef(kind=LPP_ANNUAL, consignee=consignee, year=year)


@lru_cache(maxsize=1024)
def nveu_account(veu: str, country: str) -> AccountRef:
    return AccountRef(kind=NVEU_CAP, veu=veu, country=country)


@lru_cache(maxsize=1024)
def uveu_account(veu: str, country: str) -> AccountRef:
    return AccountRef(kind=UVEU_SHARE, veu=veu, country=country)


@lru_cache(maxsize=1024)
def aia_account(consignee: str) -> AccountRef:
    return AccountRef(kind=AIA_CUMULATIVE, consignee=consignee)


@lru_cache(maxsize=1024)
def license_account(number: str) -> AccountRef:
    return AccountRef(kind=LICENSE, license=number)


# ---- refusals a store raises and the engine answers ------------------------------------------------

class LedgerError(Exception):
    """A ledger operation was refused; nothing was written."""


class LimitExceeded(LedgerError):
    def __init__(self, account: AccountRef, used: int, amount: int, limit: int):
        self.account, self.used, self.amount, self.limit = account, used, amount, limit
        super().__init__(
            f"account {account.id}: {used / MILLI:,.3f} TPP used + {amount / MILLI:,.3f} "
            f"would exceed the limit of {limit / MILLI:,.3f} TPP"
        )


class IdempotencyConflict(LedgerError):
    def __init__(self, transaction_id: str):
        self.transaction_id = transaction_id
        super().__init__(
            f"transaction id {transaction_id!r} was already decided with different content; "
            "use a new id for a different transaction"
        )
