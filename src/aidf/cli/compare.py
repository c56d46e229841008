"""CLI of the simulation area: `aidf compare` (one book under several rule sets and reforms)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main app."""
    app.command("compare")(compare_cmd)


def compare_cmd(
    book: Annotated[Path | None, typer.Argument(help="order book in the replay layout (.csv, .parquet, .jsonl, .xlsx)")] = None,
    rules: Annotated[list[str] | None, typer.Option("--rules", help="a rule set or timeline to compare (repeat)")] = None,
    scenario: Annotated[list[Path] | None, typer.Option("--scenario", help="a scenario YAML file (repeat)")] = None,
    report: Annotated[Path | None, typer.Option(help="write the HTML report here")] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="write the summary JSON here")] = None,
    csv_dir: Annotated[Path | None, typer.Option("--csv", help="write the summary tables as CSV into this folder")] = None,
    xlsx: Annotated[Path | None, typer.Option(help="write the summary tables as an Excel workbook")] = None,
    from_ledger: Annotated[str | None, typer.Option(help="start every scenario from this ledger's balances (read only)")] = None,
    draws: Annotated[int, typer.Option(help="ensemble: this many seeded demand books (with --demand)")] = 0,
    demand: Annotated[Path | None, typer.Option(help="ensemble: demand profile YAML (default profile if omitted)")] = None,
    lines: Annotated[int, typer.Option(help="ensemble: lines per generated book")] = 20_000,
    scheduler: Annotated[str | None, typer.Option(help="ensemble: a Dask scheduler address, tcp://HOST:PORT")] = None,
    workers: Annotated[int, typer.Option(help="ensemble: local processes when no scheduler is given")] = 2,
) -> None:
    """Replay one order book under several rule sets, timelines and reforms, and compare them.

    The first scenario is the baseline; every order whose answer changes is listed with both answers
    and the provision that decides each. With --draws N, N seeded demand books are made instead of
    reading BOOK, and the results are reduced to medians and 5-95 % bands."""
    from aidf.errors import InputError
    from aidf.simulate import scenario as sc

    chosen = [sc.from_rules(r) for r in rules or []] + [sc.load(f) for f in scenario or []]
    if not chosen:
        raise InputError("rules", "name at least one --rules or --scenario to compare")
    if draws:
        return _ensemble(chosen, draws, demand, lines, scheduler, workers, report, json_out)
    if book is None:
        raise InputError("book", "give an order book (or --draws N for generated demand)")
    if not book.exists():
        raise InputError("book", f"no file {str(book)!r}")
    _compare(book, chosen, from_ledger, report, json_out, csv_dir, xlsx)


def _compare(book, chosen, from_ledger, report, json_out, csv_dir, xlsx) -> None:
    from aidf.simulate import compare as cmp

    c = cmp.compare(book, chosen, seed_from=from_ledger)
    written = []
    if json_out:
        cmp.write_json(c, json_out)
        written.append(str(json_out))
    if csv_dir:
        cmp.write_csv(c, csv_dir)
        written.append(f"{csv_dir}/")
    if xlsx:
        cmp.write_xlsx(c, xlsx)
        written.append(str(xlsx))
    if report:
        from aidf.simulate import report as rep

        rep.write(c, report)
        written.append(str(report))
    _print(c.summary)
    if written:
        typer.echo(f"wrote {', '.join(written)}", err=True)


def _print(doc: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    con = Console()
    con.print(f"{doc['book']['lines']:,} lines in {doc['book']['transactions']:,} orders; baseline {doc['baseline']}")
    t = Table(title="scenarios (compute in H100-equivalents)")
    for name in ("scenario", "authorized", "under review", "presumed denied", "orders changed"):
        t.add_column(name, overflow="fold", justify="left" if name == "scenario" else "right")
    changed = {c["to"]: c["changed_orders"] for c in doc["changes"]}
    for s in doc["scenarios"]:
        by = {r["route"]: r["h100_equivalents"] for r in s["totals"]["by_route"]}
        auth = sum(v for k, v in by.items() if k not in ("under-review", "presumed-denied"))
        t.add_row(s["name"], f"{auth:,.0f}", f"{by.get('under-review', 0):,.0f}",
                  f"{by.get('presumed-denied', 0):,.0f}", f"{changed.get(s['name'], 0):,}" if s["name"] in changed else "baseline")
    con.print(t)


def _ensemble(chosen, draws, demand, lines, scheduler, workers, report, json_out) -> None:
    import json

    from aidf.simulate import ensemble

    result = ensemble.run(chosen, draws=draws, demand=demand, lines=lines, scheduler=scheduler, workers=workers)
    if json_out:
        json_out.write_text(json.dumps(result, indent=2, default=str))
    if report:
        ensemble.write_report(result, report)
    typer.echo(f"{draws} demand draws x {len(chosen)} scenarios: {len(result['bands'])} country bands"
               + (f"; wrote {report or json_out}" if report or json_out else ""))
