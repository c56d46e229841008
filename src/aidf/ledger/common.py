"""Small shared helpers: canonical JSON, clocks in epoch microseconds, argument checks, errors."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from typing import Any

from aidf.ledger.base import LedgerError

UTC = dt.UTC
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
Clock = Callable[[], dt.datetime]


class TransferStateError(LedgerError):
    """A pending transfer cannot be posted or voided (already resolved, or expired)."""


class UnknownError(LedgerError):
    """No such transfer, booking, account, license or hold."""


class HoldError(LedgerError):
    """A hold cannot be placed or released as asked."""


def canonical(obj: Any) -> str:
    """One JSON text per value (sorted keys, no spaces), the input of every hash."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def system_clock() -> dt.datetime:
    return dt.datetime.now(UTC)


def to_us(t: dt.datetime) -> int:
    if t.tzinfo is None:
        t = t.replace(tzinfo=UTC)
    return (t - EPOCH) // dt.timedelta(microseconds=1)


def from_us(us: int | None) -> str | None:
    if us is None:
        return None
    return (EPOCH + dt.timedelta(microseconds=us)).isoformat()


def check_amount(amount: Any, what: str = "amount") -> int:
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise LedgerError(f"{what} must be an integer number of milli-TPP (got {amount!r})")
    if amount <= 0:
        raise LedgerError(f"{what} must be > 0 milli-TPP (got {amount})")
    return amount


def check_limit(limit: Any) -> int | None:
    if limit is None:
        return None
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        raise LedgerError(f"limit must be None or an integer >= 0 milli-TPP (got {limit!r})")
    return limit


def check_id(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise LedgerError(f"{what} must be a non-empty string (got {value!r})")
    if len(value) > 400:
        raise LedgerError(f"{what} is longer than 400 characters")
    return value


def check_actor(actor: Any) -> str:
    if not isinstance(actor, str) or not actor.strip() or len(actor) > 200:
        raise LedgerError(f"actor must be a non-empty name of at most 200 characters (got {actor!r})")
    if any(ord(c) < 32 or ord(c) == 127 for c in actor):
        raise LedgerError(f"actor must not contain control characters (got {actor!r})")
    return actor.strip()


def iso_date(value: Any, what: str) -> str:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    raise LedgerError(f"{what} must be a date YYYY-MM-DD (got {value!r})")
