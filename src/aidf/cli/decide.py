"""`aidf decide FILE`: decisions in the contract's JSON, or explained for people in tables."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer

from aidf.cli.common import close, open_store, say
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
    except UnicodeDecodeError:
        raise InputError("FILE", f"{path} is not a text file (JSON, JSON Lines or YAML)") from None
    stripped = text.strip()
    if not stripped:
        raise InputError("FILE", f"{path} is empty: no transactions to decide")
    data = _parse(stripped)
    if isinstance(data, list):
        return data, False
    if isinstance(data, dict):
        return [data], True
    raise InputError("FILE", "expected a transaction object, an array of them, or JSON Lines")


def _parse(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as first:
        lines = [ln for ln in text.splitlines() if ln.strip()]
        if text.startswith("{") and len(lines) > 1:
            try:
                return [json.loads(ln) for ln in lines]
            except json.JSONDecodeError:
                pass
        if text[:1] in "[{":  # meant as JSON: say where it breaks, not what YAML thinks
            raise InputError("FILE", f"not valid JSON: {first.msg} at line {first.lineno}, "
                                     f"column {first.colno}") from None
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(e, "problem", None) or "cannot be read"
        raise InputError("FILE", f"neither JSON nor YAML: {problem}{where}") from None


def _dry_run_store(given: str | None):
    """A scratch copy of the ledger, so a dry run sees the draws already booked and writes nothing."""
    from aidf.cli.common import ledger_spec
    from aidf.ledger import open_ledger

    s = ledger_spec(given)
    if s.spec == "memory" or (s.path is not None and not s.path.exists()):
        return open_ledger("memory"), s, None
    if s.path is None:
        raise InputError("--dry-run", "a dry run copies the ledger first, which works for SQLite files; "
                                      "for a database, run against a copy")
    import sqlite3
    import tempfile

    scratch = Path(tempfile.mkdtemp(prefix="aidf-dry-run-")) / "ledger.sqlite"
    src = sqlite3.connect(f"file:{s.path}?mode=ro", uri=True)
    dst = sqlite3.connect(scratch)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    return open_ledger(str(scratch)), s, scratch.parent


def _announce(decisions, already: set[str], label: str, dry_run: bool) -> None:
    from aidf.model import Outcome

    new = [d for d in decisions if d.transaction_id not in already]
    holds = sum(d.outcome in (Outcome.LICENSE_REQUIRED, Outcome.NEEDS_REVIEW) for d in new)
    n = len(new)
    if dry_run:
        say(f"dry run: decided {len(decisions)} transaction{'s' * (len(decisions) != 1)} against {label}; "
            f"nothing was booked and no hold was placed ({holds} would be)")
        return
    text = f"booked {n} decision{'s' * (n != 1)} into {label}; {holds} hold{'s' * (holds != 1)} placed"
    if already:
        text += f"; {len(already)} already booked, unchanged"
    say(text)


def _decide(txs, store, rules, actor) -> tuple[list, set[str]]:
    from aidf.engine import decide_many
    from aidf.ledger import IdempotencyConflict, LedgerError

    already = {tx.id for tx in txs if store.find(tx.id) is not None}
    try:
        return decide_many(txs, store, rules, actor=actor), already
    except IdempotencyConflict as e:
        raise InputError("id", str(e)) from None
    except LedgerError as e:
        raise InputError("ledger", str(e)) from None


def _options(txs, store, rules):
    from aidf.options import options_many

    return options_many(txs, store, rules)


def decide(
    file: str = typer.Argument(..., help="transaction file: JSON or YAML object, JSON array, JSON Lines; - for stdin"),
    ledger: str = typer.Option(None, "--ledger", help="memory, a SQLite file, or a database URL "
                                                      "(default: $AIDF_LEDGER or .aidf/ledger.sqlite)"),
    rules: str = typer.Option(None, "--rules", help="rule set id (default ai-diffusion-2025)"),
    format: Format = typer.Option(Format.json, "--format", help="json (the contract, with its trace) or table"),
    explain_: bool = typer.Option(False, "--explain", help="with --format table: every rule asked, numbered, "
                                                           "with its citation"),
    dry_run: bool = typer.Option(False, "--dry-run", help="decide the whole file in order without booking "
                                                          "anything or placing holds"),
    actor: str = typer.Option(None, "--actor", help="who decides, for the audit log (default: $AIDF_ACTOR "
                                                    "or the login name)"),
    options: bool = typer.Option(False, "--options", help="add options[]: changes that would let each go with less"),
) -> None:
    """Decide transactions in order and BOOK them in the ledger (each sees the draws of those before it);
    shipments needing a license or review are put on hold. --dry-run books nothing."""
    from aidf.cli.ledger_args import actor_name
    from aidf.engine import parse_many
    from aidf.rules.ruleset import RULE_IDS

    if rules and rules not in RULE_IDS:
        raise InputError("--rules", f"unknown rule set or timeline {rules!r}; allowed: {', '.join(RULE_IDS)}")
    raw, single = read_transactions(file)
    if not raw:
        raise InputError("FILE", f"{file} holds no transactions: nothing to decide")
    txs = parse_many(raw)
    store, spec, scratch = _dry_run_store(ledger) if dry_run else (*open_store(ledger, quiet=True), None)
    try:
        studied = options and _options(txs, store, rules)  # studied before booking: the view each decision sees
        decisions, already = _decide(txs, store, rules, actor_name(actor))
        if studied:
            decisions = [d.model_copy(update={"options": o}) for d, (_, o) in zip(decisions, studied, strict=True)]
    finally:
        close(store)
        if scratch is not None:
            import shutil

            shutil.rmtree(scratch, ignore_errors=True)
    if spec.new and not dry_run:
        say(f"created a new ledger at {spec.label}")
    _announce(decisions, already, spec.label, dry_run)
    if format == Format.table:
        from aidf.cli.explain import explain

        explain(decisions, trace=explain_)
        if options:
            from aidf.cli.options import show

            show([(d, d.options or []) for d in decisions])
        return
    if explain_:
        say("note: --explain applies to --format table; the JSON carries the trace")
    out = [d.model_dump(mode="json") for d in decisions]
    typer.echo(json.dumps(out[0] if single else out, indent=2))


def register(app: typer.Typer) -> None:
    app.command("decide")(decide)
