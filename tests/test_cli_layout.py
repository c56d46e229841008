"""The command line lives in one package, one module per command group, each registering its own."""

from __future__ import annotations

import importlib
import pathlib

import typer

import aidf
from aidf.cli import COMMANDS

SRC = pathlib.Path(aidf.__file__).parent


def test_every_command_module_is_in_the_cli_package():
    assert all(module.startswith("aidf.cli.") for module, _ in COMMANDS.values())


def test_no_commands_are_defined_outside_the_cli_package():
    outside = [p.relative_to(SRC).as_posix() for p in SRC.rglob("*.py")
               if p.parent.name != "cli" and "def register(app: typer.Typer)" in p.read_text(encoding="utf-8")]
    assert outside == []


def test_each_group_module_registers_the_commands_it_is_listed_for():
    for module in {m for m, _ in COMMANDS.values()}:
        app = typer.Typer()
        importlib.import_module(module).register(app)
        names = {c.name for c in app.registered_commands} | {g.name for g in app.registered_groups}
        listed = {name for name, (m, _) in COMMANDS.items() if m == module}
        assert names == listed, module
