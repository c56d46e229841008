"""The options section of the dashboard's decision page: each option in words, with a link that opens
the changed transaction in the decide form (the form's fields, filled in; nothing is decided until
the user presses Decide)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from aidf.model import Decision, Option
from aidf.options.probe import apply
from aidf.options.words import change_words

FORM_ROWS = 3  # item rows of the decide form (web.ITEM_ROWS)
_PARTY_KEYS = {"name", "country", "headquarters", "ultimate_parent_headquarters", "private_sector", "veu", "id"}


def _party(prefix: str, p: dict[str, Any], v: dict[str, str]) -> bool:
    if set(p) - _PARTY_KEYS or (p.get("veu") or {}).get("installed_base_tpp") is not None:
        return False
    v[f"{prefix}_name"], v[f"{prefix}_country"] = p["name"], p["country"]
    for key in ("headquarters", "ultimate_parent_headquarters"):
        if p.get(key):
            v[f"{prefix}_{key}"] = p[key]
        elif key in p:
            return False  # an explicit "not known" has no field in the form
    if p.get("private_sector") is not None:
        v[f"{prefix}_sector"] = "private" if p["private_sector"] else "public"
    if p.get("veu") and prefix == "uc":
        v["veu_type"], v["veu_id"] = p["veu"]["type"], p["veu"]["id"]
    return True


def _items(items: list[dict[str, Any]], v: dict[str, str]) -> bool:
    chips = [it for it in items if "catalog" in it]
    weights = [it for it in items if "model_weights" in it]
    if len(chips) + len(weights) != len(items) or len(chips) > FORM_ROWS or len(weights) > 1:
        return False
    for i, it in enumerate(chips):
        if set(it) - {"catalog", "quantity", "form", "chips_per_unit"}:
            return False
        v[f"chip_{i}"], v[f"qty_{i}"] = it["catalog"], str(it.get("quantity", 1))
        if it.get("form") == "computer":
            v[f"form_{i}"], v[f"cpu_{i}"] = "computer", str(it.get("chips_per_unit", 8))
    for it in weights:
        w = it["model_weights"]
        if set(w) - {"training_operations", "published"}:
            return False
        v["weights_ops"] = f"{w['training_operations']:g}"
        if w.get("published"):
            v["weights_published"] = "on"
    return True


def form_values(tx: dict[str, Any]) -> dict[str, str] | None:
    """The decide form's fields for a transaction, or None when the form cannot carry all of it."""
    v = {k: str(tx[k]) for k in ("id", "date", "action", "destination", "end_use", "rules") if tx.get(k)}
    v["direct"] = "on" if tx.get("direct_to_consignee", True) else ""
    parties = tx["parties"]
    if not _items(tx["items"], v) or not _party("uc", parties["ultimate_consignee"], v):
        return None
    if parties.get("end_user") and not _party("eu", parties["end_user"], v):
        return None
    return v


def _words(o: Option) -> str:
    from aidf import people

    return people.outcome(o.outcome, o.authorization, o.review_policy)


def _text(s: str) -> str:
    from aidf import people

    return people.text(s)


def options_view(decision: Decision, tx: dict[str, Any]) -> list[dict[str, Any]]:
    """Each option as the page shows it; `form_url` opens the changed transaction in the decide form."""
    out = []
    for n, o in enumerate(decision.options or [], 1):
        change = {k: val for k, val in o.change.items() if not k.startswith("ledger.")}
        values = form_values(apply(tx, change)) if change and len(change) == len(o.change) else None
        if values is not None:
            values["id"] = f"{tx['id']}-option-{n}"
        out.append({"n": n, "change": change_words(o.change), "answer": _words(o), "why": _text(o.why), "cite": o.cite, "warnings": o.warnings,
                    "draws": sum(e.tpp for e in o.ledger_effects) or None,
                    "form_url": None if values is None else "/decide?" + urlencode(values)})
    return out
