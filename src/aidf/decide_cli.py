"""`aidf decide` and `aidf rules` (filled in by the engine work)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the decision commands to the main app."""
