"""JSON texts written by orjson where it gives the standard library's exact bytes.

Every stored hash was made over `json.dumps` text; orjson is several times faster but writes some
values differently (non-finite and very small floats, non-ASCII text when ASCII is asked for).
`plain` tells when it does not, so callers can take the standard path for those values only.
"""

from __future__ import annotations

import math
from typing import Any

import orjson

TINY = 1e-4  # below this (and for NaN / infinities) the two encoders write floats differently


def plain(obj: Any) -> bool:
    """True when orjson writes `obj` exactly as `json.dumps(obj, sort_keys=True, separators=(",", ":"),
    ensure_ascii=False)` does: only dicts, lists, tuples, str, int, bool, None and finite floats written
    without a negative exponent (exact types, so no subclass or enum takes another path). Keys that are
    not str and ints past 64 bits make orjson raise, which also falls back. Walked with a stack of
    containers (no recursion limit, no generator per node)."""
    stack = [(obj,)]  # containers only: the scalars of each are checked as it is read
    pop, push = stack.pop, stack.append
    while stack:
        o = pop()
        for v in (o.values() if type(o) is dict else o):
            tp = type(v)
            if tp is str or tp is int or v is None or tp is bool:
                continue
            if tp is dict or tp is list or tp is tuple:
                push(v)
            elif tp is not float or not (math.isfinite(v) and (v == 0 or abs(v) >= TINY)):
                return False
    return True


def sorted_bytes(obj: Any) -> bytes | None:
    """orjson's sorted-key text of `obj` when it is the standard library's (ensure_ascii=False), else None."""
    if plain(obj):
        try:
            return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)
        except TypeError:  # a key that is not str, an int past 64 bits, nesting past orjson's depth
            pass
    return None


def sorted_ascii(obj: Any) -> bytes | None:
    """The same for `ensure_ascii=True`: orjson's text when it is all printable ASCII or escapes, since the
    standard library escapes everything else (non-ASCII and DEL) and orjson writes it as it is."""
    text = sorted_bytes(obj)
    if text is None or not text.isascii() or b"\x7f" in text:
        return None
    return text
