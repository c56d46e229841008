"""Representatives of shapes parsed into Transactions, their items and parties validated once per content.

Shapes of a book share a few dozen items and a few thousand parties among many thousand lines, and a
part validated from equal data is an equal object the provisions only read, so each distinct part is
validated once and put into the transaction as it is (pydantic keeps a model instance given for a model
field). Any problem sends the whole request through `engine.parse_transaction`, so the error names its
field exactly as it always does.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from aidf import engine
from aidf.model import Item, Party, Transaction

PARTS = 65_536  # distinct parts kept; the memo starts again past this (a book rarely has as many)
_parts: dict[tuple[type, str], BaseModel] = {}


def transaction(data: dict[str, Any]) -> Transaction:
    """`engine.parse_transaction(data)`, with its items and parties taken from the memo."""
    try:
        items = [_part(Item, x) for x in data["items"]]
        parties = {role: _part(Party, p) for role, p in data["parties"].items()}
        return Transaction.model_validate({**data, "items": items, "parties": parties})
    except (ValidationError, TypeError, KeyError, AttributeError):
        return engine.parse_transaction(data)


def _part(model: type[BaseModel], data: Any) -> Any:
    if not isinstance(data, dict):
        return data  # validated with the transaction (and reported there)
    # repr tells apart what strict fields do (True, 1 and 1.0 are equal keys in Python, not in pydantic),
    # keeps the keys' order and is written in C: the parts are JSON-like (text, numbers, dates, dicts).
    key = (model, repr(data))
    found = _parts.get(key)
    if found is None:
        if len(_parts) >= PARTS:
            _parts.clear()
        found = _parts[key] = model.model_validate(data)
    return found
