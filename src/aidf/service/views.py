"""Numbers behind the dashboard panels: tiers, Tier 2 allocations over time, busiest LPP consignees."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pycountry

from aidf.cite import AIA, NAC_ACA, REVIEW_POLICY, TIER_1
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
    return service.account_years("lpp_annual")


def lpp_top(service: Service, year: int, n: int = 10) -> list[dict[str, Any]]:
    """The busiest LPP consignees of a year, from the balances the ledger keeps (the top n only)."""
    return service.top_accounts("lpp_annual", year, n)


# ---- what happened: counts, holds queue, latest bookings (words for people) -------------------------

HOLDS_PER_PAGE = 25
SUMMARY_CAP = 5000  # bookings read for the counts; the page says when the period holds more


def _booked(service: Service, transaction_id: str) -> dict[str, Any]:
    """The booked decision (with the request the engine kept beside it), or {}."""
    b = service.ledger.find(transaction_id)
    return dict(b.decision) if b is not None else {}


def counts(service: Service, start: dt.date | None, end: dt.date | None) -> dict[str, Any]:
    """Booked decisions dated within [start, end], counted by outcome and by authorization, in words."""
    from collections import Counter

    from aidf import people

    by_outcome: Counter[str] = Counter()
    by_auth: Counter[str] = Counter()
    # Counted by the database over the bookings of the period, never by reading the audit log.
    for outcome, policy, auth, n in service.outcome_counts(start, end):
        by_outcome[people.outcome(outcome, None, policy)] += n
        if auth:
            by_auth[people.authorization_long(auth)] += n
    return {"by_outcome": by_outcome.most_common(), "by_authorization": by_auth.most_common(),
            "total": sum(by_outcome.values()), "capped": False}


def _date(v: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(v)) if v else None
    except ValueError:
        return None


def _shipment(d: dict[str, Any]) -> dict[str, Any]:
    """Destination, consignee, chips and quantity of a booked decision, from the request kept with it."""
    from aidf import people

    req = d.get("request") or {}
    uc = (req.get("parties") or {}).get("ultimate_consignee") or {}
    qty = sum(int(i.get("quantity") or 1) for i in req.get("items") or [])
    chips = ", ".join(people.text(i.get("description", "")) for i in d.get("items") or [])
    dest = req.get("destination")
    return {"destination": people.country(dest) if dest else "—", "consignee": uc.get("name") or "—",
            "chips": chips or "—", "quantity": qty or None}


def hold_rows(service: Service, status: str, page: int = 1, per_page: int = HOLDS_PER_PAGE) -> dict[str, Any]:
    """One page of the holds queue, each with destination, consignee, chips, quantity and reason in words."""
    from aidf import people

    total = service.count_holds(status)  # one page read, never the whole queue
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    rows = []
    for h in service.holds_at(status, (page - 1) * per_page, per_page):
        d = _booked(service, h["transaction_id"])
        rows.append(h | _shipment(d) | {"reason_words": people.hold_reason(h["reason"]),
                                        "outcome_words": people.outcome(h.get("outcome"), None, h.get("review_policy"))})
    return {"rows": rows, "total": total, "page": page, "pages": pages, "per_page": per_page,
            "first": (page - 1) * per_page + 1 if rows else 0, "last": (page - 1) * per_page + len(rows)}


def reservation_rows(service: Service, page: int = 1, per_page: int = HOLDS_PER_PAGE) -> dict[str, Any]:
    """One page of open reservations: each booked transaction with what it reserves, where and for whom."""
    from aidf import people

    total = service.count_reservations()
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    rows = []
    for r in service.reservations_at((page - 1) * per_page, per_page):
        d = _booked(service, r["transaction_id"])
        rows.append(r | _shipment(d) | {"outcome_words": people.decision_outcome(d) if d else "—"})
    return {"rows": rows, "total": total, "page": page, "pages": pages, "per_page": per_page,
            "first": (page - 1) * per_page + 1 if rows else 0, "last": (page - 1) * per_page + len(rows)}


def latest(service: Service, n: int = 15) -> list[dict[str, Any]]:
    """The latest bookings with their outcome in words and what was shipped where."""
    from aidf import people

    out = []
    for b in service.bookings(n):
        d = _booked(service, b["transaction_id"])
        out.append(b | _shipment(d) | {"outcome_words": people.decision_outcome(d) if d else "—",
                                       "outcome": d.get("outcome"), "date": d.get("date")})
    return out


def tier_says(code: str, on: dt.date) -> tuple[int, str]:
    """What applies to a destination of each tier, for its allocation page."""
    tier = tier_function(on)(code)
    if tier == 1:
        return 1, (f"Tier 1 ({TIER_1}, para (a)): no country allocation applies. Advanced chips go "
                   f"without a license, or under License Exception AIA ({AIA}) where a license "
                   "requirement applies.")
    if tier == 3:
        return 3, ("Tier 3 (Macau and Country Group D:5): no country allocation applies. A license is reviewed "
                   "under a presumption of denial; License Exceptions AIA, ACM and LPP are not available there, "
                   f"and NAC ({NAC_ACA}) needs prior notice.")
    return 2, ("Tier 2: licensed .a-level TPP is counted against the country allocation for the window "
               f"({REVIEW_POLICY}); within it, review under a presumption of approval.")
