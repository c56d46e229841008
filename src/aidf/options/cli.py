"""`aidf options FILE`: the changes that would let each transaction go with less, checked by the engine."""

from __future__ import annotations

import json

import typer

from aidf.decide_cli import Format, read_transactions
from aidf.options.words import change_words


def _answer_words(o) -> str:
    text = o.outcome.value.replace("_", " ").lower()
    if o.authorization:
        text += f" under {o.authorization}"
    if o.review_policy:
        text += f" ({o.review_policy.replace('_', ' ')})"
    return text




def show(studied, console) -> None:
    for d, opts in studied:
        head = f"[bold]{d.transaction_id}[/]  now: {d.outcome.value.replace('_', ' ').lower()}"
        console.rule(head + (f" ({d.review_policy.replace('_', ' ')})" if d.review_policy else ""))
        if not opts:
            console.print("nothing to improve" if d.outcome.value == "NLR" else "no option found")
        for n, o in enumerate(opts, 1):
            draws = f"; draws {sum(e.tpp for e in o.ledger_effects):,.1f} TPP" if o.ledger_effects else ""
            console.print(f"{n:>2}. [bold]{change_words(o.change)}[/] -> {_answer_words(o)}{draws}", highlight=False)
            console.print(f"    {o.why}", highlight=False)
            console.print(f"    [cyan]{o.cite}[/]", highlight=False)
            for w in o.warnings:
                console.print(f"    [yellow]rests on:[/] {w}", highlight=False)


def register(app: typer.Typer) -> None:
    @app.command("options")
    def options_cmd(
        file: str = typer.Argument(..., help="transaction file: JSON or YAML object, JSON array, JSON Lines; - for stdin"),
        ledger: str = typer.Option(None, "--ledger", help="memory, a SQLite file, or a database URL (read only here)"),
        rules: str = typer.Option(None, "--rules", help="rule set id"),
        format: Format = typer.Option(Format.json, "--format", help="json (the contract's options[]) or table"),
    ) -> None:
        """What would make each transaction permissible, or need less: each option re-decided, nothing booked."""
        from rich.console import Console

        from aidf.errors import InputError
        from aidf.ledger import LedgerError, open_ledger
        from aidf.options import options_many

        raw, single = read_transactions(file)
        store = open_ledger(ledger)
        try:
            studied = options_many(raw, store, rules)
        except LedgerError as e:
            raise InputError("ledger", str(e)) from None
        finally:
            close = getattr(store, "close", None)
            if close:
                close()
        if format == Format.table:
            show(studied, Console())
            return
        out = [{"transaction_id": d.transaction_id, "outcome": d.outcome.value, "authorization": d.authorization,
                "review_policy": d.review_policy, "options": [o.model_dump(mode="json") for o in opts]}
               for d, opts in studied]
        typer.echo(json.dumps(out[0] if single else out, indent=2))
