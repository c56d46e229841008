"""A government-to-government arrangement: once recorded for the destination, its allocation is
multiplied (742.6(b)(10); Supp. No. 5 to Part 740), which may bring a license back within it."""

from __future__ import annotations

from collections.abc import Iterator

from aidf.model import Option
from aidf.options.probe import Context, option

READS = ("license review policy",)


def arrangement_options(ctx: Context) -> Iterator[Option]:
    if not ctx.reads(READS) or ctx.view.arrangement(ctx.tx.destination, ctx.tx.date) is not None:
        return
    view = ctx.view.with_arrangement(ctx.tx.destination, "(proposed)")
    d = ctx.probe({}, view)
    if ctx.better(d):
        yield option("arrangement", {f"ledger.arrangement.{ctx.tx.destination}": True}, d,
                     f"a government-to-government arrangement with {ctx.tx.destination} is recorded in the ledger")
