"""The narrow ledger interface the decision engine reads and books through.

Amounts are integers in milli-TPP (1 TPP = 1000) so that limits hold exactly. The engine only
reads balances (`used`, `installed_base`, `arrangement`) and asks for a decision's draws to be
booked as one linked group (`book`); the durable stores add transfers, licenses and holds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Protocol

from aidf.model import AccountRef

MILLI = 1000


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


@dataclass
class Booked:
    transaction_id: str
    request_hash: str
    decision: dict[str, Any]
    transfer_ids: list[str] = field(default_factory=list)


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


class LedgerReader(Protocol):
    def used(self, account: AccountRef) -> int:
        """Milli-TPP drawn from the account: posted plus live pending (not voided, not expired)."""

    def installed_base(self, kind: str, veu: str) -> dict[str, int]:
        """A VEU's drawn milli-TPP by country for meter `kind` (nveu_cap or uveu_share)."""

    def arrangement(self, country: str, as_of: dt.date) -> dict[str, Any] | None:
        """The government-to-government arrangement recorded for `country` in force on `as_of`."""

    def find(self, transaction_id: str) -> Booked | None:
        """The booking made earlier under this transaction id, if any."""


class Ledger(LedgerReader, Protocol):
    def book(self, transaction_id: str, request_hash: str, decision: dict[str, Any],
             draws: list[Draw], as_of: dt.date) -> Booked:
        """Reserve every draw as a pending transfer, all or none, keyed by the transaction id.

        The same id with the same request hash returns the first booking and writes nothing;
        the same id with another hash raises IdempotencyConflict; a draw past its limit raises
        LimitExceeded and nothing is written.
        """
