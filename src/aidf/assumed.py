"""Facts the engine supplies when a request does not state them, listed in a decision's `assumed[]`.

Never clear by silence: every default that can change an answer is said, with why it was taken.
Headquarters given explicitly as null are not defaulted (the engine decides under each tier instead).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import TYPE_CHECKING

from aidf.model import Assumed, Transaction

if TYPE_CHECKING:
    from aidf.rules.ruleset import Resolution


@lru_cache(maxsize=1024, typed=True)
def _fact(fact: str, value, why: str) -> Assumed:
    # Assumed facts are values (frozen): the same few recur in answer after answer, so each is made once.
    return Assumed.model_construct(fact=fact, value=value, why=why)  # typed by construction


@lru_cache(maxsize=1024)
def _timeline_fact(timeline: str | None, ruleset: str, on: dt.date, grace: bool) -> Assumed:
    # The same for every answer of a date (the text is put together once, not per answer).
    return _fact(fact="rules", value=timeline,
                 why=f"no rule set named: the default timeline {timeline} chose {ruleset} for {on}"
                     + (" (grace window: the 2024 regime's requirements still bind)" if grace else ""))


def assumed_facts(tx: Transaction, res: Resolution, named: str | None) -> list[Assumed]:
    out: list[Assumed] = []
    if not named:
        out.append(_timeline_fact(res.timeline, res.ruleset.id, tx.date, res.grace is not None))
    for role, party in tx.parties.entities():
        given = party.model_fields_set
        if "headquarters" not in given:
            out.append(_fact(fact=f"parties.{role}.headquarters", value=party.country,
                             why="not stated: taken to be headquartered where it is located"))
        if "ultimate_parent_headquarters" not in given:
            out.append(_fact(fact=f"parties.{role}.ultimate_parent_headquarters", value=party.hq,
                             why="not stated: its ultimate parent taken to be headquartered where it is"))
    if tx.parties.end_user is None:
        out.append(_fact(fact="parties.end_user", value=None,
                         why="not stated: the ultimate consignee is taken to be the end user"))
    if "direct_to_consignee" not in tx.model_fields_set:
        out.append(_fact(fact="direct_to_consignee", value=True,
                         why="not stated: taken to be shipped directly to the ultimate consignee"))
    for i, item in enumerate(tx.items):
        if item.model_weights is None and "form" not in item.model_fields_set:
            out.append(_fact(fact=f"items.{i}.form", value="ic",
                             why="not stated: the line is taken to be integrated circuits, not computers"))
    return out
