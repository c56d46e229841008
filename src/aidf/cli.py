"""The `aidf` command line: classify, catalog, decide, rules; ledger, license, hold; serve, keys, memo; replay.

Each area registers its own commands (ledger/cli.py, service/cli.py, replay/cli.py) so that the
command tree mirrors the package.
"""

from __future__ import annotations

import functools
import sys

import typer

from aidf.errors import InputError

app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
                  help="aidf: license determinations under the AI Diffusion framework (15 CFR), explained.")


def _register() -> None:
    from aidf import classify_cli, decide_cli
    from aidf.ledger import cli as ledger_cli
    from aidf.replay import cli as replay_cli
    from aidf.screening import cli as screening_cli
    from aidf.service import cli as service_cli

    for module in (classify_cli, decide_cli, ledger_cli, service_cli, replay_cli, screening_cli):
        module.register(app)


def _refusing(callback):
    """Turn InputError into a one-line `error: field: reason` on stderr and exit code 2."""

    @functools.wraps(callback)
    def run(*args, **kwargs):
        try:
            return callback(*args, **kwargs)
        except InputError as e:
            typer.echo(f"error: {e}", err=True)
            raise typer.Exit(2) from None

    return run


def _wrap(t: typer.Typer) -> None:
    for cmd in t.registered_commands:
        if cmd.callback is not None and not getattr(cmd.callback, "__wrapped__", None):
            cmd.callback = _refusing(cmd.callback)
    for group in t.registered_groups:
        if group.typer_instance is not None:
            _wrap(group.typer_instance)


_register()
_wrap(app)


def main() -> None:
    try:
        app(standalone_mode=True)
    except InputError as e:
        typer.echo(f"error: {e}", err=True)
        sys.exit(2)
