"""Quantity: the largest quantity of a line that goes under a less burdensome answer now.

Meters fill with TPP (740.29(a) LPP per consignee and year, 748.15(a)(2)(iii)(B) NVEU quarter caps,
Supp. No. 10 para 6 UVEU shares, 742.6(b)(10) country allocations), so fewer units can fit where the
whole line does not. The quantity is found by bisection with the engine, so it is maximal: one unit
more gives a heavier answer. Where several lighter answers exist (a license within the country
allocation, LPP within the year's room), each gets its own largest quantity. The remainder's earliest date is a separate date option.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from aidf.model import Decision, Option
from aidf.options.dates import earliest, nveu_outlook
from aidf.options.probe import Context, lighter, option

# The provisions that read a meter filled by quantity; without one of them quantity cannot matter.
READS = ("License Exception LPP", "Data Center VEU (NVEU)", "Data Center VEU (UVEU)", "license review policy")


def largest_fitting(ctx: Context, path: str, below: int, than: Decision) -> int | None:
    """The largest quantity under `below` whose answer is less burdensome than `than` (the answer at
    `below`), or None if even one unit is not."""
    if not lighter(ctx.probe({path: 1}), than):
        return None
    lo, hi = 1, below  # lo fits, hi does not
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if lighter(ctx.probe({path: mid}), than):
            lo = mid
        else:
            hi = mid
    return lo


def quantity_options(ctx: Context) -> Iterator[Option | tuple[Option, Option]]:
    """Per chip or computer line, for each lighter answer in turn (a license within the allocation,
    then LPP, ...): the largest quantity that gets it now, and the rest on its earliest date."""
    if not ctx.reads(READS):
        return
    for i, item in enumerate(ctx.tx.items):
        if item.model_weights is None and item.quantity > 1:
            yield from _levels(ctx, i, item.quantity)


def _levels(ctx: Context, i: int, quantity: int) -> Iterator[Option | tuple[Option, Option]]:
    path = f"items.{i}.quantity"
    than, below = ctx.base, quantity
    while (q := largest_fitting(ctx, path, below, than)) is not None:
        now, over = ctx.probe({path: q}), ctx.probe({path: q + 1})
        first = option("quantity", {path: q}, now,
                       f"ship {q:,} of the {quantity:,} units of line {i} now; {q + 1:,} would give "
                       f"{over.outcome.value.replace('_', ' ').lower() if over else 'no answer'}"
                       f"{', ' + over.review_policy.replace('_', ' ') if over and over.review_policy else ''}")
        than, below = now, q
        rest = quantity - q
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
