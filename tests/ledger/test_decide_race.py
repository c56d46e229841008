"""32 `aidf decide` processes race for the last TPP of one Tier 2 country's allocation.

Each process decides its own file of licensed shipments to Saudi Arabia (LPP is not left there by
740.2(a)(9)(ii)), so every shipment asks the 790,000,000 TPP allocation for room. Exactly as many
get presumption of approval as fit, never one more, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.ledger.ledger_racers import run_racers

from aidf.ledger import open_ledger
from aidf.model import AccountRef

AIDF = str(Path(sys.executable).parent / "aidf")
H100_TPP_MILLI = 15_831_200
PER_SHIPMENT = 1000  # H100s: 15,831,200 TPP; 49 fit in 790,000,000, the 50th does not
WRITERS, EACH = 32, 2


def shipment(w: int, k: int) -> dict:
    return {"id": f"SA-{w}-{k}", "date": "2025-08-01", "action": "export", "destination": "SA",
            "items": [{"catalog": "nvidia-h100-sxm5", "quantity": PER_SHIPMENT}],
            "parties": {"ultimate_consignee": {"name": f"Riyadh Buyer {w}-{k}", "country": "SA"}}}


def test_exactly_as_many_approvals_as_fit(durable_url, tmp_path):
    open_ledger(durable_url).close()  # migrate once, before the race
    commands = []
    for w in range(WRITERS):
        f = tmp_path / f"writer{w}.json"
        f.write_text(json.dumps([shipment(w, k) for k in range(EACH)]))
        commands.append([AIDF, "decide", str(f), "--ledger", durable_url, "--format", "json"])
    finished = run_racers(commands, timeout=900)
    decisions = []
    for p in finished:
        assert p.returncode == 0, p.stderr[-2000:]
        decisions += json.loads(p.stdout)
    policies = [d["review_policy"] for d in decisions]
    fits = 790_000_000_000 // (PER_SHIPMENT * H100_TPP_MILLI)
    assert len(decisions) == WRITERS * EACH
    assert policies.count("presumption_of_approval") == fits
    assert policies.count("presumption_of_denial") == WRITERS * EACH - fits
    led = open_ledger(durable_url)
    try:
        used = led.used(AccountRef(kind="country_allocation", country="SA", window="2025-2027"))
        assert used == fits * PER_SHIPMENT * H100_TPP_MILLI <= 790_000_000_000
        assert led.verify().ok
        assert len(led.holds("open")) == WRITERS * EACH  # every licensed shipment waits for its license
    finally:
        led.close()
