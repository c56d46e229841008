"""`aidf decide FILE` and `aidf rules`: decisions in the contract's JSON, or explained with Rich."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer
import yaml
from rich.console import Console
from rich.table import Table

from aidf.errors import InputError


class Format(StrEnum):
    json = "json"
    table = "table"


def read_transactions(path: str) -> tuple[list[Any], bool]:
    """A file holds one transaction (JSON or YAML), a JSON array, or JSON Lines. Returns (list, was_single)."""
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text()
    except OSError as e:
        raise InputError("FILE", f"cannot read {path}: {e.strerror}") from None
    stripped = text.strip()
    if not stripped:
        raise InputError("FILE", "the file is empty")
    try:
        data = json.loads(stripped)
    except json.JSONDecodeError:
        lines = [ln for ln in stripped.splitlines() if ln.strip()]
        if stripped.startswith("{") and len(lines) > 1:
            try:
                return [json.loads(ln) for ln in lines], False
            except json.JSONDecodeError as e:
                raise InputError("FILE", f"not JSON, a JSON array or JSON Lines: {e.msg} at line {e.lineno}") from None
        try:
            data = yaml.safe_load(stripped)
        except yaml.YAMLError as e:
            raise InputError("FILE", f"neither JSON nor YAML: {e}") from None
    if isinstance(data, list):
        return data, False
    if isinstance(data, dict):
        return [data], True
    raise InputError("FILE", "expected a transaction object, an array of them, or JSON Lines")


def explain(decisions, console: Console) -> None:
    for d in decisions:
        head = f"[bold]{d.transaction_id}[/]  {d.outcome.value}"
        if d.authorization:
            head += f" under {d.authorization}"
        if d.review_policy:
            head += f" ({d.review_policy.replace('_', ' ')})"
        console.rule(head)
        console.print(f"rule set {d.rules.id}: {d.rules.status}")
        items = Table("line", "item", "ECCN", "TPP/unit", "TPP total", "outcome", "authorization", "review", title="items")
        for it in d.items:
            items.add_row(str(it.line), it.description, it.eccn or "-", f"{it.tpp:,.1f}" if it.tpp else "-",
                          f"{it.tpp_total:,.1f}" if it.tpp_total else "-", it.outcome.value, it.authorization or "-",
                          it.review_policy or "-")
        console.print(items)
        console.print("[bold]trace[/]")
        for n, t in enumerate(d.trace, 1):
            where = "" if t.line is None else f"[dim]line {t.line}[/] "
            console.print(f"{n:>3}. {where}[bold]{t.rule}[/] [cyan]({t.cite})[/] -> {t.result}: {t.why}",
                          highlight=False)
        if d.ledger_effects:
            eff = Table("account", "TPP", "limit", title="ledger effects")
            for e in d.ledger_effects:
                eff.add_row(e.account.id, f"{e.tpp:,.1f}", "-" if e.limit_tpp is None else f"{e.limit_tpp:,.0f}")
            console.print(eff)
        if d.duties:
            du = Table("duty", "cite", "when", title="duties")
            for x in d.duties:
                du.add_row(x.what, x.cite, x.when or "")
            console.print(du)
        for w in d.warnings:
            console.print(f"[yellow]warning:[/] {w}")


def _options(txs, store, rules):
    from aidf.options import options_many

    return options_many(txs, store, rules)


def register(app: typer.Typer) -> None:
    @app.command()
    def decide(
        file: str = typer.Argument(..., help="transaction file: JSON or YAML object, JSON array, JSON Lines; - for stdin"),
        ledger: str = typer.Option(None, "--ledger", help="memory, a SQLite file, or a database URL (default: the embedded file)"),
        rules: str = typer.Option(None, "--rules", help="rule set id (default ai-diffusion-2025)"),
        format: Format = typer.Option(Format.json, "--format", help="json (the contract) or table"),
        explain_: bool = typer.Option(False, "--explain", help="print every rule asked, with its citation"),
        actor: str = typer.Option(None, "--actor", help="who decides, for the audit log (default: $AIDF_ACTOR or the login name)"),
        options: bool = typer.Option(False, "--options", help="add options[]: changes that would let each go with less"),
    ) -> None:
        """Decide transactions in order; each sees the draws of those before it."""
        from aidf.engine import decide_many, parse_many
        from aidf.ledger import IdempotencyConflict, LedgerError, open_ledger
        from aidf.ledger.cli import actor_name
        from aidf.rules.ruleset import get_ruleset

        if rules:
            get_ruleset(rules)
        raw, single = read_transactions(file)
        txs = parse_many(raw)
        store = open_ledger(ledger)
        try:
            studied = options and _options(txs, store, rules)  # studied before booking: the view each decision sees
            decisions = decide_many(txs, store, rules, actor=actor_name(actor))
            if studied:
                decisions = [d.model_copy(update={"options": o}) for d, (_, o) in zip(decisions, studied, strict=True)]
        except IdempotencyConflict as e:
            raise InputError("id", str(e)) from None
        except LedgerError as e:
            raise InputError("ledger", str(e)) from None
        finally:
            close = getattr(store, "close", None)
            if close:
                close()
        if explain_ or format == Format.table:
            explain(decisions, Console())
            return
        out = [d.model_dump(mode="json") for d in decisions]
        typer.echo(json.dumps(out[0] if single else out, indent=2))

    @app.command("rules")
    def rules_cmd(
        path: str = typer.Argument(None, help="a parameter file, e.g. part740/lpp; none lists the rule sets"),
        date: str = typer.Option(None, "--date", help="as-of date for the values (default today)"),
        format: Format = typer.Option(Format.table, "--format"),
    ) -> None:
        """List the rule sets, or a parameter file's values with their dates and citations."""
        import datetime as dt

        from aidf.rules.parameters import all_values
        from aidf.rules.ruleset import RULESETS

        on = dt.date.fromisoformat(date) if date else dt.date.today()
        if path is None:
            rows = []
            for r in RULESETS.values():
                status, in_force, enforced, _ = r.status(on)
                rows.append({"id": r.id, "title": r.title, "status": status, "in_force": in_force, "enforced": enforced})
            if format == Format.json:
                typer.echo(json.dumps(rows, indent=2))
                return
            t = Table("id", "title", "status", title=f"rule sets on {on}")
            for row in rows:
                t.add_row(row["id"], row["title"], row["status"])
            Console().print(t)
            return
        files = all_values()
        if path not in files:
            raise InputError("path", f"unknown parameter file {path!r}; known: {', '.join(sorted(files))}")
        rows = [{"name": name, "since": str(e.since), "value": e.value, "cite": e.cite, "status": e.status,
                 "in_force": e is max((x for x in hist if x.since <= on), key=lambda x: x.since, default=None)}
                for name, hist in files[path].items() for e in hist]
        if format == Format.json:
            typer.echo(json.dumps(rows, indent=2, default=str))
            return
        t = Table("name", "since", "value", "status", "cite", title=f"{path} (values in force on {on} marked *)")
        for row in rows:
            t.add_row(("* " if row["in_force"] else "  ") + row["name"], row["since"], str(row["value"])[:60], row["status"], row["cite"])
        Console().print(t)
