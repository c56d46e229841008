"""The screening settings in force: thresholds, feature weights, blocking limits (part744/screening.yaml).

The environment may override the two thresholds ($AIDF_SCREEN_REVIEW_THRESHOLD,
$AIDF_SCREEN_MATCH_THRESHOLD); anything else comes from the dated parameter file.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from fractions import Fraction

from aidf.errors import InputError
from aidf.rules.parameters import parameters

PATH = "part744/screening"


@dataclass(frozen=True, eq=False)
class Settings:
    review: float
    match: float
    weights: dict[str, float]
    block_max: int
    candidates: int
    stale_after_days: int
    legal_forms_cjk: tuple[str, ...]
    generic_words: frozenset[str] = frozenset()
    generic_weight: float = 1.0

    @property
    def key(self) -> tuple:
        """What an index built under these settings depends on (hashable)."""
        return (self.review, self.match, tuple(sorted(self.weights.items())), self.block_max, self.candidates,
                self.legal_forms_cjk, tuple(sorted(self.generic_words)), self.generic_weight)

    def cite(self, name: str, on: dt.date | None = None) -> str:
        return str(parameters(on or dt.date.today()).get(PATH, name))


def _threshold(env: str, default: Fraction, field: str) -> float:
    raw = os.environ.get(env)
    if raw is None or not raw.strip():
        return float(default)
    try:
        value = float(raw)
    except ValueError:
        raise InputError(field, f"${env} must be a number between 0 and 1 (got {raw!r})") from None
    if not 0 < value <= 1:
        raise InputError(field, f"${env} must be a number between 0 and 1 (got {raw!r})")
    return value


def settings(on: dt.date | None = None, review: float | None = None, match: float | None = None) -> Settings:
    """The settings on a date (default today); explicit thresholds win over the environment."""
    p = parameters(on or dt.date.today())
    out = Settings(
        review=review if review is not None else _threshold("AIDF_SCREEN_REVIEW_THRESHOLD",
                                                            p.fraction(PATH, "review_threshold"), "threshold"),
        match=match if match is not None else _threshold("AIDF_SCREEN_MATCH_THRESHOLD",
                                                         p.fraction(PATH, "match_threshold"), "match_threshold"),
        weights={k: float(Fraction(str(v))) for k, v in p.get(PATH, "weights").items()},
        block_max=int(p.get(PATH, "block_max_entries")),
        candidates=int(p.get(PATH, "candidates")),
        stale_after_days=int(p.get(PATH, "stale_after_days")),
        legal_forms_cjk=tuple(sorted(p.get(PATH, "legal_forms_cjk"), key=len, reverse=True)),
        generic_words=frozenset(p.get(PATH, "generic_name_words")),
        generic_weight=float(p.fraction(PATH, "generic_word_weight")))
    for field, value in (("threshold", out.review), ("match_threshold", out.match)):
        if not 0 < value <= 1:
            raise InputError(field, f"must be a number between 0 and 1 (got {value})")
    if out.match < out.review:
        raise InputError("match_threshold", f"must be at least the review threshold {out.review}")
    return out
