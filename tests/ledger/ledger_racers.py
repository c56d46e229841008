"""Start many processes at once and collect what they print (reusable: any command line).

`run_racers(commands)` spawns every command, then creates the go-file whose path each command may
wait for (pass `{go}` in a command and it is replaced), so they start writing together.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

WORKER = str(Path(__file__).with_name("ledger_worker.py"))


@dataclass
class Finished:
    returncode: int
    stdout: str
    stderr: str


def run_racers(commands: Sequence[Sequence[str]], *, env: dict[str, str] | None = None,
               timeout: float = 600) -> list[Finished]:
    with tempfile.TemporaryDirectory(prefix="aidf-race-") as tmp:
        go = os.path.join(tmp, "go")
        procs = [subprocess.Popen([a.replace("{go}", go) for a in cmd], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, env={**os.environ, **(env or {})})
                 for cmd in commands]
        Path(go).touch()
        out = []
        for p in procs:
            stdout, stderr = p.communicate(timeout=timeout)
            out.append(Finished(p.returncode, stdout, stderr))
        return out


def worker_command(*args: str) -> list[str]:
    """A command line running ledger_worker.py with this interpreter."""
    return [sys.executable, WORKER, *args]


def fork_racers(n: int, target, *args) -> list:
    """Run `target(i, *args)` in `n` forked processes released together; returns their results in
    order. Forking skips the interpreter start-up that dominates `run_racers` on small machines."""
    import multiprocessing as mp

    ctx = mp.get_context("fork")
    go, results = ctx.Event(), ctx.Queue()

    def body(i: int) -> None:
        try:
            go.wait(120)
            results.put((i, True, target(i, *args)))
        except BaseException as e:  # report, never hang the parent
            results.put((i, False, repr(e)))

    procs = [ctx.Process(target=body, args=(i,)) for i in range(n)]
    for p in procs:
        p.start()
    go.set()
    got = dict((i, (ok, value)) for i, ok, value in (results.get(timeout=600) for _ in procs))
    for p in procs:
        p.join(60)
    failed = {i: v for i, (ok, v) in got.items() if not ok}
    if failed:
        raise AssertionError(f"racer processes failed: {failed}")
    return [got[i][1] for i in range(n)]
