"""`aidf serve`: the REST API (/v1, docs at /docs) and the web dashboard (/)."""

from __future__ import annotations

from typing import Annotated

import typer

from aidf.cli.ledger_args import LedgerOpt
from aidf.errors import InputError


def register(app: typer.Typer) -> None:
    """Add `aidf serve` to the main app."""
    app.command("serve")(serve)


def serve(ledger: LedgerOpt = None,
          port: Annotated[int, typer.Option("--port", min=1, max=65535)] = 8000,
          host: Annotated[str, typer.Option("--host", help="address to bind; loopback by default")] = "127.0.0.1",
          open_dashboard_without_key: Annotated[bool, typer.Option(
              "--open-dashboard-without-key",
              help="let browsers on this machine use the dashboard as the local officer (loopback only)")] = False,
          sample: Annotated[bool, typer.Option("--sample", help="book the sample order book if the ledger is empty")] = False,
          workers: Annotated[int, typer.Option("--workers", min=1, max=64, help=(
              "processes serving the API and dashboard (keys and sessions live in the ledger's database, "
              "so any worker answers any request)"))] = 1,
          ) -> None:
    """Start the REST API (/v1, docs at /docs) and the web dashboard (/)."""
    from aidf.cli.common import ledger_spec, say
    from aidf.service.server import serve as run
    from aidf.service.server import serve_workers

    spec = ledger_spec(ledger)  # a new ledger only in an existing folder, and said so
    if spec.new:
        say(f"creating a new ledger at {spec.label}")
    if workers > 1:
        if ledger == "memory" or open_dashboard_without_key:
            raise InputError("--workers", "several workers need a shared ledger file or database and keyed sign-in "
                                          "(not --ledger memory or --open-dashboard-without-key)")
        run_workers(ledger, host=host, port=port, workers=workers, sample=sample, start=serve_workers)
        return
    run(ledger, host=host, port=port, open_dashboard=open_dashboard_without_key, sample=sample)


def run_workers(ledger: str | None, *, host: str, port: int, workers: int, sample: bool, start) -> None:
    import os

    from aidf.ledger.open import resolve_spec
    from aidf.service.server import build

    os.environ["AIDF_LEDGER"] = resolve_spec(ledger)  # the workers open the same ledger
    if sample:
        build(ledger, host=host, open_dashboard=False, sample=True).state.service.close()
    print(f"aidf on http://{host}:{port}/ with {workers} workers (API docs: /docs)")
    start(host=host, port=port, workers=workers, log_level="warning")
