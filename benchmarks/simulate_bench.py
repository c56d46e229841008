"""`python -m benchmarks.simulate_bench [--lines N] [--json FILE]`: policy simulation against its baseline.

Measures, in one run on one generated book:
- baseline: four single replays of the book (`aidf replay`'s core, one after another);
- `aidf compare` of the same book under four scenarios (three rule sets and one reform), in one process;
- the same four scenarios as ensemble tasks on a local pool of two processes.
Ratios (scenario run / baseline) are what compare across machines.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

REFORM = {"name": "lpp-doubled", "rules": "as-written", "overrides": {"part740/lpp": {"annual_tpp_cap": 53800000}}}
RULES = ["as-written", "as-enforced", "pre-diffusion-2024"]


def _scenarios():
    from aidf.simulate import scenario

    return [*(scenario.from_rules(r) for r in RULES), scenario.parse(REFORM)]


def _pooled(book: Path, scenarios) -> float:
    """The four scenarios as tasks on two local processes (the ensemble path, given a real book)."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    from aidf.simulate.run import replay

    t0 = time.perf_counter()
    with ProcessPoolExecutor(max_workers=2, mp_context=mp.get_context("spawn")) as pool:
        list(pool.map(replay, [book] * len(scenarios), scenarios))
    return time.perf_counter() - t0


def measure(lines: int) -> dict:
    from aidf.replay.generate import write
    from aidf.replay.run import run
    from aidf.simulate.compare import compare

    with tempfile.TemporaryDirectory() as tmp:
        book = Path(tmp) / "book.parquet"
        write(lines, str(book), seed=11)
        t0 = time.perf_counter()
        for r in RULES + [RULES[0]]:
            run(book, None, rules=r)
        single4 = time.perf_counter() - t0
        t0 = time.perf_counter()
        c = compare(book, _scenarios())
        four = time.perf_counter() - t0
        pooled = _pooled(book, _scenarios())
    return {"lines": lines, "baseline_4_single_replays_s": round(single4, 2), "compare_4_scenarios_s": round(four, 2),
            "compare_ratio": round(four / single4, 3), "pool_2_processes_s": round(pooled, 2),
            "pool_ratio": round(pooled / single4, 3), "changed_orders": c.summary["changed_orders"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--json", type=Path)
    a = ap.parse_args()
    out = measure(a.lines)
    print(json.dumps(out, indent=2))
    if a.json:
        a.json.write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
