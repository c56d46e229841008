"""Quantity: the largest quantity of a line that goes under a less burdensome answer now.

Meters fill with TPP (740.29(a) LPP per consignee and year, 748.15(a)(2)(iii)(B) NVEU quarter caps,
Supp. No. 10 para 6 UVEU shares, 742.6(b)(10) country allocations), so fewer units can fit where the
whole line does not. The quantity is found by bisection with the engine, so it is maximal: one unit
more gives the original answer. The remainder's earliest date is a separate date option.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from aidf.model import Option
from aidf.options.dates import earliest, nveu_outlook
from aidf.options.probe import Context, option

# The provisions that read a meter filled by quantity; without one of them quantity cannot matter.
READS = ("License Exception LPP", "Data Center VEU (NVEU)", "Data Center VEU (UVEU)", "license review policy")


def largest_fitting(ctx: Context, line: int, quantity: int) -> int | None:
    """The largest quantity below `quantity` whose decision is less burdensome, or None if even one unit is not."""
    path = f"items.{line}.quantity"
    if not ctx.better(ctx.probe({path: 1})):
        return None
    lo, hi = 1, quantity  # lo fits, hi does not (it is the transaction as asked)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if ctx.better(ctx.probe({path: mid})):
            lo = mid
        else:
            hi = mid
    return lo


def quantity_options(ctx: Context) -> Iterator[Option | tuple[Option, Option]]:
    """Per chip or computer line: ship the largest quantity that fits now; the rest on its earliest date."""
    if not ctx.reads(READS):
        return
    for i, item in enumerate(ctx.tx.items):
        if item.model_weights is not None or item.quantity <= 1:
            continue
        q = largest_fitting(ctx, i, item.quantity)
        if q is None:
            continue
        path = f"items.{i}.quantity"
        now = ctx.probe({path: q})
        over = ctx.probe({path: q + 1})
        first = option("quantity", {path: q}, now,
                       f"ship {q:,} of the {item.quantity:,} units of line {i} now; {q + 1:,} would give "
                       f"{over.outcome.value.replace('_', ' ').lower() if over else 'no answer'}")
        rest = item.quantity - q
        found = earliest(ctx, {path: rest}, ctx.view.after(now))
        if found is None:
            yield first
            continue
        day, d = found
        # The remainder is listed with the quantity it completes.
        yield first, option("date", {"date": day.isoformat(), path: rest}, d,
                            f"the remaining {rest:,} units of line {i} on {day}, the first day they fit after {q:,} "
                            f"are shipped now; {day - dt.timedelta(days=1)} does not" + nveu_outlook(d, day),
                            after={path: q})
