"""`aidf memo`: the determination memo of a booked transaction, as HTML and PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from aidf.cli.ledger_args import LedgerOpt
from aidf.errors import InputError


def register(app: typer.Typer) -> None:
    """Add `aidf memo` to the main app."""
    app.command("memo")(memo)


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
