"""`aidf keys ...`: API keys with roles, and the keyed audit chain of what was done with them."""

from __future__ import annotations

from typing import Annotated

import typer

from aidf.cli.ledger_args import LedgerOpt
from aidf.errors import InputError

keys_app = typer.Typer(no_args_is_help=True, help="API keys with roles (viewer, analyst, officer, admin).")


def register(app: typer.Typer) -> None:
    """Add `aidf keys` to the main app."""
    app.add_typer(keys_app, name="keys")


def _keys(ledger: str | None):
    from aidf.service.keys import KeyStore, keys_url

    if ledger == "memory":
        raise InputError("--ledger", "keys in a memory ledger vanish when this command ends; name a file or URL")
    return KeyStore(keys_url(ledger))


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
