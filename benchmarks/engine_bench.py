"""Engine throughput (issues 10 and 11): `decide_many` of N generated transactions on the memory ledger,
against the same transactions decided one at a time without booking (the engine alone), in the same run,
and the single-decision p50 (benchmarks.cases.SINGLE_CASES); with `--baseline REV`, all again from git
revision REV (benchmarks/baseline.py), on the same transactions.

    python -m benchmarks.engine_bench [--n 100000] [--baseline REV] [--json FILE]

Each measurement runs in its own process (a fresh interpreter, warmed on 200 decisions), one after the
other. Rates are given by wall time and by the process's CPU time: on a shared machine the CPU time
is the steadier of the two. The engine-alone loop decides parsed transactions (validation excluded),
decide_many starts from the request dictionaries (validation, hashing, preflight and booking included).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.cases import generated_transactions

REPO = Path(__file__).resolve().parents[1]
SINGLE_N = 20_000  # single decisions timed for the p50 (benchmarks.cases.SINGLE_CASES, as `python -m benchmarks`)

WORKER = """
import json, sys, time
from aidf.engine import decide, decide_many
from aidf.ledger.memory import MemoryLedger
from aidf.model import Transaction
txs = json.load(open(sys.argv[1]))
alone_n = min(len(txs), int(sys.argv[2]))
parsed = [Transaction.model_validate(t) for t in txs[:alone_n]]
for t in parsed[:200]:
    decide(t)
w, c = time.perf_counter(), time.process_time()
for t in parsed:
    decide(t)
alone = (time.perf_counter() - w, time.process_time() - c)
w, c = time.perf_counter(), time.process_time()
decisions = decide_many(txs, ledger=MemoryLedger())
many = (time.perf_counter() - w, time.process_time() - c)
outcomes = {}
for d in decisions:
    outcomes[d.outcome.value] = outcomes.get(d.outcome.value, 0) + 1
print(json.dumps({"alone_n": alone_n, "alone_wall_s": alone[0], "alone_cpu_s": alone[1],
                  "many_n": len(txs), "many_wall_s": many[0], "many_cpu_s": many[1], "outcomes": outcomes}))
"""


def measure(python: str, env: dict[str, str], path: str, alone_n: int) -> dict:
    r = subprocess.run([python, "-c", WORKER, path, str(alone_n)], capture_output=True, text=True, env=env,
                       cwd=tempfile.gettempdir())
    if r.returncode != 0:
        raise RuntimeError(f"engine worker failed: {r.stderr[-2000:]}")
    m = json.loads(r.stdout.strip().splitlines()[-1])
    out = {"outcomes": m["outcomes"]}
    for clock in ("wall", "cpu"):
        alone = m["alone_n"] / m[f"alone_{clock}_s"]
        many = m["many_n"] / m[f"many_{clock}_s"]
        out |= {f"engine_alone_tx_per_s_{clock}": round(alone, 1), f"decide_many_tx_per_s_{clock}": round(many, 1),
                f"engine_alone_us_{clock}": round(1e6 / alone, 1), f"decide_many_us_{clock}": round(1e6 / many, 1),
                f"decide_many_vs_alone_{clock}": round(alone / many, 2)}
    return out


def run(n: int, baseline: str | None = None, alone_n: int = 10_000) -> dict:
    from benchmarks.baseline import Checkout, _env, single_p50

    res: dict = {"n": n, "alone_n": min(n, alone_n), "load_before": os.getloadavg()}
    with tempfile.TemporaryDirectory(prefix="aidf-engine-bench-") as tmp:
        path = os.path.join(tmp, "txs.json")
        Path(path).write_text(json.dumps(generated_transactions(n)))
        res["tree"] = measure(sys.executable, _env(REPO), path, alone_n)
        res["tree"]["single_p50_us"] = single_p50(sys.executable, REPO, SINGLE_N)
        if baseline:
            with Checkout(baseline) as base:
                res["baseline_rev"], res["baseline_commit"] = baseline, base.commit
                res["baseline"] = measure(base.python, _env(base.tree), path, alone_n)
                res["baseline"]["single_p50_us"] = single_p50(base.python, base.tree, SINGLE_N)
            res["single_p50_ratio"] = round(res["tree"]["single_p50_us"] / res["baseline"]["single_p50_us"], 2)
            res["same_outcomes"] = res["tree"]["outcomes"] == res["baseline"]["outcomes"]
            for clock in ("wall", "cpu"):
                for k in ("engine_alone_tx_per_s", "decide_many_tx_per_s"):
                    res[f"{k}_{clock}_speedup"] = round(res["tree"][f"{k}_{clock}"] / res["baseline"][f"{k}_{clock}"], 2)
    res["load_after"] = os.getloadavg()
    return res


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.engine_bench")
    ap.add_argument("--n", type=int, default=100_000, help="transactions for decide_many (default 100,000)")
    ap.add_argument("--alone", type=int, default=10_000, help="transactions for the engine-alone loop")
    ap.add_argument("--baseline", metavar="REV", help="also measure git revision REV on the same transactions")
    ap.add_argument("--json", type=Path, help="write the results as JSON")
    args = ap.parse_args(argv)
    t = time.perf_counter()
    res = run(args.n, args.baseline, args.alone)
    res["total_seconds"] = round(time.perf_counter() - t, 1)
    text = json.dumps(res, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text)
    return res


if __name__ == "__main__":
    main()
