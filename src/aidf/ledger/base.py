"""The narrow ledger interface the decision engine reads and books through.

Amounts are integers in milli-TPP (1 TPP = 1000) so that limits hold exactly. The engine only
reads balances (`used`, `installed_base`, `arrangement`) and asks for a decision's draws to be
booked as one linked group (`book`); the durable stores add transfers, licenses and holds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Protocol

from aidf.meters import MILLI, Draw, IdempotencyConflict, LedgerError, LimitExceeded
from aidf.model import AccountRef

# Amounts, draws and the store's refusals live in aidf.meters (below rules and ledger); kept here for callers.
__all__ = ["MILLI", "Booked", "Draw", "IdempotencyConflict", "Ledger", "LedgerError", "LedgerReader", "LimitExceeded"]


@dataclass
class Booked:
    transaction_id: str
    request_hash: str
    decision: dict[str, Any]
    transfer_ids: list[str] = field(default_factory=list)


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
