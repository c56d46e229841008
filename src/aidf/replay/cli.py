"""CLI commands of the replay area (registered on the main app by aidf.cli)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main app."""
