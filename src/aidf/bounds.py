"""Bounded amounts: every amount the ledger stores fits a signed 64-bit integer of milli-TPP.

- one line (a draw, a license, a declared installed base): at most MAX_LINE_MILLI = 10^18 milli-TPP
  (10^15 TPP, about 63 billion H100s);
- one account (posted + pending): at most MAX_ACCOUNT_MILLI = 9 x 10^18 milli-TPP (9 x 10^15 TPP),
  below 2^63 - 1, so no sum the store writes can overflow (SQLite would store it as REAL).

The schema's CHECK constraints (migration 0002) refuse anything past these bounds as a last guard;
callers refuse earlier, naming the field. No import from the rest of aidf: the model calls it too.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

MILLI = 1000
MAX_LINE_MILLI = 10**18
MAX_ACCOUNT_MILLI = 9 * 10**18
MAX_LINE_TPP = MAX_LINE_MILLI // MILLI


def line_problem(tpp: float | int | Fraction | Decimal | None) -> str | None:
    """Why a line's TPP cannot be booked (None: it can): not finite, or past the per-line bound."""
    if tpp is None:
        return None
    if isinstance(tpp, float) and not math.isfinite(tpp):
        return "must be a finite number"
    if tpp > MAX_LINE_TPP:
        return f"{float(tpp):.4g} TPP is past the ledger's bound of {MAX_LINE_TPP:.0e} TPP per line"
    return None


def check_tpp_value(value: float | None, what: str = "tpp") -> float | None:
    """For pydantic validators: raise ValueError (a 422 naming the field) past the bound. A value that
    is not finite is left to classification, which refuses it naming the field."""
    if isinstance(value, float) and not math.isfinite(value):
        return value
    problem = line_problem(value)
    if problem:
        raise ValueError(f"{what} {problem}")
    return value
