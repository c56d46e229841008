"""The built-in accelerator catalog (chips.csv, with a source for every figure; see chips-notes.md).

Its `id` column is the catalog id callers use in transactions and on the command line.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

HERE = Path(__file__).parent
_PEAK = re.compile(r"([A-Za-z0-9/]+)\s+~?([0-9][0-9.,]*)")


@dataclass(frozen=True)
class Chip:
    id: str
    vendor: str
    model: str
    form_factor: str
    market: str
    precision: str
    dense_tops: Fraction
    bit_length: int
    tpp: Fraction
    die_area_mm2: Fraction | None
    dies: str
    recorded_class: str
    sources: tuple[str, ...]
    notes: str
    memory_bw_tbs: Fraction | None = None

    @property
    def datacenter(self) -> bool:
        """Designed or marketed for datacenters: the catalog's `market` column (a fact users may override)."""
        return self.market == "datacenter"

    def row(self) -> dict:
        return {"id": self.id, "vendor": self.vendor, "model": self.model, "market": self.market,
                "precision": self.precision, "dense_tops": float(self.dense_tops), "bit_length": self.bit_length,
                "tpp": float(self.tpp),
                "die_area_mm2": None if self.die_area_mm2 is None else float(self.die_area_mm2),
                "recorded_class": self.recorded_class, "sources": list(self.sources)}


def _num(s: str) -> Fraction | None:
    s = s.strip()
    return Fraction(Decimal(s)) if s and s.lower() not in ("n/a", "na") else None


@lru_cache(maxsize=1)
def load_catalog() -> dict[str, Chip]:
    chips: dict[str, Chip] = {}
    with open(HERE / "chips.csv", newline="") as f:
        for r in csv.DictReader(f):
            chips[r["id"]] = Chip(
                id=r["id"], vendor=r["vendor"], model=r["model"], form_factor=r["form_factor"],
                market=r["market"], precision=r["precision_for_tpp"],
                dense_tops=_num(r["dense_tops_at_that_precision"]) or Fraction(0),
                bit_length=int(r["bit_length"]), tpp=_num(r["tpp"]) or Fraction(0),
                die_area_mm2=_num(r["die_area_mm2"]), dies=r["dies"],
                recorded_class=r["classification_oct2023_rules"],
                sources=tuple(s.strip() for s in r["sources"].split("|") if s.strip()), notes=r["notes"],
                memory_bw_tbs=_num(r.get("memory_bw_tbs", "")))
    return chips


def get_chip(chip_id: str) -> Chip | None:
    return load_catalog().get(chip_id)
