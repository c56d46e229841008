"""The API benchmark runs end to end and reports a rate (its value is not judged here)."""

from __future__ import annotations

import importlib.util
from pathlib import Path


def test_api_bench_quick_runs():
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "api_bench.py"
    spec = importlib.util.spec_from_file_location("api_bench", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    out = mod.run(quick=True, rounds=1, postgresql=False)
    assert out["api_decisions_per_s"] > 0 and out["loop_decisions_per_s"] > 0
    assert len(out["sqlite"]["mixed"]) == 1 and out["sqlite"]["bookings_per_s"] > 0
