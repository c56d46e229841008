"""`aidf replay`: whole order books through the rules (defined in aidf.replay.cli)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    from aidf.replay.cli import register as replay_commands

    replay_commands(app)
