"""The order-book column layout: one row per item line; rows sharing `order_id` form one transaction.

Every column has a kind (how a cell is read), a level (transaction, party or item: the levels above
item must agree on every line of one order) and a help text. LAYOUT.md beside this file says the
same for people; `aidf replay --template FILE` writes an empty book with a few example rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from aidf.cite import ACM, PUBLISHED, WEIGHTS_STORAGE
from aidf.model import LISTED_ECCNS

# Precisions for datasheet peak columns (`peak_fp8`, ...): the names 3A090 Technical Note 2 knows.
PEAK_PRECISIONS = ("fp4", "int4", "fp6", "fp8", "int8", "fp16", "bf16", "int16", "tf32", "fp32", "int32", "fp64")


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # text | country | region | date | bool | number | int | enum
    level: str  # transaction | consignee | end_user | item
    help: str
    required: bool = False
    choices: tuple[str, ...] = ()


def _party(prefix: str, level: str, who: str, required: bool) -> list[Column]:
    return [
        Column(f"{prefix}_name", "text", level, f"{who}: name", required),
        Column(f"{prefix}_id", "text", level, f"{who}: stable id (default: the normalized name); keys the LPP meter"),
        Column(f"{prefix}_country", "country", level, f"{who}: country where it is (ISO 3166-1 alpha-2)", required),
        Column(f"{prefix}_headquarters", "country", level, f"{who}: country of headquarters (default: its country)"),
        Column(f"{prefix}_ultimate_parent_headquarters", "country", level,
               f"{who}: headquarters of the ultimate parent (default: its headquarters)"),
        Column(f"{prefix}_private_sector", "bool", level, f"{who}: private-sector end user ({ACM.at('(d)').short})"),
    ]


COLUMNS: list[Column] = [
    Column("order_id", "text", "transaction", "transaction id; lines with the same id form one transaction", True),
    Column("date", "date", "transaction", "date of the export, reexport or transfer (YYYY-MM-DD)", True),
    Column("action", "enum", "transaction", "export, reexport or transfer (in-country)", True,
           ("export", "reexport", "transfer")),
    Column("destination", "country", "transaction", "country the items go to (ISO 3166-1 alpha-2)", True),
    Column("destination_region", "region", "transaction",
           "ISO 3166-2 region where the law differs by region (746.6), e.g. UA-43 Crimea"),
    Column("end_use", "text", "transaction", "e.g. data_center, development, production, storage, research"),
    Column("direct_to_consignee", "bool", "transaction", "shipped directly to the ultimate consignee (default true)"),
    Column("rules", "text", "transaction", "rule set or timeline id (default: timeline as-written)"),
    *_party("consignee", "consignee", "ultimate consignee", True),
    Column("veu_type", "enum", "consignee", "the consignee's Data Center VEU status: UVEU or NVEU", False,
           ("UVEU", "NVEU")),
    Column("veu_id", "text", "consignee", "the VEU authorization id (required with veu_type)"),
    Column("veu_installed_base", "text", "consignee",
           "declared installed base before this shipment, as CC=TPP pairs: 'US=2000000000;DE=1e8'"),
    *_party("end_user", "end_user", "end user (when not the consignee)", False),
    Column("catalog", "text", "item", "catalog chip id (see `aidf catalog`), e.g. nvidia-h100-sxm5"),
    Column("tpp", "number", "item", "chip TPP per IC when not from the catalog"),
    *[Column(f"peak_{p}", "number", "item", f"datasheet dense peak at {p} (TOPS/TFLOPS), instead of tpp")
      for p in PEAK_PRECISIONS],
    Column("die_area_mm2", "number", "item", "applicable die area (mm2); overrides the catalog's"),
    Column("datacenter", "bool", "item", "designed or marketed for datacenters; overrides the catalog's"),
    Column("form", "enum", "item", "ic (default) or computer (4A090)", False, ("ic", "computer")),
    Column("chips_per_unit", "int", "item", "ICs per computer (required with form=computer)"),
    Column("listed_eccn", "enum", "item", "the ECCN the chip or computer is otherwise specified in; "
           "it is that ECCN's .z item when it meets 3A090", False, LISTED_ECCNS),
    Column("quantity", "int", "item", "units on this line (required on chip and computer lines)"),
    Column("description", "text", "item", "free text carried into the decision"),
    Column("weights_training_operations", "number", "item", "model weights: training operations (4E091)"),
    Column("weights_published", "bool", "item", f"model weights: published ({PUBLISHED.short})"),
    Column("weights_base_model_published", "bool", "item", "model weights: derived from a published base model"),
    Column("weights_extra_training_operations", "number", "item", "model weights: operations beyond the base model"),
    Column("weights_storage_meets_supp10", "bool", "item",
           f"model weights: storage meets {WEIGHTS_STORAGE}"),
]

BY_NAME: dict[str, Column] = {c.name: c for c in COLUMNS}
NAMES: list[str] = [c.name for c in COLUMNS]
REQUIRED: list[str] = [c.name for c in COLUMNS if c.required]
PEAK_COLUMNS: list[str] = [f"peak_{p}" for p in PEAK_PRECISIONS]
WEIGHT_COLUMNS: list[str] = [c.name for c in COLUMNS if c.name.startswith("weights_")]
# Columns that must hold the same value on every line of one order.
ORDER_LEVEL: list[str] = [c.name for c in COLUMNS if c.level != "item" and c.name != "order_id"]
ITEM_LEVEL: list[str] = [c.name for c in COLUMNS if c.level == "item"]

# Accepted spellings of a few headers, mapped to the layout name.
ALIASES: dict[str, str] = {
    "transaction_id": "order_id", "id": "order_id", "order": "order_id", "order_no": "order_id",
    "ultimate_consignee_name": "consignee_name", "ultimate_consignee_country": "consignee_country",
    "qty": "quantity", "catalog_id": "catalog", "chip": "catalog",
    "veu": "veu_type", "weights_storage_meets_supp10_14_15_18": "weights_storage_meets_supp10",
}


def normalize_header(name: str) -> str:
    key = "_".join(str(name).strip().lower().replace("-", " ").replace(".", " ").split())
    return ALIASES.get(key, key)


# A few rows showing each kind of line, written by `aidf replay --template`.
TEMPLATE_ROWS: list[dict[str, object]] = [
    {"order_id": "PO-1001", "date": "2025-07-01", "action": "export", "destination": "FR",
     "consignee_name": "Lyon Calcul SAS", "consignee_country": "FR", "consignee_private_sector": "true",
     "catalog": "nvidia-b200", "quantity": 16},
    {"order_id": "PO-1002", "date": "2025-07-01", "action": "export", "destination": "MX",
     "consignee_name": "Monterrey Nube SA de CV", "consignee_id": "MX-MNUBE", "consignee_country": "MX",
     "consignee_private_sector": "true", "catalog": "nvidia-h200-sxm", "quantity": 500},
    {"order_id": "PO-1002", "date": "2025-07-01", "action": "export", "destination": "MX",
     "consignee_name": "Monterrey Nube SA de CV", "consignee_id": "MX-MNUBE", "consignee_country": "MX",
     "consignee_private_sector": "true", "catalog": "nvidia-h100-sxm5", "form": "computer",
     "chips_per_unit": 8, "quantity": 4},
    {"order_id": "PO-1003", "date": "2025-07-01", "action": "export", "destination": "KR",
     "consignee_name": "Hanguk Sino Data", "consignee_country": "KR", "consignee_headquarters": "CN",
     "consignee_private_sector": "true", "catalog": "nvidia-l40s", "quantity": 50},
    {"order_id": "PO-1004", "date": "2025-07-01", "action": "export", "destination": "FR",
     "consignee_name": "Lyon Calcul SAS", "consignee_country": "FR", "consignee_private_sector": "true",
     "peak_fp8": 2000, "die_area_mm2": 800, "datacenter": "true", "quantity": 1,
     "description": "custom accelerator"},
    {"order_id": "PO-1005", "date": "2026-04-10", "action": "export", "destination": "IN",
     "end_use": "data_center", "consignee_name": "Deccan Compute Ltd", "consignee_country": "IN",
     "consignee_private_sector": "true", "veu_type": "NVEU", "veu_id": "NV-IN-7",
     "catalog": "nvidia-h100-sxm5", "quantity": 10000},
    {"order_id": "PO-1006", "date": "2025-07-01", "action": "export", "destination": "CA",
     "consignee_name": "Maple Models Inc", "consignee_country": "CA", "consignee_private_sector": "true",
     "weights_training_operations": 2e26, "weights_published": "false"},
]
