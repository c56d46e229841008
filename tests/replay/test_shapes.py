"""Shape keys: lines merged into one shape get the plan each would get decided on its own."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

import polars as pl
import pytest

from aidf.catalog import load_catalog
from aidf.replay import columnar, static
from aidf.replay.assemble import in_replay_order, tx_dict
from aidf.replay.book import DTYPES
from aidf.replay.codes import compact, expand
from aidf.replay.layout import BY_NAME, NAMES

from .helpers import differences, typed

POOL = ["US", "FR", "DE", "JP", "KR", "GB", "NL", "MX", "IN", "BR", "SG", "AE", "SA", "IL", "VN", "KZ", "CH",
        "PL", "CN", "HK", "MO", "RU", "IR", "VE", "CU", "BY"]
CUSTOM = [{"tpp": 4000.0, "die_area_mm2": 600.0, "datacenter": True}, {"tpp": 3000.0, "die_area_mm2": 900.0},
          {"tpp": 5200.0}, {"tpp": 2000.0, "datacenter": False}, {"peak_fp8": 2000.0, "die_area_mm2": 800.0}]
WEIGHTS = [{"weights_training_operations": 2e26, "weights_published": False, "weights_storage_meets_supp10": s}
           for s in (True, False, None)] + [{"weights_training_operations": 4e26, "weights_published": True}]


def adversarial(n: int, seed: int) -> pl.DataFrame:
    """Orders drawn across every country group, party fact, rule set, action and date epoch."""
    rnd = random.Random(seed)
    chips = sorted(load_catalog())
    start, days = dt.date(2023, 11, 17), (dt.date(2028, 6, 30) - dt.date(2023, 11, 17)).days
    rows = []
    o = 0
    while len(rows) < n:
        o += 1
        c = rnd.choice(POOL)
        tx = {"order_id": f"A{o}", "date": start + dt.timedelta(days=rnd.randrange(days)),
              "action": rnd.choice(["export", "export", "reexport", "transfer"]),
              "destination": c if rnd.random() < 0.8 else rnd.choice(POOL),
              "end_use": rnd.choice([None, "data_center", "production", "development", "storage", "research"]),
              "direct_to_consignee": rnd.choice([None, None, True, False]),
              "rules": rnd.choice([None, None, None, "pre-diffusion-2024", "non-enforced-2025"]),
              "consignee_name": f"Party {rnd.randrange(40)}", "consignee_country": c,
              "consignee_headquarters": rnd.choice([None, None, *POOL]),
              "consignee_ultimate_parent_headquarters": rnd.choice([None, None, None, *POOL]),
              "consignee_private_sector": rnd.choice([None, True, True, False])}
        v = rnd.random()
        if v < 0.2:
            tx["veu_type"], tx["veu_id"] = rnd.choice(["UVEU", "NVEU"]), f"V{rnd.randrange(5)}"
        if rnd.random() < 0.25:
            tx.update({"end_user_name": "User", "end_user_country": rnd.choice(POOL),
                       "end_user_headquarters": rnd.choice([None, *POOL]),
                       "end_user_private_sector": rnd.choice([None, True, False])})
        for _ in range(rnd.choice([1, 1, 2, 3])):
            k = rnd.random()
            if k < 0.7:
                item = {"catalog": rnd.choice(chips)}
                if rnd.random() < 0.15:
                    item |= {"form": "computer", "chips_per_unit": 8}
                if rnd.random() < 0.1:
                    item["datacenter"] = rnd.choice([True, False])
            elif k < 0.88:
                item = dict(rnd.choice(CUSTOM))
            else:
                item = dict(rnd.choice(WEIGHTS))
            if "weights_training_operations" not in item:
                item["quantity"] = rnd.choice([1, 8, 64, 1000])
            rows.append({**tx, **item})
    return pl.DataFrame([{c: r.get(c) for c in NAMES} for r in rows[:n]], infer_schema_length=None).select(
        [pl.col(c).cast(DTYPES[BY_NAME[c].kind]) for c in NAMES])


def _comparable(p: static.Plan) -> dict:
    out = {f.name: getattr(p, f.name) for f in dataclasses.fields(p) if f.name not in ("dest", "dest_tier", "tpp_unit")}
    if out["uveu"]:  # the tier test of the geography in force (bound methods compare by identity)
        out["uveu"] = {**out["uveu"], "tier": out["uveu"]["tier"].__self__}
    return out


def _seeded(n: int, seed: int) -> pl.DataFrame:
    from .test_differential import book

    return book(n, seed)


@pytest.mark.parametrize("make,seed", [(adversarial, 1), (adversarial, 2), (_seeded, 3), (_seeded, 4)])
def test_each_line_gets_the_plan_it_would_get_alone(make, seed):
    book = typed(make(1500, seed))
    df = in_replay_order(book).with_columns(pl.int_range(0, pl.len(), dtype=pl.Int64).alias("seq"))
    lines, items = compact(df)
    keyed, plans, n = columnar._shapes(lines, items)
    keyed = expand(keyed, items)  # each line's item columns, from the table of distinct items
    assert n < df.height  # some lines share shapes
    for r in keyed.iter_rows(named=True):
        alone = static.evaluate(static.engine.parse_transaction(tx_dict([{**r, "quantity": 1}])))
        shared = plans[r["shape"]]
        assert _comparable(shared) == _comparable(alone), (r["line"], _comparable(shared), _comparable(alone))
        assert (r["dest"], r["destination_tier"]) == (alone.dest, alone.dest_tier)


def test_adversarial_book_equals_decide_many():
    assert differences(typed(adversarial(500, 3))) == []


def test_china_review_reads_the_chip_figures():
    """H100 and B200 share every other fact: only TPP decides the 2026 China review policy."""
    rows = [{"order_id": f"X{i}", "date": dt.date(2026, 3, 2), "action": "export", "destination": "CN",
             "rules": "non-enforced-2025", "consignee_name": "Beijing Compute", "consignee_country": "CN",
             "catalog": chip, "quantity": 1} for i, chip in enumerate(["nvidia-h100-sxm5", "nvidia-b200"])]
    book = typed(pl.DataFrame([{c: r.get(c) for c in NAMES} for r in rows], infer_schema_length=None).select(
        [pl.col(c).cast(DTYPES[BY_NAME[c].kind]) for c in NAMES]))
    assert differences(book) == []
    policies = columnar.replay(book).lines["review_policy"].to_list()
    assert policies[0] != policies[1]
