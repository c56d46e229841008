"""The transactions the single-decision benchmarks time (this tree's, and a baseline revision's)."""

SINGLE_CASES = [
    {"id": "S1", "date": "2025-07-01", "action": "export", "destination": "MX",
     "items": [{"catalog": "nvidia-h200-sxm", "quantity": 500}],
     "parties": {"ultimate_consignee": {"name": "Monterrey Nube", "country": "MX", "private_sector": True}}},
    {"id": "S2", "date": "2025-07-01", "action": "export", "destination": "FR",
     "items": [{"catalog": "nvidia-b200", "quantity": 16}],
     "parties": {"ultimate_consignee": {"name": "Lyon Calcul", "country": "FR", "private_sector": True}}},
]
