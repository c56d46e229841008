"""`aidf ledger ...`: the allocation ledger's accounts, transfers and audit.

Amounts are TPP as typed (decimals to 1/1000); bad input is one line `error: <field>: <reason>`, exit 2.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from aidf.cli.ledger_args import (
    ActorOpt,
    JsonOpt,
    LedgerOpt,
    actor_name,
    guarded,
    opened,
    parse_date,
    parse_tpp,
    print_json,
    rows_table,
    tpp,
)
from aidf.errors import InputError

ledger_app = typer.Typer(no_args_is_help=True, help="Allocation ledger: accounts, transfers, audit.")


def register(app: typer.Typer) -> None:
    """Add `aidf ledger` to the main app."""
    app.add_typer(ledger_app, name="ledger")


@ledger_app.command("init")
@guarded
def init(ledger: LedgerOpt = None) -> None:
    """Create the ledger (or bring its schema up to date)."""
    led = opened(ledger)
    typer.echo(f"ledger ready: {led.label}")


@ledger_app.command("accounts")
@guarded
def accounts(ledger: LedgerOpt = None, kind: Annotated[str | None, typer.Option(help="only this kind")] = None,
             as_json: JsonOpt = False) -> None:
    """List accounts with posted, live pending and used TPP."""
    rows = opened(ledger).accounts(kind)
    if as_json:
        return print_json(rows)
    from aidf.people import account as in_words
    rows_table("accounts", ["account", "what", "posted TPP", "pending TPP", "used TPP", "last limit TPP"],
           [[r["id"], in_words(r["id"]), tpp(r["posted"]), tpp(r["pending"]), tpp(r["used"]), tpp(r["last_limit"])]
            for r in rows])


@ledger_app.command("balance")
@guarded
def balance(account: Annotated[str, typer.Argument(help="account id, e.g. country_allocation:country=AE:...")],
            ledger: LedgerOpt = None, as_json: JsonOpt = False) -> None:
    """One account's balance."""
    b = opened(ledger).balance(account)
    if as_json:
        return print_json(b)
    rows_table(account, ["posted TPP", "pending TPP", "used TPP", "last limit TPP"],
           [[tpp(b["posted"]), tpp(b["pending"]), tpp(b["used"]), tpp(b["last_limit"])]])


@ledger_app.command("history")
@guarded
def history(account: str, ledger: LedgerOpt = None, as_json: JsonOpt = False) -> None:
    """Every transfer on an account, oldest first."""
    from aidf.ledger.common import from_us
    rows = opened(ledger).history(account)
    if as_json:
        return print_json(rows)
    rows_table(f"history of {account}", ["transfer", "kind", "TPP", "limit TPP", "as of", "at", "by", "note"],
           [[r["id"], r["kind"], tpp(r["amount"]), tpp(r["limit"]), r["as_of"], from_us(r["at_us"]),
             r["actor"], r["note"]] for r in rows])


@ledger_app.command("post")
@guarded
def post(ids: Annotated[list[str], typer.Argument(help="pending transfer ids or transaction ids")],
         ledger: LedgerOpt = None, actor: ActorOpt = None,
         amount: Annotated[str | None, typer.Option("--tpp", help="post less than reserved (one transfer)")] = None,
         note: Annotated[str | None, typer.Option(help="why")] = None) -> None:
    """Post pending transfers (all or none)."""
    milli = parse_tpp(amount, "--tpp") if amount is not None else None
    for tid in opened(ledger).post(ids, amount=milli, actor=actor_name(actor), note=note):
        typer.echo(f"posted {tid}")


@ledger_app.command("void")
@guarded
def void(ids: list[str], ledger: LedgerOpt = None, actor: ActorOpt = None,
         reason: Annotated[str | None, typer.Option(help="why")] = None) -> None:
    """Void pending transfers (all or none)."""
    for tid in opened(ledger).void(ids, actor=actor_name(actor), reason=reason):
        typer.echo(f"voided {tid}")


@ledger_app.command("expire")
@guarded
def expire(ids: Annotated[list[str] | None, typer.Argument(help="pending transfer ids or transaction ids")] = None,
           before: Annotated[str | None, typer.Option("--before", help="reservations made before this date "
                                                                      "(YYYY-MM-DD, UTC)")] = None,
           yes: Annotated[bool, typer.Option("--yes", help="void them (without it: only list them)")] = False,
           ledger: LedgerOpt = None, actor: ActorOpt = None) -> None:
    """Void old reservations: they never lapse by the clock. Lists what it would void; voids with --yes."""
    if (before is None) == (not ids):
        raise InputError("--before/ids", "give --before DATE or transfer ids (exactly one)")
    day = parse_date(before, "--before") if before is not None else None
    done = opened(ledger).expire(before=day, ids=ids or None, yes=yes, actor=actor_name(actor))
    for tid in done:
        typer.echo(f"{'expired' if yes else 'would expire'} {tid}")
    typer.echo(f"{'expired' if yes else 'would expire'} {len(done)} pending transfer(s)"
               + ("" if yes or not done else "; run again with --yes to void them"))


@ledger_app.command("verify")
@guarded
def verify(ledger: LedgerOpt = None,
           expect_head: Annotated[str | None, typer.Option("--expect-head", help="SEQ:HASH kept from `aidf ledger "
                                                                                 "head`: detects truncation")] = None,
           ) -> None:
    """Recompute the keyed audit chain, every record against it, and the balances; exit 1 if altered."""
    report = opened(ledger).verify(expect_head)
    typer.echo(str(report), err=not report.ok)
    if not report.ok:
        raise typer.Exit(1)


@ledger_app.command("head")
@guarded
def head(ledger: LedgerOpt = None) -> None:
    """Print the signed chain head (SEQ:HASH); keep it elsewhere and pass it to verify --expect-head."""
    typer.echo(opened(ledger).head())


@ledger_app.command("export")
@guarded
def export(ledger: LedgerOpt = None,
           out: Annotated[str | None, typer.Option(help="file to write (default: stdout)")] = None) -> None:
    """Every row of every ledger table as JSON Lines."""
    stream = open(out, "w", encoding="utf-8") if out else sys.stdout
    try:
        for rec in opened(ledger).export():
            stream.write(json.dumps(rec, sort_keys=True, default=str) + "\n")
    finally:
        if out:
            stream.close()


@ledger_app.command("arrangement")
@guarded
def arrangement(country: str, since: str, reference: str, ledger: LedgerOpt = None,
                actor: ActorOpt = None) -> None:
    """Record a government-to-government arrangement for a country, in force from SINCE."""
    from aidf.model import check_country
    try:
        code = check_country(country)
    except ValueError as e:
        raise InputError("country", str(e)) from None
    opened(ledger).record_arrangement(code, parse_date(since, "since"), reference, actor=actor_name(actor))
    typer.echo(f"arrangement recorded for {code} from {since}: {reference}")
