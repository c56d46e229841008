"""Small shared helpers: canonical JSON, clocks in epoch microseconds, argument checks, errors."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable
from json.encoder import encode_basestring_ascii  # type: ignore[attr-defined]
from typing import Any

import orjson

from aidf.jsontext import sorted_bytes
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


def canonical_reference(obj: Any) -> str:
    """The definition of the canonical form: sorted keys, no spaces, UTF-8 text unescaped, anything
    JSON lacks written as its str(). Every hash ever stored was made over this text."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


# The same encoder as canonical_reference, built once (json.dumps builds one per call).
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def fast_canonical(obj: Any) -> str | None:
    """canonical(obj) when orjson writes it (then re-reading the text gives back `obj`'s own
    canonical form), else None."""
    text = sorted_bytes(obj)
    return None if text is None else text.decode()


def canonical(obj: Any) -> str:
    """One JSON text per value (sorted keys, no spaces), the input of every hash: byte for byte
    canonical_reference(obj) (tests/ledger/test_canonical.py), written by orjson when it can be."""
    text = fast_canonical(obj)
    return _ENCODER.encode(obj) if text is None else text


def canonical_beside(obj: dict[str, Any], key: str, value: Any) -> tuple[str, str]:
    """canonical(obj) and canonical(obj | {key: value}), for a `key` not in `obj`, writing `obj` once:
    with sorted keys the second text is the first with one member put in its place (a held decision
    is booked with its request beside it, and held without)."""
    if key in obj or any(type(k) is not str for k in obj):
        return canonical(obj), canonical(obj | {key: value})
    below = canonical({k: v for k, v in obj.items() if k < key})[1:-1]
    above = canonical({k: v for k, v in obj.items() if k > key})[1:-1]
    member = canonical({key: value})[1:-1]
    return ("{" + ",".join(t for t in (below, above) if t) + "}",
            "{" + ",".join(t for t in (below, member, above) if t) + "}")


def string_list(items: list[str]) -> str:
    """json.dumps(items) for a list of str, without building an encoder per call: the standard
    encoder writes each string with this same function, between ", " separators."""
    return "[" + ", ".join(map(encode_basestring_ascii, items)) + "]"


def _has_float(obj: Any) -> bool:
    tp = type(obj)
    if tp is dict:
        return any(_has_float(v) for v in obj.values())
    if tp is list:
        return any(_has_float(v) for v in obj)
    return tp is float


def parse(text: str) -> Any:
    """json.loads(text), read by orjson when that is the same: orjson turns integers past 64 bits
    into floats and refuses NaN, so a text with any float (or that orjson refuses) is read by the
    standard parser."""
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)
    return json.loads(text) if _has_float(value) else value


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


_CONTROL = re.compile("[\x00-\x1f\x7f]")


def check_actor(actor: Any) -> str:
    if not isinstance(actor, str) or not actor.strip() or len(actor) > 200:
        raise LedgerError(f"actor must be a non-empty name of at most 200 characters (got {actor!r})")
    if _CONTROL.search(actor):
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
