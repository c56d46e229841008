"""What the input and output alone cost: the part of a whole-process replay that no rule can save.

A process that starts, reads the book with Polars' CSV reader (every cell as text, none typed or
checked) and writes the answers this tree wrote with this tree's Parquet writer, nothing else. Its
time, set beside a third of the baseline's, says how much a 3x target leaves for everything between:
typing and checking the cells, the shapes and their decisions, the meters and the answers in words.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time

# Reading the answers back (into the categoricals the replay hands its writer) is set up, not timed.
IO_ONLY = """
import json, sys, time
import polars as pl
from aidf.replay.io import write_parquet_parts
book, answers, out, plain, rows = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4]), int(sys.argv[5])
t0 = time.perf_counter()
pl.read_csv(book, infer_schema=False)
t1 = time.perf_counter()
ans = pl.read_parquet(answers)
ans = ans.with_columns(pl.col(n).cast(pl.Categorical) for n, t in ans.schema.items() if t == pl.String and n not in plain)
t2 = time.perf_counter()
write_parquet_parts((ans.slice(o, rows) for o in range(0, max(ans.height, 1), rows)), out, plain=plain)
t3 = time.perf_counter()
print(json.dumps({"read": t1 - t0, "set_up": t2 - t1, "write": t3 - t2}))
"""


def io_alone(book: str, answers: str, env: dict[str, str]) -> dict:
    """One IO-only process on `book` and this tree's `answers`: its seconds without the untimed set-up,
    and the parts (start-up: everything but the read and the write)."""
    from aidf.replay.run import PER_LINE, WRITE_ROWS

    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        r = subprocess.run([sys.executable, "-c", IO_ONLY, book, answers, f"{tmp}/io.parquet", json.dumps(PER_LINE),
                            str(WRITE_ROWS)], capture_output=True, text=True, env=env, cwd=tmp)
        wall = time.perf_counter() - t
    if r.returncode != 0:
        raise RuntimeError(f"IO-only process failed: {r.stderr[-2000:]}")
    parts = json.loads(r.stdout.strip().splitlines()[-1])
    seconds = wall - parts["set_up"]
    return {"seconds": round(seconds, 2), "read": round(parts["read"], 2), "write": round(parts["write"], 2),
            "start": round(seconds - parts["read"] - parts["write"], 2)}


def least(runs: list[dict]) -> dict:
    return min(runs, key=lambda r: r["seconds"])


def headroom(io: dict, now_least: float, base_least: float) -> dict:
    """A 3x target's time, what it leaves beyond the IO alone, and what this tree spends there today."""
    target = base_least / 3
    return {"io_alone": io, "x3_seconds": round(target, 2), "x3_left_beyond_io": round(target - io["seconds"], 2),
            "now_beyond_io": round(now_least - io["seconds"], 2)}
