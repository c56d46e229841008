"""A git revision as the baseline, measured in the same run on the same books.

`python -m benchmarks --baseline REV` checks REV out with `git worktree add` into a temporary
directory outside the repository and gives it its own virtual environment, whose `aidf` is REV's
source tree (third-party packages are shared with this environment, so both run the same pinned
libraries; a difference in the pins is reported). Each measurement runs as a whole process, the way
a user runs it: `aidf replay BOOK.csv --out OUT.parquet`, from CSV in to Parquet out, with its wall
time and its own peak RSS (a fresh wrapper process waits for it and reads the child's peak).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path
from statistics import median

from benchmarks.cases import SINGLE_CASES
from benchmarks.floor import headroom, io_alone, least

REPO = Path(__file__).resolve().parents[1]

# Waits for the command and prints its peak RSS (KB) and CPU time (user + system, its children's included):
# the wrapper's only child is the command.
PEAK = ("import resource, subprocess, sys, json\n"
        "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)\n"
        "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "print(json.dumps({'rc': r.returncode, 'err': r.stderr.decode()[-2000:],"
        " 'kb': u.ru_maxrss, 'cpu': u.ru_utime + u.ru_stime}))\n")
ALLOCATOR_ENV = os.environ.get("AIDF_BENCH_ALLOCATOR", "")  # e.g. "dirty_decay_ms:0,muzzy_decay_ms:0"
CLI = "import sys; from aidf.cli import main; sys.argv[0] = 'aidf'; main()"
SINGLE = """
import json, time
from aidf.engine import decide
from aidf.model import Transaction
cases = json.loads(CASES)
txs = [Transaction.model_validate(c) for c in cases]
for _ in range(300):
    for t in txs:
        decide(t)
s = []
for i in range(N):
    a = time.perf_counter_ns()
    decide(txs[i % 2])
    s.append(time.perf_counter_ns() - a)
s.sort()
print(json.dumps({"p50_us": s[len(s) // 2] / 1000}))
"""


class Checkout:
    """REV in a temporary git worktree with its own environment; removed on exit."""

    def __init__(self, rev: str):
        self.rev = rev
        self.tmp = Path(tempfile.mkdtemp(prefix="aidf-baseline-"))
        self.tree = self.tmp / "tree"
        self.python = ""

    def __enter__(self) -> Checkout:
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", "--quiet", str(self.tree), self.rev],
                       check=True)
        self.commit = subprocess.run(["git", "-C", str(self.tree), "rev-parse", "--short", "HEAD"],
                                     capture_output=True, text=True, check=True).stdout.strip()
        venv = self.tmp / "venv"
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
        site = subprocess.run([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                              capture_output=True, text=True, check=True).stdout.strip()
        # REV's source first, then this environment's third-party packages (not this tree's aidf).
        shared = sysconfig.get_paths()["purelib"]
        Path(site, "aidf_baseline.pth").write_text(f"{self.tree / 'src'}\n{shared}\n")
        self.python = str(venv / "bin" / "python")
        self.pins_differ = _pins(REPO / "pyproject.toml") != _pins(self.tree / "pyproject.toml")
        return self

    def __exit__(self, *exc) -> None:
        subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(self.tree)], check=False)
        shutil.rmtree(self.tmp, ignore_errors=True)


def _pins(pyproject: Path) -> list[str]:
    text = pyproject.read_text()
    return sorted(line.strip() for line in text.splitlines() if "==" in line)


def _env(tree: Path | None) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    # Each tree runs with the allocator settings it chooses itself, as a user runs it. With
    # AIDF_BENCH_ALLOCATOR set (before this stop: dirty_decay_ms:0,muzzy_decay_ms:0), both trees get
    # that setting instead: the lowest peaks, more time.
    if ALLOCATOR_ENV:
        env["_RJEM_MALLOC_CONF"] = ALLOCATOR_ENV
    else:
        env.pop("_RJEM_MALLOC_CONF", None)
    # Each tree's own source, ahead of any editable install (which may be another checkout's).
    env["PYTHONPATH"] = str((REPO if tree is None else tree) / "src")
    return env


def whole_process(python: str, tree: Path | None, book: str, out: str) -> dict:
    """`aidf replay BOOK --out OUT` as a process: seconds and peak RSS."""
    t = time.perf_counter()
    r = subprocess.run([sys.executable, "-c", PEAK, python, "-c", CLI, "replay", book, "--out", out, "--quiet"],
                       capture_output=True, text=True, env=_env(tree), cwd=tempfile.gettempdir())
    seconds = time.perf_counter() - t
    res = json.loads(r.stdout.strip().splitlines()[-1])
    if res["rc"] != 0:
        raise RuntimeError(f"replay failed ({python}): {res['err']}")
    return {"seconds": round(seconds, 2), "peak_rss_mb": round(res["kb"] / 1024, 1), "cpu_seconds": round(res["cpu"], 2)}


def startup(python: str, tree: Path | None, repeat: int = 5) -> float:
    """Best wall time of `aidf --help` (seconds)."""
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run([python, "-c", CLI, "--help"], capture_output=True, env=_env(tree), cwd=tempfile.gettempdir(),
                       check=True)
        best = min(best, time.perf_counter() - t)
    return round(best, 3)


def single_p50(python: str, tree: Path | None, n: int) -> float:
    r = subprocess.run([python, "-c", f"N = {n}\nCASES = {json.dumps(json.dumps(SINGLE_CASES))}\n" + SINGLE], capture_output=True, text=True, env=_env(tree),
                       cwd=tempfile.gettempdir(), check=True)
    return json.loads(r.stdout.strip().splitlines()[-1])["p50_us"]


def compare(rev: str, sizes: list[int], quick: bool, repeat: int = 1) -> dict:
    """This tree against REV: whole-process replay per size, `aidf --help`, single decision p50.

    With `repeat` > 1 each measure is taken that many times per tree, the two trees in turn (and the
    first of each pair alternating), so a machine that slows down or speeds up through the run weighs on
    both alike; the ratio is that of the least times, the steadiest estimate of what the work costs."""
    from aidf.replay.generate import write

    rows = []
    with Checkout(rev) as base, tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            book = os.path.join(tmp, f"book_{n}.csv")
            write(n, book, seed=7)
            def replay(who: tuple, book: str = book) -> dict:
                return whole_process(who[0], who[1], book, os.path.join(tmp, f"{who[2]}.parquet"))

            now, then = _interleaved(replay, (sys.executable, None, "now"), (base.python, base.tree, "base"), repeat)
            same = _same_answers(os.path.join(tmp, "now.parquet"), os.path.join(tmp, "base.parquet"))
            row = _row(n, now, then, same)
            io = least([io_alone(book, os.path.join(tmp, "now.parquet"), _env(None)) for _ in range(max(1, repeat))])
            rows.append(row | headroom(io, row["seconds"][0], row["baseline_seconds"][0]))
            os.remove(book)
        helps = _interleaved(lambda who: startup(*who), (sys.executable, None), (base.python, base.tree), repeat)
        n_single = 3000 if quick else 20000
        singles = _interleaved(lambda who: single_p50(*who, n_single), (sys.executable, None),
                               (base.python, base.tree), repeat)
        out = {"baseline_rev": rev, "baseline_commit": base.commit, "baseline_pins_differ": base.pins_differ,
               "repeat": repeat, "whole_process": rows,
               "help_s": min(helps[0]), "baseline_help_s": min(helps[1]),
               "single_p50_us": min(singles[0]), "baseline_single_p50_us": min(singles[1]),
               "single_p50_us_all": singles[0], "baseline_single_p50_us_all": singles[1]}
    return out


def _interleaved(measure, this, other, repeat: int) -> tuple[list, list]:
    """`measure(this)` and `measure(other)`, `repeat` times each, in turn: this tree first in odd rounds,
    the baseline first in even ones."""
    mine: list = []
    theirs: list = []
    for i in range(max(1, repeat)):
        if i % 2 == 0:
            mine.append(measure(this))
            theirs.append(measure(other))
        else:
            theirs.append(measure(other))
            mine.append(measure(this))
    return mine, theirs


def _row(n: int, now: list[dict], then: list[dict], same: bool | None) -> dict:
    """One size's figures: least and median seconds of each tree, the ratio of the least, the least CPU
    time (user + system, forked helpers included) and its ratio, the peaks."""
    a = sorted(r["seconds"] for r in now)
    b = sorted(r["seconds"] for r in then)
    cpu_a = min(r["cpu_seconds"] for r in now)
    cpu_b = min(r["cpu_seconds"] for r in then)
    return {"lines": n, "lines_per_s": round(n / a[0]), "peak_rss_mb": max(r["peak_rss_mb"] for r in now),
            "baseline_lines_per_s": round(n / b[0]), "baseline_peak_rss_mb": max(r["peak_rss_mb"] for r in then),
            "speedup": round(b[0] / a[0], 2), "median_speedup": round(median(b) / median(a), 2),
            "seconds": a, "baseline_seconds": b, "cpu_seconds": cpu_a, "baseline_cpu_seconds": cpu_b,
            "cpu_speedup": round(cpu_b / cpu_a, 2), "answers_equal": same}


def _same_answers(a: str, b: str) -> bool | None:
    """Whether both runs wrote the same answers (None when their columns differ: a changed layout)."""
    import polars as pl

    x, y = pl.read_parquet(a), pl.read_parquet(b)
    if x.columns != y.columns:
        return None
    x = x.with_columns(pl.col(c).cast(pl.String) for c, t in x.schema.items() if t in (pl.Categorical,))
    y = y.with_columns(pl.col(c).cast(pl.String) for c, t in y.schema.items() if t in (pl.Categorical,))
    return x.equals(y)
