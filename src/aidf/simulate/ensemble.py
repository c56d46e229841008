"""Scenario ensembles: many seeded demand books x scenarios, each a (book, scenario) replay task.

Tasks run on a local process pool, or on a Dask cluster when a scheduler address is given
(`dask.distributed`): every worker needs aidf installed at the same version. Each task makes its
book from the profile and seed (so nothing large travels), replays it under its scenario and
returns a small per-country summary; the results are reduced to medians and 5-95 % bands.
"""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path
from typing import Any

from aidf.simulate.scenario import Scenario

Task = tuple[dict[str, Any], int, int, Scenario]  # (profile, seed, lines, scenario)


def task(spec: Task) -> dict[str, Any]:
    """One (book, scenario) replay, reduced to authorized compute and allocation use per country."""
    from aidf.simulate import demand
    from aidf.simulate import summary as sm
    from aidf.simulate.compare import h100_tpp
    from aidf.simulate.run import replay

    profile, seed, lines, scenario = spec
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"demand-{seed}.parquet"
        demand.book(profile, seed, lines).write_parquet(path)
        run = replay(path, scenario)
    s = sm.scenario_summary(run, h100_tpp())
    authorized: dict[str, float] = {}
    for r in s["routes"]:
        if r["route"] not in ("under-review", "presumed-denied"):
            authorized[r["destination"]] = authorized.get(r["destination"], 0.0) + r["h100_equivalents"]
    exhausted = {a["country"]: a["exhausted_on"] for a in s["allocations"]}
    return {"scenario": scenario.name, "seed": seed, "authorized_h100": authorized, "exhausted_on": exhausted}


def _percentile(values: list[float], q: float) -> float:
    """Linear-interpolated percentile of a sorted copy (q in 0..1)."""
    v = sorted(values)
    if len(v) == 1:
        return v[0]
    pos = q * (len(v) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (pos - lo)


def reduce(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Median and 5-95 % band of authorized compute per scenario and country (a country absent from a
    draw counts as zero), and the share of draws in which its allocation ran out."""
    by: dict[tuple[str, str], list[float]] = {}
    seeds: dict[str, set[int]] = {}
    out_of: dict[tuple[str, str], int] = {}
    for r in results:
        seeds.setdefault(r["scenario"], set()).add(r["seed"])
        for c, v in r["authorized_h100"].items():
            by.setdefault((r["scenario"], c), []).append(v)
        for c, d in r["exhausted_on"].items():
            out_of[(r["scenario"], c)] = out_of.get((r["scenario"], c), 0) + (d is not None)
    bands = []
    for (scen, country), vals in sorted(by.items()):
        n = len(seeds[scen])
        vals = vals + [0.0] * (n - len(vals))
        bands.append({"scenario": scen, "country": country, "draws": n, "median": round(statistics.median(vals), 1),
                      "p05": round(_percentile(vals, 0.05), 1), "p95": round(_percentile(vals, 0.95), 1),
                      "allocation_exhausted_share": round(out_of.get((scen, country), 0) / n, 3)})
    return bands


def run(scenarios: list[Scenario], draws: int, demand: str | Path | None = None, lines: int = 0,
        scheduler: str | None = None, workers: int = 2, first_seed: int = 0) -> dict[str, Any]:
    """Every (seed, scenario) task, on Dask when `scheduler` is an address, else a local pool."""
    from aidf.simulate import demand as dem

    profile = dem.load(demand)
    specs: list[Task] = [(profile, seed, lines, s) for seed in range(first_seed, first_seed + draws) for s in scenarios]
    results = _on_dask(specs, scheduler) if scheduler else _local(specs, workers)
    return {"draws": draws, "scenarios": [s.describe() for s in scenarios],
            "demand": str(demand) if demand else "default profile", "bands": reduce(results)}


def _local(specs: list[Task], workers: int) -> list[dict[str, Any]]:
    if workers <= 1:
        return [task(s) for s in specs]
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn")) as pool:
        return list(pool.map(task, specs))


def _on_dask(specs: list[Task], scheduler: str | Any) -> list[dict[str, Any]]:
    """`scheduler`: an address (tcp://HOST:PORT) or an existing `distributed.Client`."""
    from distributed import Client

    client = scheduler if isinstance(scheduler, Client) else Client(scheduler)
    try:
        return client.gather(client.map(task, specs, pure=False))
    finally:
        if client is not scheduler:
            client.close()


def write_report(result: dict[str, Any], path: Path) -> None:
    """A self-contained HTML page of the ensemble's bands."""
    from html import escape

    from aidf.simulate import charts

    chart = charts.svg(charts.band_chart(result["bands"], f"Authorized compute over {result['draws']} demand draws "
                                                          "(median and 5-95 % band)"))
    rows = "".join(f"<tr><td>{escape(b['scenario'])}</td><td>{escape(b['country'])}</td><td>{b['median']:,.0f}</td>"
                   f"<td>{b['p05']:,.0f} – {b['p95']:,.0f}</td><td>{b['allocation_exhausted_share']:.0%}</td></tr>"
                   for b in result["bands"])
    path.write_text(f"<!doctype html><html lang='en'><meta charset='utf-8'><title>Ensemble</title>"
                    f"<body style='font-family:system-ui,sans-serif;max-width:1000px;margin:2rem auto'>"
                    f"<h1>Policy ensemble</h1><p>{result['draws']} seeded draws of {escape(result['demand'])}.</p>"
                    f"{chart}<table><tr><th>scenario</th><th>country</th><th>median (H100-eq)</th><th>5–95 %</th>"
                    f"<th>allocation ran out</th></tr>{rows}</table></body></html>")
