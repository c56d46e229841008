"""`aidf ledger`, `aidf license`, `aidf hold`: the ledger area's commands (defined in aidf.ledger.cli)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    from aidf.ledger.cli import register as ledger_commands

    ledger_commands(app)
