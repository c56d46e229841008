"""Order books made from a demand profile, for simulations when no real book exists.

A profile (YAML; `data/default_demand.yaml` is the documented default) gives, per destination,
the H100-equivalent demand per quarter, the share bought by validated end users and the shares
of consignee headquarters (local, US, China), with a lognormal order size. Orders are drawn until
each country's quarter is met. The same profile and seed always give the same book.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from aidf.errors import InputError

DEFAULT = Path(__file__).resolve().parent / "data" / "default_demand.yaml"
HQ_KINDS = ("local", "us", "cn")


def load(path: str | Path | None = None) -> dict[str, Any]:
    """Read and check a profile; a missing or malformed field is refused, named."""
    p = Path(path) if path is not None else DEFAULT
    try:
        doc = yaml.safe_load(p.read_text())
    except FileNotFoundError:
        raise InputError("demand", f"no file {str(path)!r}") from None
    except yaml.YAMLError as e:
        raise InputError("demand", f"not valid YAML ({str(e).splitlines()[0]})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("countries"), dict):
        raise InputError("demand.countries", "a profile maps countries to their demand")
    _quarters(doc)
    for code, spec in doc["countries"].items():
        _country(doc, str(code))
        if not isinstance(spec, dict):
            raise InputError(f"demand.countries.{code}", "must be a mapping (per_quarter, veu_share, hq)")
    return doc


def _quarters(doc: dict[str, Any]) -> list[tuple[int, int]]:
    q = doc.get("quarters") or {}
    try:
        (y0, q0), (y1, q1) = ((int(s[:4]), int(s[-1])) for s in (str(q["first"]), str(q["last"])))
    except (KeyError, ValueError, TypeError):
        raise InputError("demand.quarters", "needs first and last as YYYYQn, e.g. 2025Q2") from None
    out = []
    y, n = y0, q0
    while (y, n) <= (y1, q1):
        out.append((y, n))
        y, n = (y + 1, 1) if n == 4 else (y, n + 1)
    return out


def _country(doc: dict[str, Any], code: str) -> dict[str, Any]:
    from aidf.model import ISO2

    if code not in ISO2:
        raise InputError(f"demand.countries.{code}", "not an ISO 3166-1 alpha-2 code")
    spec = {**doc.get("default", {}), **(doc["countries"][code] or {})}
    hq = {**{"local": 1.0, "us": 0.0, "cn": 0.0}, **(spec.get("hq") or {})}
    if set(hq) - set(HQ_KINDS) or any(not isinstance(v, (int, float)) or v < 0 for v in hq.values()) or not sum(hq.values()):
        raise InputError(f"demand.countries.{code}.hq", "shares of local, us and cn, each >= 0")
    share = spec.get("veu_share", 0.0)
    if not isinstance(share, (int, float)) or not 0 <= share <= 1:
        raise InputError(f"demand.countries.{code}.veu_share", "a share from 0 to 1")
    if not isinstance(spec.get("per_quarter"), (int, float)) or spec["per_quarter"] < 0:
        raise InputError(f"demand.countries.{code}.per_quarter", "H100-equivalents per quarter, >= 0")
    return {**spec, "hq": hq, "consignees": int(spec.get("consignees", 12))}


def orders(doc: dict[str, Any], seed: int = 0, scale: float = 1.0) -> list[dict[str, Any]]:
    """One line per order (H100 units), in the replay layout's columns."""
    rnd = random.Random(seed)
    size = doc.get("order_size") or {}
    median, sigma, top = float(size.get("median_h100", 256)), float(size.get("sigma", 1.1)), int(size.get("max_h100", 20000))
    chip = doc.get("chip", "nvidia-h100-sxm5")
    out: list[dict[str, Any]] = []
    for code in sorted(doc["countries"]):
        spec = _country(doc, code)
        pool = [_consignee(code, spec, j, rnd) for j in range(max(1, spec["consignees"]))]
        for y, q in _quarters(doc):
            need = spec["per_quarter"] * scale
            while need >= 1:
                units = min(top, max(1, round(rnd.lognormvariate(math.log(median), sigma))), math.ceil(need))
                need -= units
                day = dt.date(y, 3 * q - 2, 1) + dt.timedelta(days=rnd.randrange(90))
                party = pool[min(len(pool) - 1, int(len(pool) * rnd.random() ** 1.5))]
                out.append({**party, "order_id": f"D{seed}-{len(out):07d}", "date": day, "action": "export",
                            "destination": code, "catalog": chip, "quantity": units, "end_use": "data_center"})
    return out


def _consignee(code: str, spec: dict[str, Any], j: int, rnd: random.Random) -> dict[str, Any]:
    kinds, weights = zip(*spec["hq"].items(), strict=True)
    kind = rnd.choices(kinds, weights)[0]
    hq = {"local": code, "us": "US", "cn": "CN"}[kind]
    party: dict[str, Any] = {"consignee_id": f"{code}-{j:03d}", "consignee_name": f"{code} Demand {j}",
                             "consignee_country": code, "consignee_headquarters": hq, "consignee_private_sector": True}
    if kind != "cn" and rnd.random() < spec["veu_share"]:
        party["veu_type"] = "UVEU" if kind == "us" else "NVEU"
        party["veu_id"] = f"{party['veu_type'][:2]}-{code}-{j:03d}"
    return party


def book(doc: dict[str, Any], seed: int = 0, lines: int = 0) -> pl.DataFrame:
    """The order book of a profile; with `lines` > 0, every demand is scaled so the book has about that many."""
    scale = 1.0
    if lines > 0:
        base = len(orders(doc, seed))
        scale = lines / base if base else 1.0
    from aidf.replay.book import DTYPES
    from aidf.replay.layout import BY_NAME, NAMES

    df = pl.DataFrame(orders(doc, seed, scale), infer_schema_length=None)
    return df.select([(pl.col(c) if c in df.columns else pl.lit(None)).cast(DTYPES[BY_NAME[c].kind]).alias(c)
                      for c in NAMES]).sort("date", "order_id")


def write(path: str | Path, demand: str | Path | None = None, seed: int = 0, lines: int = 0) -> pl.DataFrame:
    from aidf.replay.io import file_format, write_table

    df = book(load(demand), seed, lines)
    if file_format(str(path), "out") in ("csv", "xlsx"):
        df = df.with_columns(pl.col("date").cast(pl.String))
    write_table(df, str(path), sheet="orders")
    return df
