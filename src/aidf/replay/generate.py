"""Synthetic order books, seeded: realistic mixes that make the meters bind.

Consignee profiles (reused across orders with a skew toward large customers, so LPP years and
Tier 2 allocations fill up): Tier 1, Tier 2 and Tier 3 locations, headquarters traps (a Korean or
Singaporean subsidiary of a Chinese parent), public-sector buyers, NVEUs and UVEUs (some with a
declared installed base), manufacturers (ACM end uses). Items: catalog chips in a datacenter-heavy
mix, computers carrying 8 chips, chips given by TPP or datasheet peaks, and model weights. Dates
spread over 2025-2027; a few orders use the other rule sets.

Bulk columns come from a counter-based hash of the line number and the seed (Polars), so ten
million lines are made in seconds and the same seed gives the same book.
"""

from __future__ import annotations

import random
from typing import Any

import polars as pl

from aidf.replay.layout import NAMES

TIER1 = ["US", "FR", "DE", "JP", "GB", "KR", "NL", "CA", "IE", "TW", "SE", "AU", "ES", "IT"]
TIER2 = ["MX", "IN", "BR", "MY", "SG", "TH", "AE", "SA", "IL", "VN", "KZ", "ID", "TR", "PL", "CH", "CL", "EG",
         "UA", "PR"]
TIER3 = ["CN", "RU", "MO", "HK", "VE", "IR", "BY", "SY", "CU", "KP"]
# Regions of Ukraine drawn for UA orders: none stated, Crimea, Donetsk (746.6), Kyiv (no Part 746 section).
UA_REGIONS = [None, "UA-43", "UA-14", "UA-30"]

# (catalog id or None, weight, extra item columns)
ITEMS: list[tuple[dict[str, Any], int]] = [
    ({"catalog": "nvidia-h100-sxm5"}, 140), ({"catalog": "nvidia-h200-sxm"}, 140), ({"catalog": "nvidia-b200"}, 90),
    ({"catalog": "nvidia-gb200-gpu"}, 40), ({"catalog": "nvidia-h20"}, 60), ({"catalog": "nvidia-l40s"}, 60),
    ({"catalog": "nvidia-a100-sxm4"}, 40), ({"catalog": "amd-mi300x"}, 50), ({"catalog": "amd-mi325x"}, 20),
    ({"catalog": "nvidia-rtx-4090"}, 40), ({"catalog": "nvidia-rtx-5090"}, 30), ({"catalog": "nvidia-l40"}, 25),
    ({"catalog": "nvidia-l4"}, 20), ({"catalog": "intel-gaudi3"}, 15), ({"catalog": "google-tpu-v5e"}, 10),
    ({"catalog": "nvidia-l2"}, 8), ({"catalog": "huawei-ascend-910b"}, 5), ({"catalog": "nvidia-rtx-6000-ada"}, 12),
    ({"catalog": "nvidia-h100-sxm5", "form": "computer", "chips_per_unit": 8}, 50),
    ({"catalog": "nvidia-b200", "form": "computer", "chips_per_unit": 8}, 30),
    ({"catalog": "nvidia-l40s", "form": "computer", "chips_per_unit": 4}, 10),
    ({"catalog": "nvidia-rtx-4090", "datacenter": True}, 5),
    ({"catalog": "nvidia-h100-sxm5", "listed_eccn": "5A992"}, 6), ({"catalog": "nvidia-rtx-4090", "listed_eccn": "3A001"}, 3),
    ({"catalog": "nvidia-l40s", "form": "computer", "chips_per_unit": 4, "listed_eccn": "4A003"}, 3),
    ({"tpp": 4000.0, "die_area_mm2": 600.0, "datacenter": True, "description": "custom ASIC (a.2)"}, 10),
    ({"tpp": 3000.0, "die_area_mm2": 900.0, "datacenter": True, "description": "custom ASIC (b)"}, 8),
    ({"tpp": 5200.0, "datacenter": True, "description": "custom ASIC, no die area"}, 6),
    ({"tpp": 2000.0, "description": "edge NPU, datacenter unknown"}, 4),
    ({"peak_fp8": 2000.0, "die_area_mm2": 800.0, "datacenter": True, "description": "accelerator from datasheet"}, 8),
    ({"peak_fp16": 700.0, "peak_int8": 1300.0, "die_area_mm2": 500.0, "datacenter": True}, 4),
    ({"weights_training_operations": 2e26, "weights_published": False, "weights_storage_meets_supp10": True}, 4),
    ({"weights_training_operations": 3e26, "weights_published": False}, 3),
    ({"weights_training_operations": 5e25, "weights_published": False}, 2),
    ({"weights_training_operations": 4e26, "weights_published": True}, 2),
]
QUANTITIES = [1, 1, 2, 4, 8, 8, 16, 16, 32, 32, 64, 64, 100, 128, 200, 256, 400, 500, 800, 1000, 1500, 2000]
END_USES = ["data_center"] * 6 + ["research", None, "development", "production", "storage"]


def _profiles(k: int, rnd: random.Random) -> list[dict[str, Any]]:
    kinds = (["tier1"] * 30 + ["tier2"] * 36 + ["tier3"] * 7 + ["trap"] * 6 + ["public"] * 4 + ["acm"] * 6
             + ["nveu"] * 6 + ["uveu"] * 4 + ["uveu_declared"] * 1)
    order = ["tier1", "tier2", "tier3", "trap", "public", "acm", "nveu", "uveu", "uveu_declared"]
    out = []
    for j in range(k):
        kind = order[j] if j < len(order) else rnd.choice(kinds)
        cc = {"tier1": TIER1, "tier3": TIER3}.get(kind, TIER2)
        country = rnd.choice(cc)
        p: dict[str, Any] = {"consignee_id": f"C{j:05d}", "consignee_name": f"{country} Compute {j}",
                             "consignee_country": country, "consignee_headquarters": None,
                             "consignee_ultimate_parent_headquarters": None,
                             "consignee_private_sector": rnd.random() > 0.05 or None,
                             "veu_type": None, "veu_id": None, "veu_installed_base": None,
                             "end_use": rnd.choice(END_USES), "scale": rnd.choice([1, 1, 1, 2, 3, 5, 10])}
        if kind == "trap":
            p["consignee_country"] = rnd.choice(["KR", "SG", "MY", "DE", "AE"])
            if rnd.random() < 0.5:
                p["consignee_headquarters"] = "CN"
            else:
                p["consignee_ultimate_parent_headquarters"] = rnd.choice(["CN", "RU", "MO"])
            p["consignee_name"] = f"{p['consignee_country']} Sino Data {j}"
        elif kind == "public":
            p["consignee_private_sector"] = False
            p["consignee_name"] = f"{country} National Lab {j}"
        elif kind == "acm":
            p["end_use"] = rnd.choice(["production", "development", "storage"])
        elif kind == "nveu":
            p["consignee_country"] = rnd.choice(["IN", "MY", "AE", "SA", "BR", "MX", "TH"])
            p["veu_type"], p["veu_id"] = "NVEU", f"NV-{p['consignee_country']}-{j}"
            p["end_use"], p["scale"] = "data_center", rnd.choice([20, 40, 80])
            if rnd.random() < 0.3:  # some orders state the NVEU's installed base, others leave it to the ledger
                p["declared"] = f"{p['consignee_country']}={rnd.choice([3e8, 9e8, 1.5e9]):.0f}"
        elif kind.startswith("uveu"):
            p["consignee_country"] = rnd.choice(TIER2[:8] + ["US", "FR", "JP"])
            p["consignee_headquarters"] = rnd.choice(["US", "US", "GB", "JP"])
            p["veu_type"], p["veu_id"] = "UVEU", f"UV-{j}"
            p["end_use"], p["scale"] = "data_center", rnd.choice([5, 20])
            if kind == "uveu_declared":
                p["veu_installed_base"] = rnd.choice(["US=2000000000", "US=900000000;DE=100000000", "US=50000000"])
        elif kind == "tier3" and country in ("RU", "BY") and rnd.random() < 0.4:
            p["consignee_ultimate_parent_headquarters"] = rnd.choice(["US", "DE", "CN"])  # 746.8(b)(3)(vi)
        p.setdefault("declared", None)
        out.append(p)
    return out


def _u(idx: pl.Expr, seed: int, salt: int) -> pl.Expr:
    """A uniform draw in [0, 1) from the hash of (line or order index, seed, salt)."""
    return (idx.hash(seed * 1_000_003 + salt) % (1 << 30)).cast(pl.Float64) / float(1 << 30)


def _pick(idx: pl.Expr, seed: int, salt: int, n: int) -> pl.Expr:
    return (_u(idx, seed, salt) * n).floor().cast(pl.Int64).clip(0, n - 1)


def generate(n: int, seed: int = 0, intensity: float = 1.0, start: str = "2025-01-01", days: int = 1095,
             profiles: int | None = None) -> pl.DataFrame:
    """An order book of `n` lines in the layout's columns (all present, as typed values)."""
    rnd = random.Random(seed)
    k = profiles or max(40, min(20_000, n // 150))
    prof = pl.DataFrame(_profiles(k, rnd), infer_schema_length=None).with_row_index("profile")
    prof = prof.with_columns(pl.col("profile").cast(pl.Int64),
                             pl.col("consignee_private_sector").cast(pl.Boolean))
    item_rows, weights = zip(*ITEMS, strict=True)
    slots = [i for i, w in enumerate(weights) for _ in range(w)]
    cols = sorted({c for r in item_rows for c in r})
    items = pl.DataFrame([{c: r.get(c) for c in cols} for r in item_rows], infer_schema_length=None) \
        .with_row_index("item_kind").with_columns(pl.col("item_kind").cast(pl.Int64))
    slot_table = pl.DataFrame({"slot": list(range(len(slots))), "item_kind": slots},
                              schema={"slot": pl.Int64, "item_kind": pl.Int64})
    qty_table = pl.DataFrame({"qslot": list(range(len(QUANTITIES))), "base_qty": QUANTITIES},
                             schema={"qslot": pl.Int64, "base_qty": pl.Int64})

    i = pl.col("i")
    lines = pl.DataFrame({"i": pl.int_range(0, n, dtype=pl.Int64, eager=True)})
    new_order = (_u(i, seed, 1) < 0.65) | (i == 0)
    lines = lines.with_columns(new_order.cast(pl.Int64).cum_sum().sub(1).alias("order_no"))
    o = pl.col("order_no")
    start_date = pl.lit(start).str.to_date()
    lines = lines.with_columns(
        (_u(o, seed, 2).pow(1.6) * k).floor().cast(pl.Int64).clip(0, k - 1).alias("profile"),
        (start_date + pl.duration(days=_pick(o, seed, 3, days))).alias("date"),
        _u(o, seed, 4).alias("u_action"), _u(o, seed, 5).alias("u_rules"), _u(o, seed, 6).alias("u_dest"),
        _u(o, seed, 7).alias("u_direct"), _u(o, seed, 8).alias("u_enduser"),
        _pick(i, seed, 9, len(slots)).alias("slot"), _pick(i, seed, 10, len(QUANTITIES)).alias("qslot"),
    )
    lines = (lines.join(prof, on="profile", how="left").join(slot_table, on="slot", how="left")
             .join(items, on="item_kind", how="left").join(qty_table, on="qslot", how="left"))
    uc = pl.col("consignee_country")
    alt = pl.lit(TIER2[0])
    lines = lines.with_columns(
        ("PO-" + pl.lit(f"{seed}-") + o.cast(pl.String).str.zfill(8)).alias("order_id"),
        pl.when(pl.col("u_action") < 0.9).then(pl.lit("export"))
        .when(pl.col("u_action") < 0.97).then(pl.lit("reexport")).otherwise(pl.lit("transfer")).alias("action"),
        pl.when(pl.col("u_dest") < 0.97).then(uc).otherwise(alt).alias("destination"),
        pl.when(pl.col("u_direct") < 0.05).then(False).otherwise(None).alias("direct_to_consignee"),
        pl.when((pl.col("u_dest") < 0.97) & (uc == "UA"))
        .then(_pick(o, seed, 12, len(UA_REGIONS)).replace_strict(list(range(len(UA_REGIONS))), UA_REGIONS,
                                                                  return_dtype=pl.String))
        .alias("destination_region"),
        pl.when(pl.col("declared").is_not_null() & (_u(o, seed, 11) < 0.5)).then(pl.col("declared"))
        .otherwise(pl.col("veu_installed_base")).alias("veu_installed_base"),
        pl.when(pl.col("u_rules") < 0.02).then(pl.lit("pre-diffusion-2024"))
        .when(pl.col("u_rules") < 0.05).then(pl.lit("non-enforced-2025")).otherwise(None).alias("rules"),
        (pl.col("base_qty") * pl.col("scale") * intensity).round(0).cast(pl.Int64).clip(1, None).alias("quantity"),
    )
    # Model weights carry no quantity scale or form.
    is_w = pl.col("weights_training_operations").is_not_null()
    eu = pl.col("u_enduser") < 0.05
    lines = lines.with_columns(
        pl.when(is_w).then(1).otherwise(pl.col("quantity")).alias("quantity"),
        pl.when(eu).then(pl.lit("Downstream User ") + pl.col("profile").cast(pl.String)).alias("end_user_name"),
        pl.when(eu).then(pl.col("destination")).alias("end_user_country"),
        pl.when(eu & (pl.col("u_enduser") < 0.01)).then(pl.lit("CN")).alias("end_user_headquarters"),
        pl.when(eu).then(pl.lit(True)).alias("end_user_private_sector"),
    )
    # The rule sets apply from their own dates: keep pre-diffusion orders in its window's reach.
    lines = lines.with_columns(
        pl.when(pl.col("rules") == "non-enforced-2025").then(
            pl.max_horizontal(pl.col("date"), pl.lit("2025-05-13").str.to_date())).otherwise(pl.col("date"))
        .alias("date"))
    from aidf.replay.book import DTYPES
    from aidf.replay.layout import BY_NAME

    return lines.select([(pl.col(c) if c in lines.columns else pl.lit(None)).cast(DTYPES[BY_NAME[c].kind]).alias(c)
                         for c in NAMES])


def write(n: int, path: str, seed: int = 0, intensity: float = 1.0) -> pl.DataFrame:
    from aidf.replay.io import file_format, write_table

    df = generate(n, seed, intensity)
    if file_format(path, "out") in ("csv", "xlsx"):
        df = df.with_columns(pl.col("date").cast(pl.String))
    write_table(df, path, sheet="orders")
    return df
