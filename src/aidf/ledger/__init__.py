"""Allocation ledger: TPP accounts that never overspend (see base.py for the engine's interface)."""

from aidf.ledger.accounts import license_account
from aidf.ledger.audit import VerifyReport
from aidf.ledger.base import MILLI, Booked, Draw, IdempotencyConflict, Ledger, LedgerError, LimitExceeded
from aidf.ledger.common import HoldError, TransferStateError, UnknownError
from aidf.ledger.durable import SqlLedger
from aidf.ledger.memory import MemoryLedger
from aidf.ledger.open import DEFAULT_LEDGER, open_ledger

__all__ = ["Booked", "Draw", "IdempotencyConflict", "Ledger", "LedgerError", "LimitExceeded", "MILLI",
           "MemoryLedger", "SqlLedger", "DEFAULT_LEDGER", "open_ledger", "license_account", "VerifyReport",
           "HoldError", "TransferStateError", "UnknownError"]
