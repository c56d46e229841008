"""`aidf replay`: a whole order book through the rules, column by column, with running balances."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

MAX_SHOWN = 50


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main app."""
    app.command("replay")(replay_cmd)


def replay_cmd(
    orders: Annotated[Path | None, typer.Argument(help="order book: .csv, .parquet, .jsonl or .xlsx "
                                                       "(columns: aidf replay --layout)")] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="decisions file: .parquet, .csv, .jsonl or .xlsx")] = None,
    rules: Annotated[str | None, typer.Option(help="rule set for every line (default: per line, else ai-diffusion-2025)")] = None,
    book: Annotated[bool, typer.Option("--book", help="book the draws into the ledger")] = False,
    ledger: Annotated[str | None, typer.Option(help="ledger to start from (and book into): memory, a path or a URL")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="stop at the first bad line")] = False,
    template: Annotated[Path | None, typer.Option(help="write an example order book (.csv or .xlsx) and exit")] = None,
    generate: Annotated[int | None, typer.Option(help="write a synthetic order book of N lines to --out and exit")] = None,
    seed: Annotated[int, typer.Option(help="seed for --generate")] = 0,
    intensity: Annotated[float, typer.Option(help="quantity multiplier for --generate (fills meters sooner)")] = 1.0,
    summary_json: Annotated[Path | None, typer.Option(help="also write the summary as JSON")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress bar")] = False,
    review: Annotated[Path | None, typer.Option("--review", help="also write the lines needing a license or "
                                                                 "review, grouped by reason (.csv, .xlsx, ...)")] = None,
    layout: Annotated[bool, typer.Option("--layout", help="print the order-book layout (columns) and exit")] = False,
    scenario: Annotated[Path | None, typer.Option(help="decide under a scenario file's rules, reforms and "
                                                       "arrangements, as `aidf compare` does")] = None,
    demand: Annotated[str | None, typer.Option(help="with --generate: make the book from a demand profile (a YAML "
                                                    "file, or 'default'); N > 0 scales it to about N lines")] = None,
    workers: Annotated[int | None, typer.Option("--workers", min=1, max=64, help=(
        "processes deciding the shapes side by side (default: the CPUs this process may use); "
        "the answers are the same for any number"))] = None,
) -> None:
    """Replay a whole order book through the rules, line by line with running balances (columnar)."""
    _prompt_return(orders)
    if scenario is not None:
        return _under_scenario(dict(locals()))
    from rich.console import Console

    from aidf.errors import InputError
    from aidf.replay import book as bookmod

    err = Console(stderr=True)
    if layout:
        from aidf.replay.report import layout_text

        typer.echo(layout_text())
        return
    if template is not None or generate is not None:
        _write_book(template, generate, out, seed, intensity, demand)
        return
    if orders is None:
        raise InputError("orders", "give an order book (or --template FILE / --generate N --out FILE)")

    led = None
    if ledger is not None or book:
        from aidf.cli.common import open_store

        led, _ = open_store(ledger)
    from aidf.replay.fanout import workers as side_by_side

    with side_by_side(workers):
        try:
            r = _run_shown(orders, err, quiet, rules=rules, ledger=led, strict=strict)
        except bookmod.BookErrors as e:
            _bad_lines(e, strict)
        if r.ignored_columns:
            err.print(f"[yellow]ignored columns not in the layout:[/] {', '.join(r.ignored_columns)}")
        if r.lines == 0:
            raise InputError("ORDERS", f"{orders} has no order lines: nothing to replay")
        if not book:
            r.result.without_booking_columns()
        _write(r, orders, out, review, rules)
    s = _summary(r, orders, rules, led, book)
    _print_summary(s, out)
    if summary_json is not None:
        summary_json.write_text(json.dumps(s, indent=2, default=str))


def _prompt_return(orders: Path | None) -> None:
    """Polars' allocator set to return freed memory promptly for a large book, before Polars is loaded
    (replay/allocator.py)."""
    from aidf.replay.allocator import prompt_return

    prompt_return(orders)


def _summary(r, orders: Path, rules: str | None, led, book: bool) -> dict:
    """The summary of a run (by outcome, authorization, country), with the parties screened against the
    ledger's lists when a ledger is given, and its draws booked into it with `book`."""
    from aidf.replay.report import by_country
    from aidf.replay.run import book_result, summary

    s = summary(r.result)
    s["seconds"] = round(r.seconds, 3)
    s["lines_per_s"] = round(r.lines / r.seconds) if r.seconds > 0 else None
    if led is not None:  # each distinct party screened once (screening/replay.py)
        from aidf.replay.book import load as load_book
        from aidf.screening.replay import screen_book

        s["screening"] = screen_book(load_book(orders)[0], led)
    if book:
        from aidf.replay.book import load

        df, _ = load(orders)
        if rules is not None:
            import polars as pl

            df = df.with_columns(pl.lit(rules).alias("rules"))
        s["booked_transactions"] = book_result(r.result, df, led)
    s["by_country"] = by_country(r.result)
    return s


def _run_shown(orders: Path, err, quiet: bool, **kw):
    """_run with a progress bar on stderr by stage (none with --quiet)."""
    if quiet:
        return _run(orders, **kw)
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from aidf.replay.run import STAGES

    with Progress(TextColumn("[bold]replay[/] {task.description:<12}"), BarColumn(), TimeElapsedColumn(),
                  console=err, transient=True) as prog:
        task = prog.add_task("", total=len(STAGES))

        def say(stage: str) -> None:
            prog.update(task, description=stage, completed=STAGES.index(stage) if stage in STAGES else None)

        r = _run(orders, progress=say, **kw)
        prog.update(task, completed=len(STAGES))
    return r


def _write_book(template: Path | None, generate: int | None, out: Path | None, seed: int, intensity: float,
                demand: str | None = None) -> None:
    """--template FILE or --generate N --out FILE (from a demand profile with --demand): write a book
    instead of replaying one."""
    from aidf.errors import InputError

    if template is not None:
        from aidf.replay.io import write_template

        write_template(template)
        typer.echo(f"wrote {template}")
        return
    if out is None:
        raise InputError("out", "--generate needs --out FILE")
    if generate < 0:
        raise InputError("generate", "must be >= 0")
    if demand is not None:
        from aidf.simulate.demand import write as write_demand

        df = write_demand(out, None if demand == "default" else demand, seed=seed, lines=generate)
        typer.echo(f"wrote {df.height:,} lines to {out} from demand profile {demand}")
        return
    from aidf.replay.generate import write

    write(generate, str(out), seed=seed, intensity=intensity)
    typer.echo(f"wrote {generate:,} lines to {out}")


def _bad_lines(e, strict: bool) -> None:
    """Name the bad lines (the first MAX_SHOWN) and exit 2: nothing was decided."""
    shown = e.errors[:MAX_SHOWN]
    for x in shown:
        typer.echo(f"error: {x}", err=True)
    if e.total > len(shown):
        typer.echo(f"... and {e.total - len(shown)} more", err=True)
    typer.echo(f"{e.total} bad line(s){' (stopped at the first: --strict)' if strict else ''}; "
               "nothing was decided", err=True)
    sys.exit(2)


def _under_scenario(args: dict) -> None:
    """The same replay with a scenario's rules (unless --rules names others) and its reforms applied;
    it never books, since a reform is not the law."""
    from aidf.errors import InputError
    from aidf.rules.parameters import overlay
    from aidf.simulate.scenario import load

    if args["book"]:
        raise InputError("scenario", "a scenario's answers are not the law: drop --book")
    s = load(args["scenario"])
    with overlay.use(s.layer):
        replay_cmd(**(args | {"scenario": None, "rules": args["rules"] or s.rules}))


def _run(orders: Path, **kw):
    """run() without writing; a file the readers cannot open becomes one line."""
    from aidf.replay import book as bookmod
    from aidf.replay.report import unreadable
    from aidf.replay.run import run

    try:
        return run(orders, None, **kw)
    except bookmod.BookErrors:
        raise
    except Exception as e:
        if _reading_error(e):
            raise unreadable(orders, e) from None
        raise


def _reading_error(e: Exception) -> bool:
    import zipfile

    import polars as pl

    return isinstance(e, (zipfile.BadZipFile, pl.exceptions.PolarsError, UnicodeDecodeError, OSError,
                          KeyError)) or type(e).__module__.startswith("openpyxl")


def _write(r, orders: Path, out: Path | None, review: Path | None, rules: str | None) -> None:
    """--out with the people columns (consignee, reason, warnings); --review grouped by reason."""
    if out is None and review is None:
        return
    from aidf.replay.report import with_people_columns, write_answers, write_review
    from aidf.replay.run import OUT_COLUMNS

    with_people_columns(r.result, orders, rules)
    if out is not None:
        write_answers(r.result, out, OUT_COLUMNS)
    if review is not None:
        n = write_review(r.result, review)
        typer.echo(f"{n:,} lines needing a license or review -> {review}", err=True)


def _print_summary(s: dict, out: Path | None) -> None:
    """The summary in people's words: outcomes, authorizations with their section, countries by name."""
    from aidf import people
    from aidf.cli.common import console, table

    con = console()
    con.print(f"[bold]{s['lines']:,}[/] lines in {s['transactions']:,} transactions, {s['shapes']:,} distinct shapes, "
              f"{s['seconds']:.2f} s ({s['lines_per_s'] or 0:,} lines/s)" + (f" -> {out}" if out else ""))
    t = table("outcome", "lines", title="By outcome", right=("lines",))
    for k, v in s["by_outcome"].items():
        t.add_row(people.outcome(k), f"{v:,}")
    con.print(t)
    t = table("authorization", "lines", title="By authorization", right=("lines",))
    for k, v in s["by_authorization"].items():
        t.add_row(people.authorization_long(k), f"{v:,}")
    con.print(t)
    if s.get("by_country"):
        t = table("destination", "lines", "license required", "needs review", title="By destination",
                  right=("lines", "license required", "needs review"))
        for row in s["by_country"]:
            t.add_row(row["country"], f"{row['lines']:,}", f"{row['license_required']:,}", f"{row['needs_review']:,}")
        con.print(t)
    if s["allocation"]:
        t = table("country", "drawn here (TPP)", "used in total (TPP)", title="Country allocations",
                  right=("drawn here (TPP)", "used in total (TPP)"))
        for k, v in s["allocation"].items():
            t.add_row(people.country(k), people.number(v["drawn_tpp"], 0), people.number(v["used_tpp"], 0))
        con.print(t)
    con.print(f"licensed lines past their country's allocation: {s['licensed_past_allocation_lines']:,}")
    first = ", ".join(str(n) for n in s["needs_review_first"])  # file lines, already counted from 1
    con.print(f"lines needing review: {s['needs_review_lines']:,}"
              + (f" (first book lines: {first})" if s["needs_review_lines"] else ""))
    if "booked_transactions" in s:
        con.print(f"booked {s['booked_transactions']:,} transactions into the ledger")
