"""`aidf --help` start-up time, against baselines measured in the same run: the bare interpreter and
the interpreter importing Typer (which every command needs). Target: help in at most 0.3 s."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path


def _seconds(cmd: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True, timeout=60)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def run(quick: bool) -> dict:
    runs = 5 if quick else 15
    exe = Path(sys.executable).parent / "aidf"
    aidf = [str(exe)] if exe.exists() else [sys.executable, "-c", "from aidf.cli import main; main()"]
    python = _seconds([sys.executable, "-c", "pass"], runs)
    typer = _seconds([sys.executable, "-c", "import typer"], runs)
    help_s = _seconds([*aidf, "--help"], runs)
    return {"cli_help_s": round(help_s, 3), "cli_python_s": round(python, 3), "cli_typer_import_s": round(typer, 3),
            "cli_help_vs_typer_ratio": round(help_s / typer, 2) if typer else None}


if __name__ == "__main__":
    print(run("--quick" in sys.argv))
