"""Seeded differential books: replay equals `decide_many` line for line over the combinations that
decide differently (consignee location and headquarters in every tier, actions, item levels, rule
sets), in an order where the same pattern appears in many places of the book.

The suite runs 10^4 lines per seed; with `CI` set, 10^5.
"""

from __future__ import annotations

import datetime as dt
import os
import random

import polars as pl
import pytest

from aidf.replay.book import DTYPES
from aidf.replay.layout import BY_NAME, NAMES

from .helpers import differences, typed

TIER1 = ["US", "FR", "JP", "KR", "TW"]
TIER2 = ["MX", "IN", "SG", "AE", "MY", "SA"]
TIER3 = ["CN", "MO", "RU", "HK", "IR", "SY", "CU", "BY"]
HQS = [None, "US", "FR", "IN", "SG", "CN", "MO", "RU"]
PARENTS = [None, None, None, "CN", "MO", "US", "JP"]
# Items at each level: .a chips and computers, .b chips (A30, L40S, ...), not controlled, weights.
ITEMS = [
    {"catalog": "nvidia-h100-sxm5"}, {"catalog": "nvidia-b200"}, {"catalog": "nvidia-a30"},
    {"catalog": "nvidia-l40s"}, {"catalog": "nvidia-rtx-4090"}, {"catalog": "nvidia-h20"},
    {"catalog": "nvidia-l20"}, {"catalog": "nvidia-l2"},
    {"catalog": "nvidia-h100-sxm5", "form": "computer", "chips_per_unit": 8},
    {"tpp": 3000.0, "die_area_mm2": 900.0, "datacenter": True},
    {"catalog": "nvidia-h100-sxm5", "listed_eccn": "5A002"}, {"catalog": "nvidia-a30", "listed_eccn": "5A992"},
    {"weights_training_operations": 2e26, "weights_published": False},
]
ACTIONS = ["export", "export", "reexport", "transfer"]
RULES = [None, None, None, None, "pre-diffusion-2024", "non-enforced-2025", "as-written", "as-enforced"]
REGIONS = [None, "UA-43", "UA-14", "UA-30"]  # Crimea, a covered region, Kyiv
QUANTITIES = [1, 4, 16, 64, 256, 1000]
SIZE = 100_000 if os.environ.get("CI") else 10_000


def _profiles(rnd: random.Random, k: int) -> list[dict]:
    out = []
    for j in range(k):
        country = rnd.choice(TIER1 + TIER2 + TIER3)
        p = {"consignee_id": f"C{j:04d}", "consignee_name": f"{country} Compute {j}", "consignee_country": country,
             "consignee_headquarters": rnd.choice(HQS),
             "consignee_ultimate_parent_headquarters": rnd.choice(PARENTS),
             "consignee_private_sector": rnd.choice([True, True, False, None]),
             "end_use": rnd.choice(["data_center", "production", None])}
        if j % 17 == 5:
            p |= {"veu_type": "NVEU", "veu_id": f"NV-{j}"}
        elif j % 23 == 7:
            p |= {"veu_type": "UVEU", "veu_id": f"UV-{j}"}
        out.append(p)
    return out


def book(n: int, seed: int) -> pl.DataFrame:
    """`n` lines in orders of one to three lines, each order one consignee, action and rule set."""
    rnd = random.Random(seed)
    profiles = _profiles(rnd, 120)
    rows: list[dict] = []
    order = 0
    while len(rows) < n:
        p = rnd.choice(profiles)
        dest = p["consignee_country"] if rnd.random() < 0.9 else rnd.choice(TIER1 + TIER2 + TIER3 + ["UA"])
        region = rnd.choice(REGIONS) if dest == "UA" else None
        tx = p | {"destination_region": region,"order_id": f"PO-{seed}-{order:06d}", "action": rnd.choice(ACTIONS), "destination": dest,
                  "rules": rnd.choice(RULES),
                  "date": dt.date(2025, 5, 20) + dt.timedelta(days=rnd.randrange(900))}
        for _ in range(min(rnd.choice([1, 1, 2, 3]), n - len(rows))):
            item = rnd.choice(ITEMS)
            qty = 1 if "weights_training_operations" in item else rnd.choice(QUANTITIES)
            rows.append(tx | item | {"quantity": qty})
        order += 1
    df = pl.DataFrame(rows, infer_schema_length=None)
    return df.select([(pl.col(c) if c in df.columns else pl.lit(None)).cast(DTYPES[BY_NAME[c].kind]).alias(c)
                      for c in NAMES])


@pytest.mark.parametrize("seed", [101, 202, 303])
def test_replay_equals_decide_many_on_seeded_books(seed):
    assert differences(typed(book(SIZE, seed)), limit=10) == []


def test_nac_follows_the_action_for_d5_headquartered_consignees_outside_tier3():
    """.b chips to a consignee located in Tier 2 but headquartered in China: an export may go under
    NAC, an in-country transfer may not (740.8); the first line of the pattern must not decide the rest."""
    base = {"consignee_id": "C1", "consignee_name": "SG Sino Data", "consignee_country": "SG",
            "consignee_headquarters": "CN", "destination": "SG", "catalog": "nvidia-a30", "quantity": 4,
            "date": dt.date(2025, 7, 1)}
    rows = [base | {"order_id": f"T{i}", "action": a} for i, a in enumerate(["transfer", "export", "transfer"])]
    rows += [base | {"order_id": "X", "action": "export", "consignee_headquarters": "MO"}]
    df = pl.DataFrame(rows, infer_schema_length=None)
    df = df.select([(pl.col(c) if c in df.columns else pl.lit(None)).cast(DTYPES[BY_NAME[c].kind]).alias(c)
                    for c in NAMES])
    assert differences(typed(df)) == []
