"""Numbers behind the dashboard panels: tiers, Tier 2 allocations over time, busiest LPP consignees."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pycountry

from aidf.service.core import Service, h100_tpp

ALLOC = "part742/country_allocation"


def country_names() -> dict[str, str]:
    return {c.alpha_2: getattr(c, "common_name", c.name) for c in pycountry.countries} | {"XK": "Kosovo"}


def _params(on: dt.date):
    """The parameters in force on a date, resolved as decisions resolve them (default timeline)."""
    from aidf.rules.ruleset import resolve

    return resolve(None, on).ruleset.params(on)


def tier_function(on: dt.date):
    from aidf.rules.countries import Geography

    geo = Geography.of(_params(on))
    return geo.tier


def allocation_limit(on: dt.date) -> float:
    from aidf.rules.ruleset import get_ruleset

    p = _params(on)
    if not p.has(ALLOC, "tpp_per_country"):  # no allocation in force on the date: the framework's own
        p = get_ruleset("ai-diffusion-2025").params(on)
    return float(p.get(ALLOC, "tpp_per_country"))


def allocations(service: Service, on: dt.date) -> list[dict[str, Any]]:
    """One row per Tier 2 allocation account: used / reserved / left in TPP and H100-equivalents."""
    h100, names = h100_tpp(on), country_names()
    default_limit = allocation_limit(on)
    rows = []
    for a in service.accounts("country_allocation"):
        limit = a["limit_tpp"] or default_limit
        row = dict(a, name=names.get(a.get("country", ""), a.get("country")), limit_tpp=limit,
                   left_tpp=limit - a["used_tpp"])
        for k in ("posted_tpp", "reserved_tpp", "used_tpp", "left_tpp", "limit_tpp"):
            row[k.replace("_tpp", "_h100")] = row[k] / h100
        rows.append(row)
    rows.sort(key=lambda r: -r["used_tpp"])
    return rows


def series(service: Service, account_id: str) -> list[tuple[dt.date, float, float]]:
    """(date, used, posted) after each transfer on an account, dated by the shipment's date."""
    pending: dict[str, float] = {}
    used = posted = 0.0
    out: list[tuple[dt.date, float, float]] = []
    for t in service.history(account_id):
        day = _day(t)
        if t["kind"] == "pending":
            pending[t["id"]] = t["tpp"]
            used += t["tpp"]
        elif t["kind"] == "post":
            orig = pending.pop(t.get("pending_id") or "", t["tpp"])
            posted += t["tpp"]
            used -= orig - t["tpp"]
        elif t["kind"] in ("void", "expire"):
            used -= pending.pop(t.get("pending_id") or "", t["tpp"])
        elif t["kind"] == "direct":
            used += t["tpp"]
            posted += t["tpp"]
        if out and out[-1][0] > day:
            day = out[-1][0]
        out.append((day, used, posted))
    return out


def _day(t: dict[str, Any]) -> dt.date:
    for v in (t.get("as_of"), (t.get("at") or "")[:10]):
        try:
            return dt.date.fromisoformat(v)
        except (TypeError, ValueError):
            continue
    return dt.date.today()


def lpp_years(service: Service) -> list[int]:
    return sorted({a["year"] for a in service.accounts("lpp_annual") if a.get("year")}, reverse=True)


def lpp_top(service: Service, year: int, n: int = 10) -> list[dict[str, Any]]:
    rows = [a for a in service.accounts("lpp_annual") if a.get("year") == year]
    rows.sort(key=lambda r: -r["used_tpp"])
    return rows[:n]
