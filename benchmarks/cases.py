"""The transactions the single-decision benchmarks time (this tree's, and a baseline revision's)."""

SINGLE_CASES = [
    {"id": "S1", "date": "2025-07-01", "action": "export", "destination": "MX",
     "items": [{"catalog": "nvidia-h200-sxm", "quantity": 500}],
     "parties": {"ultimate_consignee": {"name": "Monterrey Nube", "country": "MX", "private_sector": True}}},
    {"id": "S2", "date": "2025-07-01", "action": "export", "destination": "FR",
     "items": [{"catalog": "nvidia-b200", "quantity": 16}],
     "parties": {"ultimate_consignee": {"name": "Lyon Calcul", "country": "FR", "private_sector": True}}},
]


def generated_transactions(n: int, seed: int = 5) -> list[dict]:
    """The generated transactions decide_many is timed on (benchmarks.ledger_bench, benchmarks.engine_bench):
    one H100 line each to a Tier 2 or Tier 1 destination, a thousand consignees, three quantities."""
    import random

    rng = random.Random(seed)
    txs = []
    for i in range(n):
        dest = rng.choice(["SA", "AE", "IN", "DE", "MX", "FR", "BR"])
        txs.append({"id": f"D{i}", "date": "2025-08-01", "action": "export", "destination": dest,
                    "items": [{"catalog": "nvidia-h100-sxm5", "quantity": rng.choice([10, 100, 1000])}],
                    "parties": {"ultimate_consignee": {"name": f"Buyer {rng.randint(0, 999)}", "country": dest}}})
    return txs
