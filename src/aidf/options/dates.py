"""Date: the first day on which a meter reopens or a provision starts or ends, if that helps.

Candidates come from the parameters, never from the code: 1 January (LPP's calendar year,
740.29(a)), the start of each quarter (NVEU caps, 748.15(a)(2)(iii)(B)), and every date on which a
dated parameter takes effect or a date-valued parameter falls (dates.yaml: effective, compliance,
Supp. No. 10 paras 14/15/18, ...). The first candidate the engine answers better for is then
narrowed day by day, so the date is minimal: one day earlier gives the original answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from aidf.cite import VEU
from aidf.model import Option
from aidf.options.probe import Context, Scratch, option
from aidf.rules.parameters import all_values, parameters
from aidf.rules.veu import CAPS

HORIZON_YEARS = 3  # how far ahead options look: the framework's meters are set through 2027


@lru_cache(maxsize=1)
def _parameter_dates() -> tuple[dt.date, ...]:
    """Every date a parameter takes effect on, and every date-valued parameter with the day after it."""
    out: set[dt.date] = set()
    for values in all_values().values():
        for history in values.values():
            for e in history:
                out.add(e.since)
                if isinstance(e.value, dt.date):
                    out.update((e.value, e.value + dt.timedelta(days=1)))
    return tuple(sorted(out))


def candidates(after: dt.date) -> list[dt.date]:
    """Dates after `after`, within the horizon, on which the answer may change."""
    end = after + dt.timedelta(days=min(366 * HORIZON_YEARS, (dt.date.max - after).days))
    out = {dt.date(y, 1, 1) for y in range(after.year + 1, end.year + 1)}
    out |= {dt.date(y, m, 1) for y in range(after.year, end.year + 1) for m in (1, 4, 7, 10)}
    out |= set(_parameter_dates())
    return sorted(d for d in out if after < d <= end)


def earliest(ctx: Context, change: dict[str, Any], view: Scratch) -> tuple[dt.date, Any] | None:
    """The first date on which the changed transaction is less burdensome than the original, with its decision."""
    ok = lambda day: ctx.better(ctx.probe(change | {"date": day.isoformat()}, view))  # noqa: E731
    before = ctx.tx.date
    for day in candidates(ctx.tx.date):
        if ok(day):
            lo, hi = before, day  # lo does not reopen, hi does: narrow to the first day that does
            if (hi - lo).days > 1 and not ok(hi - dt.timedelta(days=1)):
                lo = hi - dt.timedelta(days=1)  # the usual case: the candidate is the day it reopens
            while (hi - lo).days > 1:
                mid = lo + dt.timedelta(days=(hi - lo).days // 2)
                lo, hi = (lo, mid) if ok(mid) else (mid, hi)
            return hi, ctx.probe(change | {"date": hi.isoformat()}, view)
        before = day
    return None


def date_options(ctx: Context) -> Iterator[Option]:
    """The whole transaction on the first later date that gives a less burdensome answer."""
    found = earliest(ctx, {}, ctx.view)
    if found is None:
        return
    day, d = found
    yield option("date", {"date": day.isoformat()}, d,
                 f"ship on {day}, the first day this goes with less; {day - dt.timedelta(days=1)} does not"
                 + nveu_outlook(d, day))


def nveu_outlook(d, day: dt.date) -> str:
    """For an NVEU answer: where the quarterly cap table ends (read from the table, not computed)."""
    if d.authorization != "NVEU":
        return ""
    table = parameters(day).get(CAPS, "quarterly_cap")
    keys = sorted(table)
    last_key, last = keys[-1], table[keys[-1]]
    flat_from = last_key
    for k in reversed(keys):  # back from the end while the cap stays the same
        if table[k] != last:
            break
        flat_from = k
    return (f"; the NVEU cap is flat at {last:,} TPP from {flat_from} through {last_key}, and no cap is set "
            f"after {last_key} ({VEU.at('(a)(2)(iii)(B)').short})")
