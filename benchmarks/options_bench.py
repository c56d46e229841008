"""Options latency: all the options of a typical transaction, in-process (target <= 50 ms), with a
baseline taken in the same run: one decision of the same transaction. Times are CPU time of the
measuring thread (the machine is shared), medians; `decisions` counts the engine calls of one study. The ratio is how many
decisions' worth of work the options take (each option is the engine deciding a changed transaction).

Run standalone: python -m benchmarks.options_bench [--quick]. Measured over an empty ledger and a
SQLite ledger (reads are cached once per study, so the store is read once per account).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time

CASES = {
    "lpp_india_2000_h100": {"id": "B1", "date": "2025-06-16", "action": "export", "destination": "IN",
                            "items": [{"catalog": "nvidia-h100-sxm5", "quantity": 2000}],
                            "parties": {"ultimate_consignee": {"name": "Pune Compute", "country": "IN"}}},
    "nveu_at_cap": {"id": "B2", "date": "2026-05-11", "action": "export", "destination": "IN",
                    "items": [{"catalog": "nvidia-h100-sxm5", "quantity": 2000}],
                    "parties": {"ultimate_consignee": {"name": "Bharat Cloud", "country": "IN", "veu": {
                        "type": "NVEU", "id": "N7", "installed_base_tpp": {"IN": 2690250000}}}}},
    "die_area_unknown_cn": {"id": "B3", "date": "2025-07-01", "action": "export", "destination": "CN",
                            "items": [{"tpp": 3000, "datacenter": True, "quantity": 10}],
                            "parties": {"ultimate_consignee": {"name": "Shenzhen Suanli", "country": "CN"}}},
    "tier3_license_only": {"id": "B4", "date": "2025-07-01", "action": "export", "destination": "CN",
                           "items": [{"catalog": "nvidia-h100-sxm5", "quantity": 100}],
                           "parties": {"ultimate_consignee": {"name": "Beijing Suanli", "country": "CN"}}},
}


def _interleaved_ms(options, decide, n: int) -> tuple[float, float]:
    """Medians (ms of this thread's CPU time, which other processes on a shared machine do not inflate)
    of the options and of one decision, timed alternately so both see the same cache and load."""
    options(), decide()
    opt, one = [], []
    for _ in range(n):
        a = time.thread_time_ns()
        options()
        b = time.thread_time_ns()
        decide()
        c = time.thread_time_ns()
        opt.append(b - a)
        one.append(c - b)
    opt.sort()
    one.sort()
    return opt[n // 2] / 1e6, one[n // 2] / 1e6


def _decisions_per_study(options_for, tx) -> int:
    """How many engine decisions one study makes (the work, independent of the machine)."""
    from aidf.options import probe

    real, count = probe.decide, [0]

    def counting(*a, **k):
        count[0] += 1
        return real(*a, **k)

    probe.decide = counting
    try:
        options_for(tx)
    finally:
        probe.decide = real
    return count[0]


def run(quick: bool = False) -> dict:
    from aidf.engine import decide, parse_transaction
    from aidf.ledger import open_ledger
    from aidf.options import options_for

    n = 30 if quick else 200
    out: dict = {"options_cases": {}}
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = open_ledger(f"{tmp}/ledger.sqlite")
        try:
            for name, body in CASES.items():
                tx = parse_transaction(body)
                row = {"options": len(options_for(tx)), "decisions": _decisions_per_study(options_for, tx)}
                for label, ledger in (("empty", None), ("sqlite", sqlite)):
                    opt, one = _interleaved_ms(lambda t=tx, led=ledger: options_for(t, led),
                                               lambda t=tx, led=ledger: decide(t, ledger=led), n)
                    row |= {f"{label}_options_ms": round(opt, 2), f"{label}_decide_ms": round(one, 3),
                            f"{label}_ratio": round(opt / one, 1)}
                out["options_cases"][name] = row
        finally:
            sqlite.close()
    typical = out["options_cases"]["lpp_india_2000_h100"]
    out["options_ms_typical"] = typical["sqlite_options_ms"]
    out["options_ms_worst"] = max(max(r["empty_options_ms"], r["sqlite_options_ms"]) for r in out["options_cases"].values())
    return out


if __name__ == "__main__":
    print(json.dumps(run("--quick" in sys.argv), indent=2))
