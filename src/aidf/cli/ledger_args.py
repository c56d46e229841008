"""What the ledger's command groups (`aidf ledger`, `aidf license`, `aidf hold`) and the commands that
name a ledger share: the options, one-line refusals, TPP and dates as typed, tables.

Amounts on the command line are TPP (decimals allowed to 1/1000); the store keeps milli-TPP.
Bad input prints one line `error: <field>: <reason>` and exits with code 2.
"""

from __future__ import annotations

import datetime as dt
import functools
import getpass
import json
import os
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from aidf.errors import InputError
from aidf.ledger.base import MILLI, LedgerError
from aidf.ledger.bounds import MAX_LINE_MILLI

LedgerOpt = Annotated[str | None, typer.Option("--ledger", help="memory | FILE | URL (default: $AIDF_LEDGER "
                                                                "or .aidf/ledger.sqlite)")]
ActorOpt = Annotated[str | None, typer.Option("--actor", help="who does this (default: $AIDF_ACTOR or the "
                                                              "login name)")]
JsonOpt = Annotated[bool, typer.Option("--json", help="print JSON instead of a table")]


def _fail(field: str, reason: str) -> None:
    typer.echo(f"error: {field}: {reason}", err=True)
    raise typer.Exit(2)


def guarded(fn):
    """Turn refused input and ledger refusals into one line on stderr and exit code 2."""
    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except InputError as e:
            _fail(e.field, e.reason)
        except LedgerError as e:
            _fail("ledger", str(e))
    return run


def opened(spec: str | None):
    """The ledger, created only in an existing folder (and announced); any failure is one line."""
    from aidf.cli.common import open_store
    return open_store(spec)[0]


def actor_name(actor: str | None) -> str:
    name = actor or os.environ.get("AIDF_ACTOR")
    if not name:
        try:
            name = getpass.getuser()
        except Exception:
            name = "unknown"
    if not name.strip():
        raise InputError("--actor", "must not be empty")
    return name.strip()


def parse_tpp(text: str, field: str) -> int:
    """TPP given as a decimal (at most 3 decimals) -> milli-TPP; must be > 0."""
    try:
        value = Decimal(text.replace(",", "").replace("_", ""))
    except InvalidOperation:
        raise InputError(field, f"not a number: {text!r}") from None
    milli = value * MILLI
    if not milli.is_finite() or milli != milli.to_integral_value():
        raise InputError(field, "TPP has at most 3 decimals")
    if milli <= 0:
        raise InputError(field, "must be > 0")
    if milli > MAX_LINE_MILLI:
        raise InputError(field, f"past the ledger's bound of {MAX_LINE_MILLI // MILLI:.0e} TPP")
    return int(milli)


def parse_date(text: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(field, f"not a date YYYY-MM-DD: {text!r}") from None


def tpp(milli: int | None) -> str:
    """TPP for people: separators, exact to the milli-TPP, no trailing zeros."""
    from aidf.people import number
    return "" if milli is None else number(Decimal(milli) / MILLI, 3)


def print_json(obj: Any) -> None:
    typer.echo(json.dumps(obj, indent=2, default=str, sort_keys=True))


def rows_table(title: str, columns: list[str], rows: list[list[Any]]) -> None:
    t = Table(title=title)
    for c in columns:
        t.add_column(c, overflow="fold", justify="right" if c.endswith("TPP") or c in ("posted", "pending", "used") else "left")
    for r in rows:
        t.add_row(*["" if v is None else str(v) for v in r])
    Console().print(t)
