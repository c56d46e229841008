"""Missing facts: for a NEEDS_REVIEW answer, each unknown fact with the values where the answer
changes and the engine's answer in each range.

Numeric facts are split at the thresholds of the provision that reads them, computed exactly from
its parameters (a die area at which the performance density crosses a 3A090 line is TPP / density;
and 4E091 exclusion note 1's extra-training edges are found by bisection with the engine); each range is then decided by the engine at a value
inside it, and neighbouring ranges with the same answer are joined. Yes/no facts are decided both
ways; an unknown headquarters once per tier.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from fractions import Fraction

from aidf.engine import HQ_STAND_INS
from aidf.model import Decision, Option, Outcome
from aidf.options.numeric import edge
from aidf.options.probe import Context, answer, option
from aidf.rules.classify import classify_item
from aidf.rules.countries import Geography
from aidf.rules.eccn_3a090 import P as P_3A090
from aidf.rules.parameters import all_values, parameters

DENSITY_UNIT = "tpp_per_mm2"  # the 3A090 parameters a die area is compared through
CENT = Decimal("0.01")


def _round(x: Fraction, rounding: str) -> Fraction:
    """x to cents, rounded the given way (a value a person would type)."""
    return Fraction((Decimal(x.numerator) / Decimal(x.denominator)).quantize(CENT, rounding=rounding))


def _inside(lo: Fraction, hi: Fraction | None) -> Fraction:
    """A value in (lo, hi] that a person can type: hi rounded down to cents, else just above lo."""
    if hi is None:
        up = _round(lo, ROUND_CEILING)
        return up if up > lo else up + Fraction(1, 100)
    down = _round(hi, ROUND_FLOOR)
    return down if down > lo else (lo + hi) / 2


def _uniform(ctx: Context, path: str, lo: Fraction, hi: Fraction | None, d: Decision) -> bool:
    """Confirm a range at its other end too: the first typeable value above `lo` gets the same answer."""
    near = float(_inside(lo, None))
    if hi is not None and near > hi:
        return True
    other = ctx.probe({path: near})
    return other is not None and answer(other) == answer(d)


def split(ctx: Context, path: str, breaks: list[Fraction], unit: str) -> Iterator[Option]:
    """Decide the fact in each range between breakpoints (ranges are (lo, hi]); join equal neighbours."""
    cuts = sorted(set(b for b in breaks if b > 0))
    bounds = list(zip([Fraction(0)] + cuts, cuts + [None], strict=True))
    runs: list[tuple[Fraction, Fraction | None, float, Decision]] = []
    for lo, hi in bounds:
        value = float(_inside(lo, hi))
        d = ctx.probe({path: value})
        if d is None or d.outcome == Outcome.NEEDS_REVIEW or not _uniform(ctx, path, lo, hi, d):
            continue
        if runs and runs[-1][1] == lo and answer(runs[-1][3]) == answer(d):
            runs[-1] = (runs[-1][0], hi, runs[-1][2], runs[-1][3])
        else:
            runs.append((lo, hi, value, d))
    for lo, hi, value, d in runs:
        span = (f"above {float(lo):,.2f} {unit}" if lo else "") + (" and " if lo and hi else "") + \
               (f"up to {float(hi):,.4f} {unit}" if hi is not None else "")
        rng = {"fact": path, "above": float(lo) if lo else None, "up_to": None if hi is None else float(hi),
               "up_to_exact": None if hi is None else f"{hi.numerator}/{hi.denominator}", "unit": unit}
        yield option("missing_fact", {path: value}, d, f"{path} {span} (for example {value:,.2f})", rng)


def _die_area(ctx: Context, i: int) -> Iterator[Option]:
    item = ctx.tx.items[i]
    cls = classify_item(item, ctx.tx.date)
    if cls.chip_tpp is None:
        return
    p = parameters(ctx.tx.date)
    names = [n for n, hist in all_values()[P_3A090].items() if hist[0].unit == DENSITY_UNIT and p.has(P_3A090, n)]
    breaks = [cls.chip_tpp / p.fraction(P_3A090, n) for n in names]
    yield from split(ctx, f"items.{i}.die_area_mm2", breaks, "mm2")


def _extra_training(ctx: Context, i: int) -> Iterator[Option]:
    """Extra training operations of a derivative: excluded up to one edge, 4E091 from another (between
    them the two readings of exclusion note 1 disagree and the answer stays under review)."""
    path = f"items.{i}.model_weights.extra_training_operations"
    total = ctx.tx.items[i].model_weights.training_operations
    low, high = ctx.probe({path: 0.0}), ctx.probe({path: total})
    if low is not None and low.outcome != Outcome.NEEDS_REVIEW:
        exact, top = edge(ctx, path, 0.0, total, lambda d: d is not None and answer(d) == answer(low))
        yield option("missing_fact", {path: top}, ctx.probe({path: top}), f"{path} up to {top:.3e} operations",
                     {"fact": path, "above": None, "up_to": top, "edge": exact, "unit": "operations"})
    if high is not None and high.outcome != Outcome.NEEDS_REVIEW:
        exact, bottom = edge(ctx, path, total, 0.0, lambda d: d is not None and answer(d) == answer(high))
        yield option("missing_fact", {path: bottom}, ctx.probe({path: bottom}), f"{path} from {bottom:.3e} operations",
                     {"fact": path, "from": bottom, "edge": exact, "up_to": None, "unit": "operations"})


def _both_ways(ctx: Context, path: str) -> Iterator[Option]:
    for value in (True, False):
        d = ctx.probe({path: value})
        if d is not None and d.outcome != Outcome.NEEDS_REVIEW:
            yield option("missing_fact", {path: value}, d, f"{path} is {str(value).lower()}", {"fact": path, "value": value})


def _headquarters(ctx: Context) -> Iterator[Option]:
    """An unknown headquarters tried in the party's own country and once per tier; equal answers joined."""
    geo = Geography.of(parameters(ctx.tx.date))
    for role, party in ctx.tx.parties.entities():
        unknown = party.unknown_headquarters
        if not unknown:
            continue
        fields = " and ".join(f"parties.{role}.{fld}" for fld in unknown)
        groups: dict[tuple, list] = {}
        for code in dict.fromkeys((party.country, *HQ_STAND_INS)):
            change = {f"parties.{role}.{fld}": code for fld in unknown}
            d = ctx.probe(change)
            if d is not None and d.outcome != Outcome.NEEDS_REVIEW:
                groups.setdefault(answer(d), [change, d, []])[2].append(code)
        for change, d, codes in groups.values():
            tiers = sorted({geo.tier(c) for c in codes})
            yield option("missing_fact", change, d, f"{fields} in Tier {' or '.join(map(str, tiers))} "
                                                    f"(for example {', '.join(codes)})",
                         {"fact": fields, "tiers": tiers, "examples": codes})


def missing_options(ctx: Context) -> Iterator[Option]:
    if ctx.base.outcome != Outcome.NEEDS_REVIEW:
        return
    for i, item in enumerate(ctx.tx.items):
        w = item.model_weights
        if w is None:
            if item.die_area_mm2 is None:
                yield from _die_area(ctx, i)
            if item.datacenter is None and item.catalog is None:
                yield from _both_ways(ctx, f"items.{i}.datacenter")
            continue
        if w.storage_meets_supp10_14_15_18 is None:
            yield from _both_ways(ctx, f"items.{i}.model_weights.storage_meets_supp10_14_15_18")
        if w.base_model_published and w.extra_training_operations is None:
            yield from _extra_training(ctx, i)
    yield from _headquarters(ctx)

