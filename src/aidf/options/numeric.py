"""Bisection with the engine on a numeric fact, where the provision's line is not a single figure
(4E091 exclusion note 1 reads its 25% two ways, register U8: the engine needs both to agree)."""

from __future__ import annotations

import math
from collections.abc import Callable

from aidf.model import Decision
from aidf.options.probe import Context

Accept = Callable[[Decision | None], bool]


def _figures(x: float, toward: float) -> list[float]:
    """x to three significant figures: nearest first, then rounded toward `toward` (the accepted side)."""
    if x == 0:
        return [0.0]
    scale = 10.0 ** (math.floor(math.log10(abs(x))) - 2)
    return [float(round(x / scale) * scale), float((math.floor if toward < x else math.ceil)(x / scale) * scale)]


def edge(ctx: Context, path: str, inside: float, outside: float, accept: Accept) -> tuple[float, float]:
    """(the accepted value nearest `outside` to 1 part in 10^9, a round value still accepted), `inside`
    being accepted and `outside` not."""
    ok = lambda v: accept(ctx.probe({path: v}))  # noqa: E731
    good, bad = inside, outside
    while abs(bad - good) > 1e-9 * max(abs(good), abs(bad), 1.0):
        mid = (good + bad) / 2
        good, bad = (mid, bad) if ok(mid) else (good, mid)
    return good, next((v for v in _figures(good, inside) if ok(v)), good)
