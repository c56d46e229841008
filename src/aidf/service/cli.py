"""CLI commands of the service area: `aidf serve`, `aidf keys ...`, `aidf memo`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from aidf.errors import InputError

keys_app = typer.Typer(no_args_is_help=True, help="API keys with roles (viewer, analyst, officer, admin).")
LedgerOpt = Annotated[str | None, typer.Option("--ledger", help="memory | FILE | URL (default: $AIDF_LEDGER "
                                                                "or .aidf/ledger.sqlite)")]


def _keys(ledger: str | None):
    from aidf.service.keys import KeyStore, keys_url

    if ledger == "memory":
        raise InputError("--ledger", "keys in a memory ledger vanish when this command ends; name a file or URL")
    return KeyStore(keys_url(ledger))


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


@keys_app.command("create")
def keys_create(role: Annotated[str, typer.Option("--role", help="viewer | analyst | officer | admin")],
                name: Annotated[str, typer.Option("--name", help="who holds the key (shown in the audit log)")],
                ledger: LedgerOpt = None) -> None:
    """Make an API key and print it once (only its salted hash is stored)."""
    store = _keys(ledger)
    try:
        key, row = store.create(name, role, actor="cli")
    except ValueError as e:
        raise InputError("--role" if "role" in str(e) else "--name", str(e)) from None
    typer.echo(key)
    typer.echo(f"key {row['key_id']} for {row['name']} ({row['role']}); send it as the X-API-Key header", err=True)


@keys_app.command("list")
def keys_list(ledger: LedgerOpt = None) -> None:
    """List keys (ids, names, roles; never the keys)."""
    for k in _keys(ledger).list():
        state = f"revoked {k['revoked_at']}" if k["revoked_at"] else "live"
        typer.echo(f"{k['key_id']}  {k['role']:<8} {k['name']}  created {k['created_at']}  {state}")


@keys_app.command("revoke")
def keys_revoke(key_id: str, ledger: LedgerOpt = None) -> None:
    """Revoke a key by its id."""
    try:
        revoked = _keys(ledger).revoke(key_id, actor="cli")
    except ValueError as e:  # the last admin key
        raise InputError("key_id", str(e)) from None
    if not revoked:
        raise InputError("key_id", f"no live key {key_id!r}")
    typer.echo(f"revoked {key_id}")


@keys_app.command("verify")
def keys_verify(ledger: LedgerOpt = None,
                expect_head: Annotated[str | None, typer.Option(
                    "--expect-head", help="SEQ:HASH kept from `aidf keys head`: detects a cut tail")] = None) -> None:
    """Recompute the keys' keyed audit chain and check every key against it; exit 1 if altered."""
    report = _keys(ledger).verify(expect_head)
    text = str(report).replace("audit entries", "keys audit entries", 1)
    typer.echo(text, err=not report.ok)
    if not report.ok:
        raise typer.Exit(1)


@keys_app.command("head")
def keys_head(ledger: LedgerOpt = None) -> None:
    """Print the keys audit chain's signed head (SEQ:HASH); keep it elsewhere for verify --expect-head."""
    typer.echo(_keys(ledger).head())


def memo(transaction_id: Annotated[str, typer.Argument(help="id of a booked transaction")],
         ledger: LedgerOpt = None,
         out: Annotated[Path, typer.Option("--out", help="folder for the HTML and PDF")] = Path("."),
         ) -> None:
    """Write the determination memo of a booked transaction as HTML and PDF."""
    from aidf.cli.common import ledger_spec
    from aidf.ledger import LedgerError

    if ledger_spec(ledger).new:
        raise InputError("--ledger", f"no ledger at {ledger_spec(ledger).label}: nothing is booked there")
    from aidf.memo import memo_for_booked
    from aidf.service.core import Service

    service = Service(ledger)
    try:
        m = memo_for_booked(service, transaction_id)
    except LedgerError as e:
        raise InputError("transaction_id", str(e)) from None
    finally:
        service.close()
    html, pdf = m.write(out)
    typer.echo(f"{html}\n{pdf}\nsha256 {m.sha256}")


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main app."""
    app.command("serve")(serve)
    app.command("memo")(memo)
    app.add_typer(keys_app, name="keys")
