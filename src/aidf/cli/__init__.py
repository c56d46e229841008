"""The `aidf` command line. One module per command group in this package; each has `register(app)`.

Commands load lazily: `aidf --help` lists them from the table below without importing the engine,
the ledger or the service, and running a command imports only its own module. Adding a command
group is one module here and one line per command in COMMANDS.
"""

from __future__ import annotations

import importlib
import sys

import typer
from typer import (
    _click as click,  # the click Typer carries inside it (its exceptions are the ones it handles)
)
from typer.core import TyperCommand, TyperGroup

from aidf.cite import EAR
from aidf.errors import InputError

# command -> (module that registers it, one line of help for `aidf --help`)
COMMANDS: dict[str, tuple[str, str]] = {
    "classify": ("aidf.cli.classify", "Classify a chip or a computer carrying it: ECCN, TPP, density, and why."),
    "catalog": ("aidf.cli.classify", "List the accelerator catalog with each chip's computed class."),
    "decide": ("aidf.cli.decide", "Decide transactions in order and book them (or --dry-run)."),
    "options": ("aidf.cli.options", "What would let each transaction go with less, each option checked by the engine."),
    "rules": ("aidf.cli.rules", "List the rule sets, or a parameter file's dated values."),
    "ledger": ("aidf.cli.ledger", "Allocation ledger: accounts, transfers, audit."),
    "license": ("aidf.cli.license", "Licenses and the TPP drawn on them."),
    "hold": ("aidf.cli.hold", "Shipments on hold pending a license or review."),
    "serve": ("aidf.cli.service", "Start the REST API and the web dashboard."),
    "keys": ("aidf.cli.keys", "API keys with roles (viewer, analyst, officer, admin)."),
    "memo": ("aidf.cli.memo", "Write the determination memo of a booked transaction (HTML, PDF)."),
    "replay": ("aidf.cli.replay", "Replay a whole order book through the rules (columnar)."),
    "compare": ("aidf.cli.compare", "Compare one order book under several rule sets, timelines and reforms."),
    "lists": ("aidf.cli.screening", "Restricted-party lists: load versions, show them, clear false positives."),
    "screen": ("aidf.cli.screening", "Screen a name (or a file of parties) against the restricted-party lists."),
}


class LazyGroup(TyperGroup):
    """Lists commands from COMMANDS; imports a command's module only when that command runs."""

    _listing = False

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, short = COMMANDS[name]
        if self._listing:
            return TyperCommand(name, help=short, short_help=short)
        return load(module).get_command(ctx, name)

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False

    def resolve_command(self, ctx: click.Context, args: list[str]):
        name = args[0] if args else ""
        if name and name not in COMMANDS and not name.startswith("-"):
            from aidf.people import did_you_mean

            hint = did_you_mean(name, COMMANDS)
            raise click.exceptions.UsageError(f"no command {name!r}. {hint or 'See aidf --help.'}".strip(), ctx)
        return super().resolve_command(ctx, args)


def load(module: str) -> click.Group:
    """The click group holding a command module's commands, with refused input made one line."""
    sub = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    importlib.import_module(module).register(sub)
    _wrap(sub)
    return typer.main.get_group(sub)


app = typer.Typer(cls=LazyGroup, no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
                  help=f"aidf: license determinations under the AI Diffusion framework ({EAR}), explained.")


@app.callback()
def _root() -> None:
    """aidf: license determinations under the AI Diffusion framework (15 CFR), explained."""


def _wrap(t: typer.Typer) -> None:
    from aidf.cli.common import refusing

    for cmd in t.registered_commands:
        if cmd.callback is not None and not getattr(cmd.callback, "refusing", False):
            cmd.callback = refusing(cmd.callback)
    for group in t.registered_groups:
        if group.typer_instance is not None:
            _wrap(group.typer_instance)


def main() -> None:
    try:
        app(standalone_mode=True)
    except InputError as e:
        typer.echo(f"error: {e}", err=True)
        sys.exit(2)
