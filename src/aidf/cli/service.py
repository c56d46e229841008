"""`aidf serve`, `aidf keys`, `aidf memo`: the service area's commands (defined in aidf.service.cli)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    from aidf.service.cli import register as service_commands

    service_commands(app)
