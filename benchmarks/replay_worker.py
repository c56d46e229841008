"""One replay measurement in a fresh process, so that its peak memory is its own.

    python -m benchmarks.replay_worker generate N SEED FILE   # write a synthetic book
    python -m benchmarks.replay_worker replay FILE            # replay it, print JSON
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time

# Let Polars' allocator hand freed pages back at once (else the peak RSS counts pages a finished
# stage freed but the allocator kept); set before Polars loads. An explicit setting wins.
os.environ.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:0,muzzy_decay_ms:0")


def main(argv: list[str]) -> None:
    if argv[0] == "generate":
        from aidf.replay.generate import write

        n, seed, path = int(argv[1]), int(argv[2]), argv[3]
        t = time.perf_counter()
        write(n, path, seed=seed)
        print(json.dumps({"lines": n, "seconds": time.perf_counter() - t}))
        return
    path = argv[1]
    out = argv[2] if len(argv) > 2 else None
    from aidf.replay.run import run

    stages: dict[str, float] = {}
    mark = {"stage": None, "t": time.perf_counter()}

    def progress(stage: str) -> None:
        now = time.perf_counter()
        if mark["stage"] is not None:
            stages[mark["stage"]] = round(stages.get(mark["stage"], 0.0) + now - mark["t"], 3)
        mark["stage"], mark["t"] = stage, now

    t = time.perf_counter()
    r = run(path, out, progress=progress)
    progress("end")
    seconds = time.perf_counter() - t
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"lines": r.lines, "seconds": seconds, "lines_per_s": r.lines / seconds,
                      "peak_rss_mb": peak_kb / 1024, "shapes": r.result.shapes, "stage_seconds": stages}))


if __name__ == "__main__":
    main(sys.argv[1:])
