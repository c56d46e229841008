"""`python -m benchmarks [--quick] [--json FILE] [--sizes 100000,1000000] [--baseline REV [--repeat N]]`: one
table, one JSON.

Measures, with a baseline taken in the same run so numbers compare across machines:
- single decision latency in-process (p50/p99 us); baseline: validating the same request (pydantic);
- replay throughput per book size, each size in its own process for a clean peak RSS; baseline:
  reading and writing the same book with Polars, no rules (IO only);
- replay against a loop of single decisions (decide_many on a throwaway ledger) on the same lines;
- with `--baseline REV`: the whole process (`aidf replay` CSV in, Parquet out), `aidf --help` and the
  single decision, of this tree and of git revision REV (benchmarks/baseline.py), on the same books;
  with `--repeat N`, N runs of each tree in turn, compared by their least times (and CPU times);
  beside them, the IO alone (benchmarks/floor.py: start-up, Polars' CSV reader, this tree's Parquet
  writer) and what a 3x target leaves beyond it;
- REST API decisions/s and ledger bookings/s, from benchmarks.api_bench / benchmarks.ledger_bench
  when those modules are present (null with a reason otherwise).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.cases import SINGLE_CASES

TARGETS = {"cli_help_s": ("<=", 0.3), "single_decision_us_p50": ("<=", 20.0), "replay_lines_per_s": (">=", 1_000_000),
           "replay_peak_rss_mb": ("<=", 2048), "api_decisions_per_s": (">=", 2000),
           "options_ms_typical": ("<=", 50.0), "screen_parties_per_s": (">=", 5000)}


def machine() -> dict:
    mem = None
    try:
        with open("/proc/meminfo") as f:
            mem = round(int(f.readline().split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {"cores": os.cpu_count(), "memory_gb": mem, "python": platform.python_version(),
            "platform": platform.platform(), "date": dt.date.today().isoformat()}


def _pcts(samples_ns: list[int]) -> tuple[float, float]:
    s = sorted(samples_ns)
    return s[len(s) // 2] / 1000, s[min(len(s) - 1, int(len(s) * 0.99))] / 1000


def single_decision(quick: bool) -> dict:
    from aidf.engine import decide
    from aidf.model import Transaction

    n = 3000 if quick else 20000
    cases = SINGLE_CASES
    txs = [Transaction.model_validate(c) for c in cases]
    for _ in range(200):
        for t in txs:
            decide(t)
    samples, base = [], []
    for i in range(n):
        t = txs[i % 2]
        a = time.perf_counter_ns()
        decide(t)
        samples.append(time.perf_counter_ns() - a)
        c = cases[i % 2]
        a = time.perf_counter_ns()
        Transaction.model_validate(c)
        base.append(time.perf_counter_ns() - a)
    p50, p99 = _pcts(samples)
    b50, _ = _pcts(base)
    return {"single_decision_us_p50": round(p50, 1), "single_decision_us_p99": round(p99, 1),
            "baseline_validate_us_p50": round(b50, 1), "single_vs_validate_ratio": round(p50 / b50, 1)}


MAX_RSS_MB = 12_000  # a replay worker above this is stopped (the size is reported as not measured)


class TooBig(RuntimeError):
    pass


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _worker(*args: str, max_rss_mb: float = MAX_RSS_MB) -> dict:
    """Run one measurement in its own process, stopping it if its memory passes `max_rss_mb`."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen([sys.executable, "-m", "benchmarks.replay_worker", *args], stdout=out, stderr=err,
                                text=True, cwd=Path(__file__).resolve().parents[1])
        peak = 0.0
        while proc.poll() is None:
            peak = max(peak, _rss_mb(proc.pid))
            if peak > max_rss_mb:
                proc.kill()
                proc.wait()
                raise TooBig(f"stopped at {peak:,.0f} MB RSS (limit {max_rss_mb:,.0f} MB)")
            time.sleep(0.2)
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            raise RuntimeError(f"replay worker failed: {err.read()[-2000:]}")
        return json.loads(out.read().strip().splitlines()[-1])


def _io_baseline(path: str, out: str) -> float:
    import polars as pl

    t = time.perf_counter()
    pl.read_parquet(path).write_parquet(out)
    return time.perf_counter() - t


def replay_sizes(sizes: list[int], tmp: str) -> dict:
    rows = []
    for n in sizes:
        path = os.path.join(tmp, f"book_{n}.parquet")
        _worker("generate", str(n), "7", path)
        try:
            r = _worker("replay", path, os.path.join(tmp, f"out_{n}.parquet"))
        except TooBig as e:
            rows.append({"lines": n, "seconds": None, "lines_per_s": None, "peak_rss_mb": None, "shapes": None,
                         "io_lines_per_s": None, "replay_vs_io_ratio": None, "reason": str(e)})
            os.remove(path)
            continue
        io_s = _io_baseline(path, os.path.join(tmp, f"io_{n}.parquet"))
        r["io_lines_per_s"] = n / io_s
        r["replay_vs_io_ratio"] = round(r["seconds"] / io_s, 1)
        rows.append(r)
        os.remove(path)
    return {"replay_sizes": rows}


def replay_vs_loop(quick: bool) -> dict:
    import polars as pl

    from aidf.engine import decide_many
    from aidf.ledger.memory import MemoryLedger
    from aidf.replay.assemble import in_replay_order, transaction_dicts
    from aidf.replay.book import normalize, parse_book
    from aidf.replay.columnar import replay
    from aidf.replay.generate import generate

    n = 1500 if quick else 10000
    raw = generate(n, seed=9).with_columns(pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("line"))
    book, errors = parse_book(raw)
    book = normalize(book)
    t = time.perf_counter()
    replay(book)
    replay_s = time.perf_counter() - t
    txs = transaction_dicts(in_replay_order(book))
    t = time.perf_counter()
    decide_many(txs, ledger=MemoryLedger())
    loop_s = time.perf_counter() - t
    return {"loop_lines": n, "loop_lines_per_s": round(n / loop_s, 1), "replay_same_lines_per_s": round(n / replay_s, 1),
            "replay_vs_loop_ratio": round(loop_s / replay_s, 1)}


def optional(module: str, quick: bool, keys: list[str]) -> dict:
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as e:
        return {k: None for k in keys} | {f"{k}_reason": f"{module} not present ({e.name})" for k in keys}
    try:
        out = mod.run(quick)
    except Exception as e:  # a part that cannot run here is reported, not fatal
        return {k: None for k in keys} | {f"{k}_reason": f"{module}.run failed: {type(e).__name__}: {e}" for k in keys}
    for k in keys:
        if out.get(k) is None and f"{k}_reason" not in out:
            out[f"{k}_reason"] = f"{module} returned no value (service unavailable here)"
    return out


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(prog="python -m benchmarks")
    ap.add_argument("--quick", action="store_true", help="small sizes, under five minutes")
    ap.add_argument("--json", type=Path, help="write the results as JSON")
    ap.add_argument("--sizes", help="replay book sizes, comma-separated (default 1e5,1e6,1e7; quick: 1e5)")
    ap.add_argument("--skip", default="", help="comma-separated parts to skip: single,replay,loop,api,options,ledger,"
                                               "cli,screening")
    ap.add_argument("--baseline", metavar="REV", help="also run git revision REV's replay on the same books")
    ap.add_argument("--repeat", type=int, default=1, metavar="N",
                    help="with --baseline: each measure N times per tree, the trees in turn (ratios of the least)")
    args = ap.parse_args(argv)
    skip = set(filter(None, args.skip.split(",")))
    sizes = [int(float(s)) for s in args.sizes.split(",")] if args.sizes else (
        [100_000] if args.quick else [100_000, 1_000_000, 10_000_000])
    res: dict = {"machine": machine(), "quick": args.quick}
    t0 = time.perf_counter()
    if "single" not in skip:
        res |= single_decision(args.quick)
    if "replay" not in skip:
        with tempfile.TemporaryDirectory() as tmp:
            res |= replay_sizes(sizes, tmp)
        done = [r for r in res["replay_sizes"] if r["lines_per_s"] is not None]
        if done:
            big = done[-1]
            res["replay_lines_per_s"] = round(big["lines_per_s"], 1)
            res["replay_peak_rss_mb"] = round(max(r["peak_rss_mb"] for r in done), 1)
            res["replay_lines_measured"] = big["lines"]
        else:
            res["replay_lines_per_s"] = res["replay_peak_rss_mb"] = None
            res["replay_lines_per_s_reason"] = res["replay_peak_rss_mb_reason"] = "no size could be measured"
        missed = [f"{r['lines']:,} lines: {r['reason']}" for r in res["replay_sizes"] if r["lines_per_s"] is None]
        if missed:
            res["replay_not_measured"] = missed
    if args.baseline:
        from benchmarks.baseline import compare

        base_sizes = [int(float(s)) for s in args.sizes.split(",")] if args.sizes else (
            [100_000] if args.quick else [1_000_000, 10_000_000])
        res["baseline"] = compare(args.baseline, base_sizes, args.quick, args.repeat)
    if "loop" not in skip:
        res |= replay_vs_loop(args.quick)
    if "api" not in skip:
        res |= optional("benchmarks.api_bench", args.quick, ["api_decisions_per_s"])
    if "options" not in skip:
        res |= optional("benchmarks.options_bench", args.quick, ["options_ms_typical"])
    if "ledger" not in skip:
        res |= optional("benchmarks.ledger_bench", args.quick,
                        ["ledger_bookings_per_s_sqlite", "ledger_bookings_per_s_postgresql"])
    if "cli" not in skip:
        res |= optional("benchmarks.cli_bench", args.quick, ["cli_help_s"])
    if "screening" not in skip:
        res |= optional("benchmarks.screening_bench", args.quick, ["screen_parties_per_s"])
    for k in ("cli_help_s", "single_decision_us_p50", "replay_lines_per_s", "replay_vs_loop_ratio", "replay_peak_rss_mb",
              "api_decisions_per_s", "ledger_bookings_per_s_sqlite", "ledger_bookings_per_s_postgresql",
              "screen_parties_per_s"):
        res.setdefault(k, None)
        if res[k] is None:
            res.setdefault(f"{k}_reason", "skipped")
    res["total_seconds"] = round(time.perf_counter() - t0, 1)
    _table(res)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(res, indent=2, default=str))
    return res


def _table(res: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    t = Table("measure", "value", "target", "baseline / ratio", title="aidf benchmarks")
    m = res["machine"]

    def tgt(k: str) -> str:
        if k not in TARGETS:
            return ""
        op, v = TARGETS[k]
        ok = res.get(k) is not None and (res[k] <= v if op == "<=" else res[k] >= v)
        return f"{op} {v:,} {'[green]ok[/]' if ok else '[red]missed[/]'}"

    def val(k: str, fmt: str = "{:,.1f}") -> str:
        v = res.get(k)
        return fmt.format(v) if v is not None else f"null ({res.get(k + '_reason', 'n/a')})"

    t.add_row("single decision p50 (us)", val("single_decision_us_p50"), tgt("single_decision_us_p50"),
              f"validate {res.get('baseline_validate_us_p50')} us; x{res.get('single_vs_validate_ratio')}")
    t.add_row("single decision p99 (us)", val("single_decision_us_p99"), "", "")
    for r in res.get("replay_sizes", []):
        if r["lines_per_s"] is None:
            t.add_row(f"replay {r['lines']:,} lines (lines/s)", f"null ({r['reason']})", "", "")
            continue
        t.add_row(f"replay {r['lines']:,} lines (lines/s)", f"{r['lines_per_s']:,.0f}",
                  tgt("replay_lines_per_s") if r is res["replay_sizes"][-1] else "",
                  f"IO only {r['io_lines_per_s']:,.0f}/s; x{r['replay_vs_io_ratio']} slower")
        t.add_row(f"replay {r['lines']:,} peak RSS (MB)", f"{r['peak_rss_mb']:,.0f}",
                  tgt("replay_peak_rss_mb") if r is res["replay_sizes"][-1] else "", f"{r['shapes']:,} shapes")
    t.add_row("replay vs loop of single decisions", val("replay_vs_loop_ratio"), "",
              f"loop {res.get('loop_lines_per_s')} lines/s on {res.get('loop_lines')} lines")
    t.add_row("API decisions/s", val("api_decisions_per_s"), tgt("api_decisions_per_s"), "")
    typical = (res.get("options_cases") or {}).get("lpp_india_2000_h100") or {}
    t.add_row("options of a typical transaction (ms)", val("options_ms_typical", "{:,.2f}"), tgt("options_ms_typical"),
              f"one decision {typical.get('sqlite_decide_ms')} ms; x{typical.get('sqlite_ratio')}")
    t.add_row("ledger bookings/s SQLite", val("ledger_bookings_per_s_sqlite"), "", "")
    t.add_row("ledger bookings/s PostgreSQL", val("ledger_bookings_per_s_postgresql"), "", "")
    t.add_row("aidf --help (s)", val("cli_help_s", "{:.3f}"), tgt("cli_help_s"),
              f"python {res.get('cli_python_s')} s; import typer {res.get('cli_typer_import_s')} s; "
              f"x{res.get('cli_help_vs_typer_ratio')}")
    t.add_row(f"screening parties/s ({res.get('entries')} entries)", val("screen_parties_per_s"),
              tgt("screen_parties_per_s"), f"brute force {res.get('brute_force_parties_per_s')}/s; "
              f"x{res.get('speedup_vs_brute_force')}; CPU-time {res.get('screen_parties_per_cpu_s')}/s")
    Console().print(t)
    if "baseline" in res:
        _baseline_table(res["baseline"])
    Console().print(f"{m['cores']} cores, {m['memory_gb']} GB, Python {m['python']}, {m['date']}; "
                    f"{res['total_seconds']} s")


def _baseline_table(b: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    t = Table("measure", "this tree", f"baseline {b['baseline_rev']} ({b['baseline_commit']})", "ratio",
              title="against a baseline revision, same books, same run"
              + (f", {b['repeat']} runs each in turn, least shown" if b.get("repeat", 1) > 1 else ""))
    for r in b["whole_process"]:
        t.add_row(f"aidf replay CSV -> Parquet, {r['lines']:,} lines (lines/s)", f"{r['lines_per_s']:,}",
                  f"{r['baseline_lines_per_s']:,}", f"x{r['speedup']} (target >= 3)")
        if len(r.get("seconds", [])) > 1:
            t.add_row("  seconds, each run (least first)", ", ".join(f"{x:g}" for x in r["seconds"]),
                      ", ".join(f"{x:g}" for x in r["baseline_seconds"]), f"medians x{r['median_speedup']}")
        if "cpu_seconds" in r:
            t.add_row("  CPU seconds (least)", f"{r['cpu_seconds']:g}", f"{r['baseline_cpu_seconds']:g}", f"x{r['cpu_speedup']}")
        if "io_alone" in r:
            io = r["io_alone"]
            t.add_row("  IO alone: start-up + CSV read + Parquet write (s)",
                      f"{io['seconds']:g} ({io['start']:g} + {io['read']:g} + {io['write']:g})", "",
                      f"x3 is {r['x3_seconds']:g} s: {r['x3_left_beyond_io']:g} s beyond IO (now {r['now_beyond_io']:g})")
        t.add_row("  peak RSS (MB)", f"{r['peak_rss_mb']:,.0f}", f"{r['baseline_peak_rss_mb']:,.0f}",
                  "same answers" if r["answers_equal"] else "answers differ" if r["answers_equal"] is False
                  else "layouts differ")
    t.add_row("aidf --help (s)", f"{b['help_s']}", f"{b['baseline_help_s']}", "target <= 0.3 s")
    t.add_row("single decision p50 (us)", f"{b['single_p50_us']}", f"{b['baseline_single_p50_us']}", "target <= 100")
    Console().print(t)
    if b["baseline_pins_differ"]:
        Console().print("[yellow]the baseline pins other library versions; both ran this environment's[/]")


if __name__ == "__main__":
    main()
