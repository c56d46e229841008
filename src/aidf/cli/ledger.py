"""`aidf ledger ...`: the allocation ledger's accounts, transfers and audit.

Amounts and refusals as in `aidf.cli.ledger_args`.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from aidf.cli import ledger_args as args
from aidf.errors import InputError

ledger_app = typer.Typer(no_args_is_help=True, help="Allocation ledger: accounts, transfers, audit.")


def register(app: typer.Typer) -> None:
    """Add `aidf ledger` to the main app."""
    app.add_typer(ledger_app, name="ledger")


@ledger_app.command("init")
@args.guarded
def init(ledger: args.LedgerOpt = None) -> None:
    """Create the ledger (or bring its schema up to date)."""
    led = args.opened(ledger)
    typer.echo(f"ledger ready: {led.label}")


@ledger_app.command("accounts")
@args.guarded
def accounts(ledger: args.LedgerOpt = None, kind: Annotated[str | None, typer.Option(help="only this kind")] = None,
             as_json: args.JsonOpt = False) -> None:
    """List accounts with posted, live pending and used TPP."""
    rows = args.opened(ledger).accounts(kind)
    if as_json:
        return args.print_json(rows)
    from aidf.people import account as in_words
    args.rows_table("accounts", ["account", "what", "posted TPP", "pending TPP", "used TPP", "last limit TPP"],
                    [[r["id"], in_words(r["id"]), args.tpp(r["posted"]), args.tpp(r["pending"]), args.tpp(r["used"]),
                      args.tpp(r["last_limit"])]
                     for r in rows])


@ledger_app.command("balance")
@args.guarded
def balance(account: Annotated[str, typer.Argument(help="account id, e.g. country_allocation:country=AE:...")],
            ledger: args.LedgerOpt = None, as_json: args.JsonOpt = False) -> None:
    """One account's balance."""
    b = args.opened(ledger).balance(account)
    if as_json:
        return args.print_json(b)
    args.rows_table(account, ["posted TPP", "pending TPP", "used TPP", "last limit TPP"],
                    [[args.tpp(b["posted"]), args.tpp(b["pending"]), args.tpp(b["used"]),
                      args.tpp(b["last_limit"])]])


@ledger_app.command("history")
@args.guarded
def history(account: str, ledger: args.LedgerOpt = None, as_json: args.JsonOpt = False) -> None:
    """Every transfer on an account, oldest first."""
    from aidf.ledger.common import from_us
    rows = args.opened(ledger).history(account)
    if as_json:
        return args.print_json(rows)
    args.rows_table(f"history of {account}", ["transfer", "kind", "TPP", "limit TPP", "as of", "at", "by", "note"],
                    [[r["id"], r["kind"], args.tpp(r["amount"]), args.tpp(r["limit"]), r["as_of"], from_us(r["at_us"]),
                      r["actor"], r["note"]] for r in rows])


@ledger_app.command("post")
@args.guarded
def post(ids: Annotated[list[str], typer.Argument(help="pending transfer ids or transaction ids")],
         ledger: args.LedgerOpt = None, actor: args.ActorOpt = None,
         amount: Annotated[str | None, typer.Option("--tpp", help="post less than reserved (one transfer)")] = None,
         note: Annotated[str | None, typer.Option(help="why")] = None) -> None:
    """Post pending transfers (all or none)."""
    milli = args.parse_tpp(amount, "--tpp") if amount is not None else None
    for tid in args.opened(ledger).post(ids, amount=milli, actor=args.actor_name(actor), note=note):
        typer.echo(f"posted {tid}")


@ledger_app.command("void")
@args.guarded
def void(ids: list[str], ledger: args.LedgerOpt = None, actor: args.ActorOpt = None,
         reason: Annotated[str | None, typer.Option(help="why")] = None) -> None:
    """Void pending transfers (all or none)."""
    for tid in args.opened(ledger).void(ids, actor=args.actor_name(actor), reason=reason):
        typer.echo(f"voided {tid}")


@ledger_app.command("expire")
@args.guarded
def expire(ids: Annotated[list[str] | None, typer.Argument(help="pending transfer ids or transaction ids")] = None,
           before: Annotated[str | None, typer.Option("--before", help="reservations made before this date "
                                                                      "(YYYY-MM-DD, UTC)")] = None,
           yes: Annotated[bool, typer.Option("--yes", help="void them (without it: only list them)")] = False,
           ledger: args.LedgerOpt = None, actor: args.ActorOpt = None) -> None:
    """Void old reservations: they never lapse by the clock. Lists what it would void; voids with --yes."""
    if (before is None) == (not ids):
        raise InputError("--before/ids", "give --before DATE or transfer ids (exactly one)")
    day = args.parse_date(before, "--before") if before is not None else None
    done = args.opened(ledger).expire(before=day, ids=ids or None, yes=yes, actor=args.actor_name(actor))
    for tid in done:
        typer.echo(f"{'expired' if yes else 'would expire'} {tid}")
    typer.echo(f"{'expired' if yes else 'would expire'} {len(done)} pending transfer(s)"
               + ("" if yes or not done else "; run again with --yes to void them"))


@ledger_app.command("verify")
@args.guarded
def verify(ledger: args.LedgerOpt = None,
           expect_head: Annotated[str | None, typer.Option("--expect-head", help="SEQ:HASH kept from `aidf ledger "
                                                                                 "head`: detects truncation")] = None,
           ) -> None:
    """Recompute the keyed audit chain, every record against it, and the balances; exit 1 if altered."""
    report = args.opened(ledger).verify(expect_head)
    typer.echo(str(report), err=not report.ok)
    if not report.ok:
        raise typer.Exit(1)


@ledger_app.command("head")
@args.guarded
def head(ledger: args.LedgerOpt = None) -> None:
    """Print the signed chain head (SEQ:HASH); keep it elsewhere and pass it to verify --expect-head."""
    typer.echo(args.opened(ledger).head())


@ledger_app.command("export")
@args.guarded
def export(ledger: args.LedgerOpt = None,
           out: Annotated[str | None, typer.Option(help="file to write (default: stdout)")] = None) -> None:
    """Every row of every ledger table as JSON Lines."""
    stream = open(out, "w", encoding="utf-8") if out else sys.stdout
    try:
        for rec in args.opened(ledger).export():
            stream.write(json.dumps(rec, sort_keys=True, default=str) + "\n")
    finally:
        if out:
            stream.close()


@ledger_app.command("arrangement")
@args.guarded
def arrangement(country: str, since: str, reference: str, ledger: args.LedgerOpt = None,
                actor: args.ActorOpt = None) -> None:
    """Record a government-to-government arrangement for a country, in force from SINCE."""
    from aidf.model import check_country
    try:
        code = check_country(country)
    except ValueError as e:
        raise InputError("country", str(e)) from None
    args.opened(ledger).record_arrangement(code, args.parse_date(since, "since"), reference,
                                           actor=args.actor_name(actor))
    typer.echo(f"arrangement recorded for {code} from {since}: {reference}")
