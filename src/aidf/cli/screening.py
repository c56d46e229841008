"""`aidf lists`, `aidf screen`: restricted-party screening (defined in aidf.screening.cli)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    from aidf.screening.cli import register as screening_commands

    screening_commands(app)
