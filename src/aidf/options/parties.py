"""Parties: who receives the items and how they travel.

- shipped directly to the ultimate consignee (LPP needs it, 740.29(a));
- the consignee's facility in the Tier 1 country where it or its ultimate parent is headquartered
  (AIA, 740.27(a): located and headquartered in Tier 1);
- a consignee with Data Center VEU status (748.15), with the room the authorization would leave.
"""

from __future__ import annotations

from collections.abc import Iterator

from aidf.model import Option
from aidf.options.probe import Context, option

# The provisions that read each fact changed here; a change no asked provision reads cannot matter.
READS_DIRECT = ("License Exception LPP",)
READS_LOCATION = ("License Exception AIA",)
READS_VEU = ("Data Center VEU (UVEU)", "Data Center VEU (NVEU)")


def direct(ctx: Context) -> Iterator[Option]:
    if ctx.tx.direct_to_consignee or not ctx.reads(READS_DIRECT):
        return
    change = {"direct_to_consignee": True}
    d = ctx.probe(change)
    if ctx.better(d):
        yield option("parties", change, d, "ship directly to the ultimate consignee, not through a distributor")


def relocate(ctx: Context) -> Iterator[Option]:
    """Ship to the consignee's own facility in the country where it or its ultimate parent is headquartered."""
    c = ctx.tx.parties.ultimate_consignee
    if not ctx.reads(READS_LOCATION):
        return
    # Shipping to the United States is not an export; only facilities abroad are options.
    places = [x for x in dict.fromkeys((c.headquarters, c.ultimate_parent_headquarters))
              if x and x not in (ctx.tx.destination, "US")]
    for place in places:
        change = {"destination": place, "parties.ultimate_consignee.country": place}
        if place != c.headquarters:  # the parent's own facility: the consignee is then headquartered there too
            change["parties.ultimate_consignee.headquarters"] = place
        d = ctx.probe(change)
        if ctx.better(d):
            whose = "its own" if place == c.headquarters else "its ultimate parent's"
            yield option("parties", change, d, f"ship to the consignee's facility in {place}, where {whose} "
                                               "headquarters are")


def veu_status(ctx: Context) -> Iterator[Option]:
    """The consignee as a validated end user (a new authorization, so its meters start empty)."""
    c = ctx.tx.parties.ultimate_consignee
    if c.veu is not None or not ctx.reads(READS_VEU):
        return
    for kind in ("NVEU", "UVEU"):
        change = {"parties.ultimate_consignee.veu": {"type": kind, "id": f"{c.key} ({kind}, proposed)"}}
        d = ctx.probe(change)
        if not ctx.better(d):
            continue
        room = [f"{e.limit_tpp - e.tpp:,.0f} TPP of its {e.limit_tpp:,.0f} TPP cap"
                for e in d.ledger_effects if e.limit_tpp is not None and e.account.kind.startswith(kind.lower())]
        yield option("parties", change, d, f"the consignee obtains {kind} status (748.15)"
                     + (f", leaving {room[0]} after this shipment" if room else ""))


def party_options(ctx: Context) -> Iterator[Option]:
    yield from direct(ctx)
    yield from relocate(ctx)
    yield from veu_status(ctx)
