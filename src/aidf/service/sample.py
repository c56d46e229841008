"""A sample order book for the dashboard: shipments across the tiers, licenses, and hold releases.

`seed_sample` decides and books sample_orders.json into an empty ledger, so `aidf serve --sample`
opens on a ledger with something to look at. It never touches a ledger that already has bookings.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from aidf.ledger import LedgerError
from aidf.model import Transaction
from aidf.service.keys import Principal

SAMPLE = Path(__file__).parent / "sample_orders.json"
ACTOR = Principal("sample-loader", "officer", "sample")


def load_sample() -> dict[str, Any]:
    return json.loads(SAMPLE.read_text())


def is_empty(ledger: Any) -> bool:
    return not ledger.audit_log(1)


def seed_sample(service: Any, *, force: bool = False) -> dict[str, int]:
    """Book the sample order book if the ledger is empty (or `force`); returns counts of what was done."""
    if not force and not is_empty(service.ledger):
        return {"transactions": 0, "licenses": 0, "releases": 0}
    doc = load_sample()
    done = {"transactions": 0, "licenses": 0, "releases": 0}
    for t in doc["transactions"]:
        service.decide(Transaction.model_validate(t), book=True, actor=ACTOR)
        done["transactions"] += 1
    for lic in doc.get("licenses", []):
        service.record_license(lic["number"], float(lic["tpp"]), dt.date.fromisoformat(lic["valid_from"]),
                               dt.date.fromisoformat(lic["valid_to"]), lic.get("parties"), lic.get("conditions"), ACTOR)
        done["licenses"] += 1
    for r in doc.get("releases", []):
        try:
            service.release(r["transaction_id"], ACTOR, license=r.get("license"), reason=r.get("reason"))
            done["releases"] += 1
        except LedgerError:
            continue  # already released on an earlier run
    return done
