"""The one answer assembly: a transaction's outcome, authorization and review policy from its lines.

The engine calls it for each decision and replay calls it for each distinct set of line answers,
so both paths aggregate alike by construction.
"""

from __future__ import annotations

from collections.abc import Iterable

from aidf.model import OUTCOME_ORDER, REVIEW_ORDER

LineAnswer = tuple[str, str | None, str | None]  # (outcome, authorization, review policy), as codes


def _code(v):
    return v if v is None or type(v) is str else getattr(v, "value", v)  # codes mostly come as plain str


_OUTCOME_CODES = [_code(o) for o in OUTCOME_ORDER]


def transaction_answer(lines: Iterable[LineAnswer]) -> LineAnswer:
    """The worst outcome of the lines (OUTCOME_ORDER); their authorization when they all share one;
    the strictest review policy any line meets (REVIEW_ORDER)."""
    lines = [(_code(o), _code(a), _code(p)) for o, a, p in lines]
    outcome = max((o for o, _, _ in lines), key=_OUTCOME_CODES.index)
    auths = {a for _, a, _ in lines}
    policies = [p for _, _, p in lines if p]
    return (outcome, auths.pop() if len(auths) == 1 else None,
            max(policies, key=REVIEW_ORDER.index) if policies else None)
