"""`aidf classify` and `aidf catalog`."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the classification commands to the main app."""
