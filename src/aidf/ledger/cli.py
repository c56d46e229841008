"""CLI commands of the ledger area: `aidf ledger ...`, `aidf license ...`, `aidf hold ...`.

Amounts on the command line are TPP (decimals allowed to 1/1000); the store keeps milli-TPP.
Bad input prints one line `error: <field>: <reason>` and exits with code 2.
"""

from __future__ import annotations

import datetime as dt
import functools
import getpass
import json
import os
import sys
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from aidf.errors import InputError
from aidf.ledger.base import MILLI, LedgerError

ledger_app = typer.Typer(no_args_is_help=True, help="Allocation ledger: accounts, transfers, audit.")
license_app = typer.Typer(no_args_is_help=True, help="Licenses and the TPP drawn on them.")
hold_app = typer.Typer(no_args_is_help=True, help="Shipments on hold pending a license or review.")

LedgerOpt = Annotated[str | None, typer.Option("--ledger", help="memory | FILE | URL (default: $AIDF_LEDGER "
                                                                "or .aidf/ledger.sqlite)")]
ActorOpt = Annotated[str | None, typer.Option("--actor", help="who does this (default: $AIDF_ACTOR or the "
                                                              "login name)")]
JsonOpt = Annotated[bool, typer.Option("--json", help="print JSON instead of a table")]


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main app."""
    app.add_typer(ledger_app, name="ledger")
    app.add_typer(license_app, name="license")
    app.add_typer(hold_app, name="hold")


# ---- helpers ------------------------------------------------------------------------------------

def _fail(field: str, reason: str) -> None:
    typer.echo(f"error: {field}: {reason}", err=True)
    raise typer.Exit(2)


def guarded(fn):
    """Turn refused input and ledger refusals into one line on stderr and exit code 2."""
    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except InputError as e:
            _fail(e.field, e.reason)
        except LedgerError as e:
            _fail("ledger", str(e))
    return run


def _open(spec: str | None):
    """The ledger, created only in an existing folder (and announced); any failure is one line."""
    from aidf.cli.common import open_store
    return open_store(spec)[0]


def actor_name(actor: str | None) -> str:
    name = actor or os.environ.get("AIDF_ACTOR")
    if not name:
        try:
            name = getpass.getuser()
        except Exception:
            name = "unknown"
    if not name.strip():
        raise InputError("--actor", "must not be empty")
    return name.strip()


def parse_tpp(text: str, field: str) -> int:
    """TPP given as a decimal (at most 3 decimals) -> milli-TPP; must be > 0."""
    try:
        value = Decimal(text.replace(",", "").replace("_", ""))
    except InvalidOperation:
        raise InputError(field, f"not a number: {text!r}") from None
    milli = value * MILLI
    if not milli.is_finite() or milli != milli.to_integral_value():
        raise InputError(field, "TPP has at most 3 decimals")
    if milli <= 0:
        raise InputError(field, "must be > 0")
    return int(milli)


def parse_date(text: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(field, f"not a date YYYY-MM-DD: {text!r}") from None


def tpp(milli: int | None) -> str:
    """TPP for people: separators, exact to the milli-TPP, no trailing zeros."""
    from aidf.people import number
    return "" if milli is None else number(Decimal(milli) / MILLI, 3)


def _print_json(obj: Any) -> None:
    typer.echo(json.dumps(obj, indent=2, default=str, sort_keys=True))


def _table(title: str, columns: list[str], rows: list[list[Any]]) -> None:
    t = Table(title=title)
    for c in columns:
        t.add_column(c, overflow="fold", justify="right" if c.endswith("TPP") or c in ("posted", "pending", "used") else "left")
    for r in rows:
        t.add_row(*["" if v is None else str(v) for v in r])
    Console().print(t)


# ---- aidf ledger ---------------------------------------------------------------------------------

@ledger_app.command("init")
@guarded
def init(ledger: LedgerOpt = None) -> None:
    """Create the ledger (or bring its schema up to date)."""
    led = _open(ledger)
    typer.echo(f"ledger ready: {led.label}")


@ledger_app.command("accounts")
@guarded
def accounts(ledger: LedgerOpt = None, kind: Annotated[str | None, typer.Option(help="only this kind")] = None,
             as_json: JsonOpt = False) -> None:
    """List accounts with posted, live pending and used TPP."""
    rows = _open(ledger).accounts(kind)
    if as_json:
        return _print_json(rows)
    from aidf.people import account as in_words
    _table("accounts", ["account", "what", "posted TPP", "pending TPP", "used TPP", "last limit TPP"],
           [[r["id"], in_words(r["id"]), tpp(r["posted"]), tpp(r["pending"]), tpp(r["used"]), tpp(r["last_limit"])]
            for r in rows])


@ledger_app.command("balance")
@guarded
def balance(account: Annotated[str, typer.Argument(help="account id, e.g. country_allocation:country=AE:...")],
            ledger: LedgerOpt = None, as_json: JsonOpt = False) -> None:
    """One account's balance."""
    b = _open(ledger).balance(account)
    if as_json:
        return _print_json(b)
    _table(account, ["posted TPP", "pending TPP", "expired (unswept) TPP", "used TPP", "last limit TPP"],
           [[tpp(b["posted"]), tpp(b["pending"]), tpp(b["expired_unswept"]), tpp(b["used"]), tpp(b["last_limit"])]])


@ledger_app.command("history")
@guarded
def history(account: str, ledger: LedgerOpt = None, as_json: JsonOpt = False) -> None:
    """Every transfer on an account, oldest first."""
    from aidf.ledger.common import from_us
    rows = _open(ledger).history(account)
    if as_json:
        return _print_json(rows)
    _table(f"history of {account}", ["transfer", "kind", "TPP", "limit TPP", "as of", "at", "by", "note"],
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
    for tid in _open(ledger).post(ids, amount=milli, actor=actor_name(actor), note=note):
        typer.echo(f"posted {tid}")


@ledger_app.command("void")
@guarded
def void(ids: list[str], ledger: LedgerOpt = None, actor: ActorOpt = None,
         reason: Annotated[str | None, typer.Option(help="why")] = None) -> None:
    """Void pending transfers (all or none)."""
    for tid in _open(ledger).void(ids, actor=actor_name(actor), reason=reason):
        typer.echo(f"voided {tid}")


@ledger_app.command("expire")
@guarded
def expire(ledger: LedgerOpt = None, actor: ActorOpt = None) -> None:
    """Void every pending transfer past its expiry."""
    done = _open(ledger).expire(actor=actor_name(actor))
    typer.echo(f"expired {len(done)} pending transfer(s)")


@ledger_app.command("verify")
@guarded
def verify(ledger: LedgerOpt = None) -> None:
    """Recompute the audit hash chain and the balances; exit 1 if anything was altered."""
    report = _open(ledger).verify()
    typer.echo(str(report), err=not report.ok)
    if not report.ok:
        raise typer.Exit(1)


@ledger_app.command("export")
@guarded
def export(ledger: LedgerOpt = None,
           out: Annotated[str | None, typer.Option(help="file to write (default: stdout)")] = None) -> None:
    """Every row of every ledger table as JSON Lines."""
    stream = open(out, "w", encoding="utf-8") if out else sys.stdout
    try:
        for rec in _open(ledger).export():
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
    _open(ledger).record_arrangement(code, parse_date(since, "since"), reference, actor=actor_name(actor))
    typer.echo(f"arrangement recorded for {code} from {since}: {reference}")


# ---- aidf license --------------------------------------------------------------------------------

@license_app.command("add")
@guarded
def license_add(number: str,
                amount: Annotated[str, typer.Option("--tpp", help="TPP the license authorizes")],
                valid_from: Annotated[str, typer.Option("--valid-from")],
                valid_to: Annotated[str, typer.Option("--valid-to")],
                consignee: Annotated[str | None, typer.Option(help="ultimate consignee")] = None,
                end_user: Annotated[str | None, typer.Option("--end-user")] = None,
                country: Annotated[str | None, typer.Option(help="destination country")] = None,
                condition: Annotated[list[str] | None, typer.Option(help="a condition (repeatable)")] = None,
                ledger: LedgerOpt = None, actor: ActorOpt = None) -> None:
    """Record a license (15 CFR part 750)."""
    parties = {k: v for k, v in {"ultimate_consignee": consignee, "end_user": end_user,
                                 "country": country}.items() if v}
    lic = _open(ledger).record_license(number, parse_tpp(amount, "--tpp"), parties=parties,
                                       valid_from=parse_date(valid_from, "--valid-from"),
                                       valid_to=parse_date(valid_to, "--valid-to"),
                                       conditions=condition or [], actor=actor_name(actor))
    typer.echo(f"license {lic['number']}: {tpp(lic['amount'])} TPP, {lic['valid_from']} to {lic['valid_to']}")


@license_app.command("list")
@guarded
def license_list(ledger: LedgerOpt = None, as_json: JsonOpt = False) -> None:
    """Licenses with used and remaining TPP."""
    rows = _open(ledger).licenses()
    if as_json:
        return _print_json(rows)
    _table("licenses", ["license", "TPP", "used TPP", "remaining TPP", "valid", "parties"],
           [[r["number"], tpp(r["amount"]), tpp(r["used"]), tpp(r["remaining"]),
             f"{r['valid_from']} to {r['valid_to']}", json.dumps(r["parties"])] for r in rows])


@license_app.command("show")
@guarded
def license_show(number: str, ledger: LedgerOpt = None, as_json: JsonOpt = False) -> None:
    """One license with its usage history."""
    from aidf.ledger.common import from_us
    lic = _open(ledger).license(number)
    if as_json:
        return _print_json(lic)
    _table(f"license {number}", ["TPP", "used TPP", "remaining TPP", "valid", "conditions"],
           [[tpp(lic["amount"]), tpp(lic["used"]), tpp(lic["remaining"]),
             f"{lic['valid_from']} to {lic['valid_to']}", "; ".join(lic["conditions"])]])
    _table("usage", ["transfer", "transaction", "TPP", "as of", "at", "by"],
           [[h["id"], h["transaction_id"], tpp(h["amount"]), h["as_of"], from_us(h["at_us"]), h["actor"]]
            for h in lic["history"]])


# ---- aidf hold -----------------------------------------------------------------------------------

@hold_app.command("list")
@guarded
def hold_list(ledger: LedgerOpt = None,
              status: Annotated[str, typer.Option(help="open | released | all")] = "open",
              as_json: JsonOpt = False) -> None:
    """Holds awaiting a license or review."""
    if status not in ("open", "released", "all"):
        raise InputError("--status", "must be open, released or all")
    rows = _open(ledger).holds(status)
    if as_json:
        return _print_json(rows)
    from aidf.people import hold_reason
    _table(f"holds ({status})", ["transaction", "reason", "placed", "by", "status", "release"],
           [[h["transaction_id"], hold_reason(h["reason"]), h["placed_at"], h["placed_by"], h["status"],
             _release_text(h.get("release"))] for h in rows])


def _release_text(rel: dict[str, Any] | None) -> str:
    if not rel:
        return ""
    what = f"license {rel['license']}" if rel["how"] == "license" else f"override: {rel['reason']}"
    return f"{what} ({rel['by']})"


@hold_app.command("release")
@guarded
def hold_release(transaction_id: str,
                 license: Annotated[str | None, typer.Option("--license", help="license number to draw on")] = None,
                 override: Annotated[str | None, typer.Option("--override", help="written reason")] = None,
                 amount: Annotated[str | None, typer.Option("--tpp", help="TPP to draw (default: from the "
                                                                          "held decision)")] = None,
                 ledger: LedgerOpt = None, actor: ActorOpt = None) -> None:
    """Release a hold by a license (drawing on it) or by an override with a written reason."""
    if (license is None) == (override is None):
        raise InputError("--license/--override", "give exactly one")
    if override is not None and not override.strip():
        raise InputError("--override", "an override needs a written reason")
    milli = parse_tpp(amount, "--tpp") if amount is not None else None
    h = _open(ledger).release_hold(transaction_id, license=license, override=override, amount=milli,
                                   actor=actor_name(actor))
    typer.echo(f"released {transaction_id}: {_release_text(h['release'])}")
