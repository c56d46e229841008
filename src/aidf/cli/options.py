"""`aidf options FILE`: the changes that would let each transaction go with less, checked by the engine.

Reads the ledger and writes nothing: a ledger file that does not exist yet is read as empty (never
created), and options never book.
"""

from __future__ import annotations

import json

import typer

from aidf.cli.common import close, console, ledger_spec, open_store
from aidf.cli.decide import Format, read_transactions


def _answer_words(o) -> str:
    from aidf import people

    return people.outcome(o.outcome, o.authorization, o.review_policy)


def show(studied) -> None:
    from aidf import people
    from aidf.options.words import change_words

    out = console()
    for d, opts in studied:
        out.rule(f"[bold]{d.transaction_id}[/]  now: {people.decision_outcome(d)}")
        if not opts:
            from aidf.options import BOOKED

            out.print(BOOKED if BOOKED in d.warnings else "nothing to improve" if d.outcome.value == "NLR"
                      else "no option found")
        for n, o in enumerate(opts, 1):
            draws = f"; draws {people.tpp(sum(e.tpp for e in o.ledger_effects), d.date)}" if o.ledger_effects else ""
            out.print(f"{n:>2}. [bold]{change_words(o.change)}[/] -> {_answer_words(o)}{draws}", highlight=False)
            out.print(f"    {people.text(o.why)}", highlight=False)
            out.print(f"    [cyan]{o.cite}[/]", highlight=False)
            for w in o.warnings:
                out.print(f"    [yellow]rests on:[/] {people.text(w)}", highlight=False)


def _reader(ledger: str | None):
    """The ledger to read: a file not created yet reads as an empty ledger (nothing is written)."""
    from aidf.ledger import open_ledger

    spec = ledger_spec(ledger)
    if spec.spec == "memory" or (spec.path is not None and not spec.path.exists()):
        return open_ledger("memory")
    return open_store(ledger, quiet=True)[0]


def options(
    file: str = typer.Argument(..., help="transaction file: JSON or YAML object, JSON array, JSON Lines; - for stdin"),
    ledger: str = typer.Option(None, "--ledger", help="memory, a SQLite file, or a database URL (read only)"),
    rules: str = typer.Option(None, "--rules", help="rule set or timeline id"),
    format: Format = typer.Option(Format.json, "--format", help="json (the contract's options[]) or table"),
) -> None:
    """What would make each transaction permissible, or need less: each option re-decided, nothing booked."""
    from aidf.errors import InputError
    from aidf.ledger import LedgerError
    from aidf.options import options_many

    raw, single = read_transactions(file)
    store = _reader(ledger)
    try:
        studied = options_many(raw, store, rules)
    except LedgerError as e:
        raise InputError("ledger", str(e)) from None
    finally:
        close(store)
    if format == Format.table:
        show(studied)
        return
    from aidf.options import BOOKED

    out = [{"transaction_id": d.transaction_id, "outcome": d.outcome.value, "authorization": d.authorization,
            "review_policy": d.review_policy, "options": [o.model_dump(mode="json") for o in opts]}
           | ({"note": BOOKED} if BOOKED in d.warnings else {}) for d, opts in studied]
    typer.echo(json.dumps(out[0] if single else out, indent=2))


def register(app: typer.Typer) -> None:
    app.command("options")(options)
