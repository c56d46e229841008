"""An option's change in words, for pages, tables and memos (JSON keeps the dotted paths)."""

from __future__ import annotations

from typing import Any

from aidf.cite import WEIGHTS_STORAGE_LISTED

FIELDS = {
    "quantity": "quantity", "die_area_mm2": "die area (mm2)", "datacenter": "designed for datacenters",
    "storage_meets_supp10_14_15_18": f"storage meets {WEIGHTS_STORAGE_LISTED}",
    "published": "weights published", "extra_training_operations": "extra training operations",
    "headquarters": "headquarters", "ultimate_parent_headquarters": "ultimate parent's headquarters",
    "country": "location", "veu": "validated end user status", "destination": "destination",
    "date": "date", "direct_to_consignee": "shipped directly to the consignee",
}
ROLES = {"ultimate_consignee": "consignee", "end_user": "end user"}


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, dict) and "type" in v:
        return f"{v['type']} ({v.get('id', '')})"
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, float):
        return f"{v:,.2f}" if abs(v) < 1e9 else f"{v:.3e}"
    return str(v)


def field_words(path: str) -> str:
    parts = path.split(".")
    if parts[0] == "ledger" and parts[1:2] == ["arrangement"]:
        return f"government-to-government arrangement with {parts[-1]} recorded"
    name = FIELDS.get(parts[-1], parts[-1].replace("_", " "))
    if parts[0] == "items":
        from aidf import people

        return f"{name} of line {people.line(int(parts[1]))}"  # people count lines from 1
    if parts[0] == "parties":
        return f"{ROLES.get(parts[1], parts[1])}'s {name}"
    return name


def change_words(change: dict[str, Any]) -> str:
    """`{"items.0.quantity": 1699, "date": "2026-01-01"}` -> `quantity of line 1: 1,699; date: 2026-01-01`."""
    if not change:
        return "no change helps"
    return "; ".join(f"{field_words(k)}: {_value(v)}" for k, v in change.items())
