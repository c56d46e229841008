"""What a simulation reports: totals, compute by route per country and quarter, allocations, changes.

Everything here is counted from the replay's answers; no rule is decided again.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from aidf import people
from aidf.cite import EMBARGOES, END_USE_744_23, LICENSE_REQUIREMENTS, NAC_ACA, REVIEW_POLICY, joined
from aidf.simulate.run import ScenarioRun

# Route of a line's compute, for people studying the policy: the authorization it went under, or the
# licence outlook ("license-approval" = a licence expected under a presumption of approval).
ROUTES = ["NLR", "AIA", "LPP", "UVEU", "NVEU", "ACM", "NAC/ACA", "license-approval", "under-review", "presumed-denied"]
ROUTE_WORDS = {"NLR": "No license required", "NAC/ACA": f"NAC/ACA, {NAC_ACA}",
               **{a: people.authorization(a) for a in ("AIA", "LPP", "UVEU", "NVEU", "ACM")},
               "license-approval": "License, presumption of approval", "under-review": "Under review or case by case",
               "presumed-denied": "Presumed denied"}
# The provisions behind an answer no authorization gave: no requirement, or the review policy.
NO_REQUIREMENT = joined(LICENSE_REQUIREMENTS.at("(a)(6)(iii)"), END_USE_744_23.at("(a)(3)"))
REVIEW = joined(REVIEW_POLICY, END_USE_744_23.at("(d)"))
DENIED = ("presumption_of_denial", "denial")



def route_expr() -> pl.Expr:
    c = pl.col
    return (pl.when(c("outcome") == "NLR").then(pl.lit("NLR"))
            .when(c("authorization").is_in(["NAC", "ACA"])).then(pl.lit("NAC/ACA"))
            .when(c("authorization").is_not_null()).then(c("authorization"))
            .when((c("outcome") == "LICENSE_REQUIRED") & (c("review_policy") == "presumption_of_approval"))
            .then(pl.lit("license-approval"))
            .when((c("outcome") == "LICENSE_REQUIRED") & c("review_policy").is_in(list(DENIED)))
            .then(pl.lit("presumed-denied"))
            .otherwise(pl.lit("under-review")))


def with_routes(lines: pl.DataFrame, h100_tpp: float) -> pl.DataFrame:
    c = pl.col
    return lines.with_columns(
        route_expr().alias("route"),
        (c("date").dt.year().cast(pl.String) + pl.lit("Q") + c("date").dt.quarter().cast(pl.String)).alias("quarter"),
        c("tpp_total").fill_null(0.0).alias("tpp"),
        (c("tpp_total").fill_null(0.0) / h100_tpp).alias("h100_equivalents"))


def _sums(df: pl.DataFrame, keys: list[str]) -> list[dict[str, Any]]:
    out = (df.group_by(keys).agg(pl.len().alias("lines"), pl.col("quantity").fill_null(0).sum().alias("units"),
                                 pl.col("tpp").sum(), pl.col("h100_equivalents").sum())
           .sort(keys, nulls_last=True))
    return [{**r, "tpp": round(r["tpp"], 1), "h100_equivalents": round(r["h100_equivalents"], 1)}
            for r in out.iter_rows(named=True)]


def allocations(run: ScenarioRun, lines: pl.DataFrame) -> list[dict[str, Any]]:
    """Per Tier 2 country: allocation, used, left, and the first date a licensed line found it short."""
    drawn = dict(lines.filter(pl.col("effect_kind") == "country_allocation")
                 .group_by("destination").agg(pl.col("effect_tpp").sum()).iter_rows())
    short = dict(lines.filter(pl.col("past_allocation")).group_by("destination").agg(pl.col("date").min()).iter_rows())
    out = []
    for country, lim in sorted(run.allocation_limits.items()):
        used = run.start_used.get(country, 0.0) + drawn.get(country, 0.0)
        out.append({"country": country, "limit_tpp": lim["limit_tpp"], "used_tpp": round(used, 1),
                    "left_tpp": round(lim["limit_tpp"] - used, 1), "arrangement": lim["arrangement"],
                    "exhausted_on": short[country].isoformat() if country in short else None})
    return out


def burn(lines: pl.DataFrame) -> pl.DataFrame:
    """Cumulative allocation drawn per Tier 2 country by date (for the burn-down chart)."""
    return (lines.filter(pl.col("effect_kind") == "country_allocation")
            .group_by("destination", "date").agg(pl.col("effect_tpp").sum()).sort("destination", "date")
            .with_columns(pl.col("effect_tpp").cum_sum().over("destination").alias("drawn_tpp")))


def scenario_summary(run: ScenarioRun, h100_tpp: float) -> dict[str, Any]:
    lines = with_routes(run.lines, h100_tpp)
    return {**run.scenario.describe(), "seconds": round(run.seconds, 3),
            "totals": {"by_outcome": _sums(lines, ["outcome"]), "by_authorization": _sums(lines, ["authorization"]),
                       "by_route": _sums(lines, ["route"])},
            "routes": _sums(lines, ["destination", "quarter", "route"]),
            "allocations": allocations(run, lines)}


def orders(run: ScenarioRun) -> pl.DataFrame:
    """One row per order: its whole-transaction answer and the provision that gave it."""
    return (run.lines.group_by("transaction_id", maintain_order=True)
            .agg(pl.col("date").first(), pl.col("destination").first(), pl.col("tx_outcome").first().alias("outcome"),
                 pl.col("tx_authorization").first().alias("authorization"),
                 pl.col("tx_review_policy").first().alias("review_policy"),
                 pl.col("tpp_total").fill_null(0.0).sum().alias("tpp")))


def provision(outcome: str | None, authorization: str | None, policy: str | None) -> str:
    """The provision behind an order's answer, as a citation for the changed-orders table."""
    if authorization in people.AUTHORIZATIONS:
        return str(people.AUTHORIZATIONS[authorization][1])
    if outcome in ("LICENSE_EXCEPTION", "VEU"):
        return "several authorizations (one per line)"
    if outcome == "NLR":
        return f"no license requirement applies ({NO_REQUIREMENT})"
    if outcome == "NEEDS_REVIEW":
        return "facts not settled: needs review"
    if policy == "denial":
        return f"{EMBARGOES} (embargo or sanctions)"
    return f"license review policy ({REVIEW})"


def changes(base: ScenarioRun, other: ScenarioRun) -> pl.DataFrame:
    """Orders whose answer differs between two scenarios, with both answers and deciding provisions."""
    keys = ["outcome", "authorization", "review_policy"]
    a, b = orders(base), orders(other)
    j = a.join(b.select("transaction_id", *keys), on="transaction_id", suffix="_b")
    differs = pl.any_horizontal([~pl.col(k).eq_missing(pl.col(f"{k}_b")) for k in keys])
    j = j.filter(differs)
    prov = [provision(*r) for r in j.select(keys).iter_rows()]
    prov_b = [provision(*r) for r in j.select([f"{k}_b" for k in keys]).iter_rows()]
    return j.with_columns(pl.Series("provision", prov, pl.String), pl.Series("provision_b", prov_b, pl.String))


def change_records(df: pl.DataFrame, base: str, other: str, cap: int) -> list[dict[str, Any]]:
    out = []
    for r in df.head(cap).iter_rows(named=True):
        out.append({"transaction_id": r["transaction_id"], "date": r["date"].isoformat(), "destination": r["destination"],
                    "tpp": round(r["tpp"], 1),
                    base: {"outcome": r["outcome"], "authorization": r["authorization"],
                           "review_policy": r["review_policy"], "provision": r["provision"]},
                    other: {"outcome": r["outcome_b"], "authorization": r["authorization_b"],
                            "review_policy": r["review_policy_b"], "provision": r["provision_b"]}})
    return out
