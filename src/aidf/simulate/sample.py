"""The sample book in the replay layout, made from the service's sample orders (one row per item line).

`data/sample_book.csv` ships with the package for `aidf compare` and the dashboard's /simulate page;
`python -m aidf.simulate.sample` writes it again after the sample orders change (a test checks that
the two agree).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl

SAMPLE_BOOK = Path(__file__).resolve().parent / "data" / "sample_book.csv"
ORDERS = Path(__file__).resolve().parent.parent / "service" / "sample_orders.json"
PARTY_FIELDS = ("id", "headquarters", "ultimate_parent_headquarters", "private_sector")
ITEM_FIELDS = ("catalog", "tpp", "die_area_mm2", "datacenter", "form", "chips_per_unit", "quantity", "description")
WEIGHT_FIELDS = {"training_operations": "weights_training_operations", "published": "weights_published",
                 "base_model_published": "weights_base_model_published",
                 "extra_training_operations": "weights_extra_training_operations",
                 "storage_meets_supp10_14_15_18": "weights_storage_meets_supp10"}


def _party(p: dict[str, Any] | None, prefix: str) -> dict[str, Any]:
    if not p:
        return {}
    row = {f"{prefix}_name": p["name"], f"{prefix}_country": p["country"]}
    row.update({f"{prefix}_{k}": p[k] for k in PARTY_FIELDS if p.get(k) is not None})
    veu = p.get("veu") if prefix == "consignee" else None
    if veu:
        row.update({"veu_type": veu["type"], "veu_id": veu["id"]})
        if veu.get("installed_base_tpp"):
            row["veu_installed_base"] = ";".join(f"{k}={v:.0f}" for k, v in veu["installed_base_tpp"].items())
    return row


def _item(it: dict[str, Any]) -> dict[str, Any]:
    row = {k: it[k] for k in ITEM_FIELDS if it.get(k) is not None}
    for k, col in WEIGHT_FIELDS.items():
        if (it.get("model_weights") or {}).get(k) is not None:
            row[col] = it["model_weights"][k]
    row.update({f"peak_{k}": v for k, v in (it.get("peak_dense") or {}).items()})
    return row


def rows(transactions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Layout rows for contract transactions (the inverse of the replay's assembly)."""
    out = []
    for tx in transactions:
        head = {"order_id": tx["id"], "date": tx["date"], "action": tx["action"], "destination": tx["destination"]}
        head.update({k: tx[k] for k in ("end_use", "direct_to_consignee", "rules") if tx.get(k) is not None})
        head.update(_party(tx["parties"].get("ultimate_consignee"), "consignee"))
        head.update(_party(tx["parties"].get("end_user"), "end_user"))
        out.extend({**head, **_item(it)} for it in tx["items"])
    return out


def sample_book() -> pl.DataFrame:
    from aidf.replay.layout import NAMES

    df = pl.DataFrame(rows(json.loads(ORDERS.read_text())["transactions"]), infer_schema_length=None)
    return df.select([c for c in NAMES if c in df.columns])


if __name__ == "__main__":  # pragma: no cover - maintenance command
    sample_book().write_csv(SAMPLE_BOOK)
    print(f"wrote {SAMPLE_BOOK.name}")
