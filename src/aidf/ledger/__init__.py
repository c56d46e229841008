"""Allocation ledger: TPP accounts that never overspend (see base.py for the engine's interface)."""

from aidf.ledger.base import Booked, Draw, IdempotencyConflict, Ledger, LedgerError, LimitExceeded, MILLI
from aidf.ledger.memory import MemoryLedger
from aidf.ledger.open import DEFAULT_LEDGER, open_ledger

__all__ = ["Booked", "Draw", "IdempotencyConflict", "Ledger", "LedgerError", "LimitExceeded", "MILLI",
           "MemoryLedger", "DEFAULT_LEDGER", "open_ledger"]
